/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Benchmark of one libxencall, named by path, on the simulated privcmd
 * and buffer device (tests/linux). The library is dlopen()ed rather
 * than linked so the same program measures ours and Debian's. Loaded
 * RTLD_LOCAL, both can share a process: each binds to its own
 * functions, whose names are the same.
 *
 *   xencall-bench LIB time             every case: wall ns/op median, min,
 *                                      max, and median thread-CPU ns/op
 *   xencall-bench LIB pairs TABLE      the ratios TABLE (bench/targets) names,
 *                                      each timed back to back
 *   xencall-bench LIB OTHER versus [CASE...]
 *                                      every case (or those named) on LIB
 *                                      against OTHER, timed back to back in
 *                                      this one process
 *   xencall-bench LIB cases            the one-thread cases' names
 *   xencall-bench LIB count CASE N     N ops of CASE inside measured_loop(),
 *                                      for valgrind --toggle-collect
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../tests/helpers/sim/os.h"
#include "timing.h"   /* tools/ */

#define PAGE 4096
#define RUNS 7
#define PAIRED_RUNS 31
#define TARGET_NS_PER_RUN 20000000.0   /* calibrate each run to ~20 ms */
#define SIM_IOCTL_HYPERCALL 0x305000UL
#define HYPERVISOR_xen_version 17

