/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library as a program meets it: "load PATH" dlopen()s the library
 * at PATH (a loadable module's way: libvirt's libxl driver, Python's
 * bindings), "load" finds it among the libraries the program was
 * linked with. Then a handle is opened and, where there is a Xen, a
 * buffer allocated and freed twice over (the cached path reads the
 * thread's slot ticket, the thread-local variable at stake). Prints
 * one line of what it did; exits 0 when the library loaded and did
 * whatever the machine allows, 1 otherwise. A driver that stage
 * 17-musl and the musl dom0 checks run, not a cmocka group.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <xencall.h>

struct api {
    xencall_handle *(*open)(struct xentoollog_logger *, unsigned);
    int (*close)(xencall_handle *);
    void *(*alloc)(xencall_handle *, size_t);
    void (*free)(xencall_handle *, void *);
};

static int resolve(void *lib, struct api *api)
{
    *(void **)&api->open = dlsym(lib, "xencall_open");
    *(void **)&api->close = dlsym(lib, "xencall_close");
    *(void **)&api->alloc = dlsym(lib, "xencall_alloc_buffer");
    *(void **)&api->free = dlsym(lib, "xencall_free_buffer");
    return api->open && api->close && api->alloc && api->free;
}

/* Two rounds: the second takes the first's block from the cache. */
static int use(const struct api *api, const char *how)
{
    xencall_handle *h = api->open(NULL, 0);
    int round;

    if (!h) {
        printf("%s: loaded; no handle here (%s), so no buffer\n", how, strerror(errno));
        return 0;
    }
    for (round = 0; round < 2; round++) {
        void *p = api->alloc(h, 64);

        if (!p) {
            printf("%s: loaded and opened; allocation %d failed: %s\n", how, round,
                   strerror(errno));
            api->close(h);
            return 1;
        }
        api->free(h, p);
    }
    api->close(h);
    printf("%s: loaded, opened, two buffers allocated and freed, closed\n", how);
    return 0;
}

int main(int argc, char **argv)
{
    struct api api;
    void *lib = RTLD_DEFAULT;
    const char *how = "linked";

    if (argc > 1) {
        how = "dlopen";
        lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            printf("dlopen: %s\n", dlerror());
            return 1;
        }
    }
    if (!resolve(lib, &api)) {
        printf("%s: the library's functions are not found: %s\n", how, dlerror());
        return 1;
    }
    return use(&api, how);
}
