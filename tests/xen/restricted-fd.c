/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hands a restricted privcmd descriptor to another program, as a
 * deprivileged device model would leak one: opens a libxencall handle
 * (the library given by path, dlopen()ed, so Debian's and ours go
 * through the same code), calls xentoolcore_restrict_all(DOMID), then
 * runs PROGRAM ARGS... privcmd FD LABEL with the handle's descriptor
 * inherited as FD. For Xen's depriv-fd-checker, which must find the
 * descriptor blocked.
 *   restricted-fd LIBXENCALL DOMID LABEL PROGRAM [ARGS...]
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xentoolcore.h>

typedef void *(*open_fn)(void *logger, unsigned int flags);
typedef int (*fd_fn)(void *handle);

int main(int argc, char **argv)
{
    void *lib, *handle;
    open_fn xencall_open;
    fd_fn xencall_fd;
    char fd_text[16];
    char **args;
    int fd, i, nargs;

    if (argc < 5) {
        fprintf(stderr, "usage: %s LIBXENCALL DOMID LABEL PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    lib = dlopen(argv[1], RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror());
        return 1;
    }
    *(void **)&xencall_open = dlsym(lib, "xencall_open");
    *(void **)&xencall_fd = dlsym(lib, "xencall_fd");
    if (!xencall_open || !xencall_fd) {
        fprintf(stderr, "%s lacks xencall_open or xencall_fd\n", argv[1]);
        return 1;
    }
    handle = xencall_open(NULL, 0);
    if (!handle) {
        perror("xencall_open");
        return 1;
    }
    if (xentoolcore_restrict_all((domid_t)strtoul(argv[2], NULL, 10))) {
        perror("xentoolcore_restrict_all");
        return 1;
    }
    /* The handle's descriptor as restricting left it (a library may
     * have put another file in its place), copied without close-on-exec
     * so that it survives the exec. */
    fd = dup(xencall_fd(handle));
    if (fd < 0) {
        perror("dup");
        return 1;
    }
    snprintf(fd_text, sizeof(fd_text), "%d", fd);
    nargs = argc - 4;
    args = calloc((size_t)nargs + 4, sizeof(*args));
    if (!args) {
        perror("calloc");
        return 1;
    }
    for (i = 0; i < nargs; i++)
        args[i] = argv[4 + i];
    args[nargs] = "privcmd";
    args[nargs + 1] = fd_text;
    args[nargs + 2] = argv[3];
    execv(args[0], args);
    fprintf(stderr, "exec %s: %s\n", args[0], strerror(errno));
    return 1;
}