struct xencall_handle;
struct xencall_api {
    struct xencall_handle *(*open)(void *logger, unsigned flags);
    int (*close)(struct xencall_handle *h);
    int (*call1)(struct xencall_handle *h, unsigned op, uint64_t a1);
    int (*call5)(struct xencall_handle *h, unsigned op, uint64_t a1,
                 uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
    void *(*alloc)(struct xencall_handle *h, size_t size);
    void (*free)(struct xencall_handle *h, void *p);
    void *(*alloc_pages)(struct xencall_handle *h, size_t n);
    void (*free_pages)(struct xencall_handle *h, void *p, size_t n);
};

enum kind { RAW_IOCTL, CALL1, CALL5, ALLOC, PAGES, MEMSET };
/* TWO_OWN is the control for TWO_SHARED: the same locking, nothing
 * shared, so what it loses against one thread is the machine's (two
 * busy vCPUs), not the library's. */
enum sharing { ONE_THREAD, TWO_SHARED, TWO_OWN, TWO_OWN_NONREENTRANT };

struct bench_case {
    const char *name;
    enum kind kind;
    size_t size;          /* bytes; pages for PAGES */
    int buffer_device;
    enum sharing sharing;
};

static const struct bench_case cases[] = {
    { "raw_ioctl",          RAW_IOCTL, 0, 1, ONE_THREAD },
    { "xencall1",           CALL1, 0, 1, ONE_THREAD },
    { "xencall5",           CALL5, 0, 1, ONE_THREAD },
    { "alloc_64B/dev",      ALLOC, 64, 1, ONE_THREAD },
    { "alloc_4032B/dev",    ALLOC, 4032, 1, ONE_THREAD },
    { "alloc_3p/dev",       ALLOC, 3 * PAGE, 1, ONE_THREAD },
    { "alloc_8p/dev",       ALLOC, 8 * PAGE, 1, ONE_THREAD },
    { "alloc_64p/dev",      ALLOC, 64 * PAGE, 1, ONE_THREAD },
    { "pages_1/dev",        PAGES, 1, 1, ONE_THREAD },
    { "alloc_64B/locked",   ALLOC, 64, 0, ONE_THREAD },
    { "alloc_4032B/locked", ALLOC, 4032, 0, ONE_THREAD },
    { "alloc_3p/locked",    ALLOC, 3 * PAGE, 0, ONE_THREAD },
    { "alloc_8p/locked",    ALLOC, 8 * PAGE, 0, ONE_THREAD },
    { "alloc_64p/locked",   ALLOC, 64 * PAGE, 0, ONE_THREAD },
    { "pages_1/locked",     PAGES, 1, 0, ONE_THREAD },
    { "alloc_64B/2thr_shared", ALLOC, 64, 1, TWO_SHARED },
    { "alloc_64B/2thr_own",    ALLOC, 64, 1, TWO_OWN },
    { "alloc_64B/2thr_own_nr", ALLOC, 64, 1, TWO_OWN_NONREENTRANT },
    { "memset_64B",         MEMSET, 64, 1, ONE_THREAD },
    { "memset_64B/2thr",    MEMSET, 64, 1, TWO_OWN_NONREENTRANT },
    { "memset_4032B",       MEMSET, 4032, 1, ONE_THREAD },
    { "memset_3p",          MEMSET, 3 * PAGE, 1, ONE_THREAD },
    { "memset_8p",          MEMSET, 8 * PAGE, 1, ONE_THREAD },
    { "memset_64p",         MEMSET, 64 * PAGE, 1, ONE_THREAD },
};
#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static void *load(const char *lib, void *dl, const char *name)
{
    void *f = dlsym(dl, name);

    if (!f) {
        fprintf(stderr, "%s: no %s\n", lib, name);
        exit(2);
    }
    return f;
}

static void load_api(struct xencall_api *api, const char *lib)
{
    void *dl = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

    if (!dl) {
        fprintf(stderr, "cannot load %s: %s\n", lib, dlerror());
        exit(2);
    }
    *(void **)&api->open = load(lib, dl, "xencall_open");
    *(void **)&api->close = load(lib, dl, "xencall_close");
    *(void **)&api->call1 = load(lib, dl, "xencall1");
    *(void **)&api->call5 = load(lib, dl, "xencall5");
    *(void **)&api->alloc = load(lib, dl, "xencall_alloc_buffer");
    *(void **)&api->free = load(lib, dl, "xencall_free_buffer");
    *(void **)&api->alloc_pages = load(lib, dl, "xencall_alloc_buffer_pages");
    *(void **)&api->free_pages = load(lib, dl, "xencall_free_buffer_pages");
}

/* Keeps the compiler from dropping work whose result is unused. */
static inline void keep(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

/* One area per thread: the two-thread memset row is then a machine
 * floor with nothing shared, like the library's own-handle row. */
static unsigned char memset_area[2][64 * PAGE];

/*
 * The CPUs timed threads are pinned to, one each. Left to itself the
 * scheduler often wakes both threads of a pair on one vCPU at the start
 * barrier and takes milliseconds to move one (thread CPU time was half
 * the wall time in such runs): that measured the scheduler, not the
 * library. nr_pin_cpus < 2 means no pinning.
 */
static int pin_cpus[2], nr_pin_cpus;

static void choose_pin_cpus(void)
{
    cpu_set_t allowed;
    int cpu;

    if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
        return;
    for (cpu = 0; cpu < CPU_SETSIZE && nr_pin_cpus < 2; cpu++)
        if (CPU_ISSET(cpu, &allowed))
            pin_cpus[nr_pin_cpus++] = cpu;
    if (nr_pin_cpus < 2)
        fprintf(stderr, "xencall-bench: fewer than 2 CPUs, threads not pinned\n");
}

struct loop_args {
    const struct xencall_api *api;
    const struct bench_case *c;
    struct xencall_handle *h;
    int privcmd_fd;
    int index;       /* 0 or 1: which CPU and memset area */
    unsigned long n;
    pthread_barrier_t *start;
    double ns;       /* wall clock */
    double cpu_ns;   /* this thread's CPU time: immune to other load */
};

/* The measured work; callgrind counts only what runs in here. */
__attribute__((noinline)) void measured_loop(struct loop_args *a);
__attribute__((noinline)) void measured_loop(struct loop_args *a)
{
    const struct bench_case *c = a->c;
    const struct xencall_api *api = a->api;
    struct { uint64_t op, arg[5]; } hc = { HYPERVISOR_xen_version, { 0 } };
    unsigned long i;
    void *p;

    for (i = 0; i < a->n; i++) {
        switch (c->kind) {
        case RAW_IOCTL:
            if (ioctl(a->privcmd_fd, SIM_IOCTL_HYPERCALL, &hc) < 0)
                abort();
            break;
        case CALL1:
            if (api->call1(a->h, HYPERVISOR_xen_version, 0) < 0)
                abort();
            break;
        case CALL5:
            if (api->call5(a->h, HYPERVISOR_xen_version, 0, 0, 0, 0, 0) < 0)
                abort();
            break;
        case ALLOC:
            p = api->alloc(a->h, c->size);
            if (!p)
                abort();
            keep(p);
            api->free(a->h, p);
            break;
        case PAGES:
            p = api->alloc_pages(a->h, c->size);
            if (!p)
                abort();
            keep(p);
            api->free_pages(a->h, p, c->size);
            break;
        case MEMSET:
            memset(memset_area[a->index], 0, c->size);
            keep(memset_area[a->index]);
            break;
        }
    }
}

static double thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *timed_thread(void *arg)
{
    struct loop_args *a = arg;
    double t0, c0;
    cpu_set_t cpu;

    if (nr_pin_cpus >= 2) {
        CPU_ZERO(&cpu);
        CPU_SET(pin_cpus[a->index], &cpu);
        pthread_setaffinity_np(pthread_self(), sizeof(cpu), &cpu);
    }
    if (a->start)
        pthread_barrier_wait(a->start);
    c0 = thread_cpu_ns();
    t0 = now_ns();
    measured_loop(a);
    a->ns = now_ns() - t0;
    a->cpu_ns = thread_cpu_ns() - c0;
    return NULL;
}

static struct xencall_handle *open_handle(const struct xencall_api *api,
                                         unsigned flags)
{
    struct xencall_handle *h = api->open(NULL, flags);

    if (!h) {
        perror("xencall_open on the simulated device");
        exit(2);
    }
    return h;
}

/* One timed run of n ops per thread: wall ns per op per thread (the
 * slowest thread's), and CPU ns per op in *cpu. */
static double run_once(const struct xencall_api *api,
                       const struct bench_case *c, unsigned long n, double *cpu)
{
    struct loop_args a[2];
    struct xencall_handle *shared = NULL;
    pthread_barrier_t start;
    pthread_t tid[2];
    int threads = c->sharing == ONE_THREAD ? 1 : 2, i;
    double worst = 0, worst_cpu = 0;

    memset(a, 0, sizeof(a));
    if (c->sharing == ONE_THREAD || c->sharing == TWO_SHARED)
        shared = open_handle(api, 0);
    pthread_barrier_init(&start, NULL, threads);
    for (i = 0; i < threads; i++) {
        a[i].api = api;
        a[i].c = c;
        a[i].index = i;
        a[i].n = n;
        a[i].h = shared ? shared
                        : open_handle(api, c->sharing == TWO_OWN_NONREENTRANT);
        a[i].privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
        a[i].start = &start;
        /* Warm the cache and the code path before timing. */
        a[i].n = 16;
        measured_loop(&a[i]);
        a[i].n = n;
    }
    for (i = 0; i < threads; i++)
        pthread_create(&tid[i], NULL, timed_thread, &a[i]);
    for (i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        if (a[i].ns > worst)
            worst = a[i].ns;
        if (a[i].cpu_ns > worst_cpu)
            worst_cpu = a[i].cpu_ns;
        close(a[i].privcmd_fd);
        if (!shared)
            api->close(a[i].h);
    }
    if (shared)
        api->close(shared);
    pthread_barrier_destroy(&start);
    *cpu = worst_cpu / n;
    return worst / n;
}

/* Sets up the simulated device for c and returns the ops per run that
 * make one run take a noticeable time. */
static unsigned long calibrate(const struct xencall_api *api,
                               const struct bench_case *c)
{
    unsigned long n = 64;
    double ignored;

    sim_os_reset();
    sim_os_set_buffer_device(c->buffer_device);
    while (run_once(api, c, n, &ignored) * n < TARGET_NS_PER_RUN / 4 &&
           n < (1UL << 26))
        n *= 4;
    return n;
}

static void time_case(const struct xencall_api *api, const struct bench_case *c)
{
    double ns[RUNS], cpu[RUNS], ns_median;
    unsigned long n = calibrate(api, c);
    int i;

    for (i = 0; i < RUNS; i++)
        ns[i] = run_once(api, c, n, &cpu[i]);
    ns_median = median_of(ns, RUNS);   /* sorts: ns[0] is the fastest */
    printf("%s\t%.1f\t%.1f\t%.1f\t%.1f\n", c->name, ns_median, ns[0],
           ns[RUNS - 1], median_of(cpu, RUNS));
    fflush(stdout);
}

static void count_case(const struct xencall_api *api,
                       const struct bench_case *c, unsigned long n)
{
    struct loop_args a = { .api = api, .c = c, .n = 16 };

    sim_os_reset();
    sim_os_set_buffer_device(c->buffer_device);
    a.h = open_handle(api, 0);
    a.privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    measured_loop(&a);   /* warm up outside the counted call */
    a.n = n;
    measured_loop(&a);
    close(a.privcmd_fd);
    api->close(a.h);
}

static const struct bench_case *find_case(const char *name)
{
    size_t i;

    for (i = 0; i < NR_CASES; i++)
        if (!strcmp(cases[i].name, name))
            return &cases[i];
    fprintf(stderr, "no case %s\n", name);
    exit(2);
}

/*
 * Ratios the targets are read from, each timed back to back: a round
 * times the numerator's case, then the denominator's, so a shared host
 * whose speed drifts between the table's cases moves both sides of a
 * ratio together. Both sides run the same number of ops, calibrated on
 * the numerator. Which ratios: the "ratio" lines of bench/targets.
 */
static double run_on_its_device(const struct xencall_api *api,
                                const struct bench_case *c, unsigned long n)
{
    double ignored;

    sim_os_set_buffer_device(c->buffer_device);
    return run_once(api, c, n, &ignored);
}

/* Prints "pair LABEL MEDIAN MIN MAX ROUNDS" for every "ratio LABEL
 * NUMERATOR DENOMINATOR ..." line of the TABLE file (bench/targets). */
static void time_pairs(const struct xencall_api *api, const char *table)
{
    double ratio[PAIRED_RUNS], median;
    char line[256], label[64], numerator[64], denominator[64];
    FILE *f = fopen(table, "r");
    int i, nr_ratios = 0;

    if (!f) {
        perror(table);
        exit(2);
    }
    while (fgets(line, sizeof(line), f)) {
        const struct bench_case *num, *den;
        unsigned long n;

        if (sscanf(line, "ratio %63s %63s %63s", label, numerator, denominator) != 3)
            continue;
        num = find_case(numerator);
        den = find_case(denominator);
        n = calibrate(api, num);
        for (i = 0; i < PAIRED_RUNS; i++)
            ratio[i] = run_on_its_device(api, num, n) /
                       run_on_its_device(api, den, n);
        median = median_of(ratio, PAIRED_RUNS);   /* sorts */
        printf("pair\t%s\t%.3f\t%.3f\t%.3f\t%d\n", label, median, ratio[0],
               ratio[PAIRED_RUNS - 1], PAIRED_RUNS);
        fflush(stdout);
        nr_ratios++;
    }
    fclose(f);
    if (!nr_ratios) {
        fprintf(stderr, "%s: no ratio line\n", table);
        exit(2);
    }
}

/*
 * Prints "versus CASE WALL MIN MAX CPU MIN MAX ROUNDS" for a case:
 * the ratio of one library's ns/op to the other's, in wall-clock and in
 * thread CPU time (which time spent descheduled by other load does not
 * reach), medians of rounds that each time both back to back, so that
 * the host's drift moves both sides alike. Each side runs its own
 * calibrated number of ops (Debian's library maps and unmaps
 * multi-page buffers, a hundred times our time).
 */
static void time_versus(const struct xencall_api *ours,
                        const struct xencall_api *theirs, const struct bench_case *bc)
{
    double wall[PAIRED_RUNS], cpu[PAIRED_RUNS], wall_median, cpu_median;
    unsigned long n_ours = calibrate(ours, bc);
    unsigned long n_theirs = calibrate(theirs, bc);
    int i;

    for (i = 0; i < PAIRED_RUNS; i++) {
        double cpu_ours, cpu_theirs, wall_ours, wall_theirs;

        sim_os_set_buffer_device(bc->buffer_device);
        /* Each side goes first in every other round: whichever runs
         * second finds caches and the CPU's clock as the first left
         * them, a bias the raw_ioctl row (the same code on both sides)
         * showed at 0.1-0.5% when ours always went first. */
        if (i % 2 == 0) {
            wall_ours = run_once(ours, bc, n_ours, &cpu_ours);
            wall_theirs = run_once(theirs, bc, n_theirs, &cpu_theirs);
        } else {
            wall_theirs = run_once(theirs, bc, n_theirs, &cpu_theirs);
            wall_ours = run_once(ours, bc, n_ours, &cpu_ours);
        }
        wall[i] = wall_ours / wall_theirs;
        cpu[i] = cpu_ours / cpu_theirs;
    }
    wall_median = median_of(wall, PAIRED_RUNS);   /* sorts */
    cpu_median = median_of(cpu, PAIRED_RUNS);
    printf("versus\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%d\n", bc->name,
           wall_median, wall[0], wall[PAIRED_RUNS - 1], cpu_median, cpu[0],
           cpu[PAIRED_RUNS - 1], PAIRED_RUNS);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    struct xencall_api api, other;
    size_t i;
    int arg;

    choose_pin_cpus();
    if (argc == 3 && !strcmp(argv[2], "time")) {
        load_api(&api, argv[1]);
        for (i = 0; i < NR_CASES; i++)
            time_case(&api, &cases[i]);
        return 0;
    }
    if (argc == 4 && !strcmp(argv[2], "pairs")) {
        load_api(&api, argv[1]);
        time_pairs(&api, argv[3]);
        return 0;
    }
    if (argc >= 4 && !strcmp(argv[3], "versus")) {
        load_api(&api, argv[1]);
        load_api(&other, argv[2]);
        for (i = 0; argc == 4 && i < NR_CASES; i++)
            time_versus(&api, &other, &cases[i]);
        for (arg = 4; arg < argc; arg++)
            time_versus(&api, &other, find_case(argv[arg]));
        return 0;
    }
    if (argc == 3 && !strcmp(argv[2], "cases")) {
        for (i = 0; i < NR_CASES; i++)
            if (cases[i].sharing == ONE_THREAD)
                printf("%s\n", cases[i].name);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[2], "count")) {
        load_api(&api, argv[1]);
        count_case(&api, find_case(argv[3]), strtoul(argv[4], NULL, 10));
        return 0;
    }
    fprintf(stderr, "usage: %s LIB time | LIB pairs TABLE | LIB OTHER versus [CASE...] | LIB cases"
            " | LIB count CASE N\n", argv[0]);
    return 2;
}
