/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The simulated Mini-OS (tests/helpers/sim/minios.c) and the simulated
 * Xen behind it (tests/helpers/sim/xen.c) held to Mini-OS's and Xen's
 * own sources, one test per fact, each naming the file it follows.
 * Hypercalls go straight to HYPERVISOR_multicall, as a stub domain
 * without this library would make them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xen/errno.h>
#include <xen/version.h>
#include <mini-os/os.h>   /* the simulated one: HYPERVISOR_multicall */

#include "../helpers/sim/minios.h"
#include "../helpers/sim/os.h"
#include "../helpers/sim/xen.h"
#include "../helpers/test.h"

/* A result no call leaves: the entry was never run. */
#define UNTOUCHED 0x5a5a

static void set_entry(multicall_entry_t *e, uint64_t op, uint64_t arg0, uint64_t arg1)
{
    memset(e, 0, sizeof(*e));
    e->op = op;
    e->args[0] = arg0;
    e->args[1] = arg1;
    e->result = UNTOUCHED;
}

/* Linked without the library (see local.am): a fresh simulated system
 * per case, and no heap block left behind. */
static int fresh(void **state)
{
    (void)state;
    sim_os_reset();
    return 0;
}

static int nothing_left(void **state)
{
    (void)state;
    return sim_os_mapped_bytes() == 0 ? 0 : -1;
}

/*
 * Xen's xen/common/multicall.c, do_multicall(): the vCPU's
 * in-multicall flag is tested and set before anything else, so a
 * multicall made as an entry of another returns -EINVAL into that
 * entry ("Multicall reentry is disallowed") and none of its own
 * entries run; the outer multicall goes on with its next entries and
 * returns 0.
 */
static void multicall_inside_multicall_refused(void **state)
{
    multicall_entry_t list[8], *outer = sim_minios_memalign(PAGE, PAGE), *inner;
    unsigned long ran;
    int rc, again;

    (void)state;
    assert_non_null(outer);
    inner = outer + 4;
    set_entry(&inner[0], __HYPERVISOR_xen_version, XENVER_version, 0);
    set_entry(&outer[0], __HYPERVISOR_xen_version, XENVER_version, 0);
    set_entry(&outer[1], __HYPERVISOR_multicall, (uintptr_t)inner, 1);
    set_entry(&outer[2], __HYPERVISOR_xen_version, XENVER_pagesize, 0);
    ran = sim_xen_calls();
    rc = HYPERVISOR_multicall(outer, 3);
    ran = sim_xen_calls() - ran;
    memcpy(list, outer, sizeof(list));
    /* The flag is the vCPU's while a multicall runs, and only then. */
    set_entry(&inner[0], __HYPERVISOR_xen_version, XENVER_version, 0);
    again = HYPERVISOR_multicall(inner, 1);
    list[5] = inner[0];
    sim_minios_free(outer);   /* before checking: a failure leaves nothing */

    assert_int_equal(rc, 0);
    assert_int_equal((long)list[0].result, SIM_XEN_VERSION);
    assert_int_equal((long)list[1].result, -XEN_EINVAL);
    assert_int_equal((long)list[2].result, 4096);
    assert_int_equal(list[4].result, UNTOUCHED);
    assert_int_equal(ran, 2);
    assert_int_equal(again, 0);
    assert_int_equal((long)list[5].result, SIM_XEN_VERSION);
}

/* The same file: an entry Xen cannot copy from the guest fails the
 * multicall itself with -EFAULT. */
static void multicall_list_out_of_reach(void **state)
{
    multicall_entry_t *heap = calloc(1, sizeof(*heap));

    (void)state;
    assert_non_null(heap);
    set_entry(heap, __HYPERVISOR_xen_version, XENVER_version, 0);
    assert_int_equal(HYPERVISOR_multicall(heap, 1), -XEN_EFAULT);
    assert_int_equal(heap->result, UNTOUCHED);
    free(heap);
}

/*
 * Mini-OS's include/x86/x86_64/hypercall-x86_64.h: HYPERVISOR_multicall
 * is the multicall hypercall itself (_hypercall2), its return Xen's,
 * its list any of the guest's memory, the stack too. The simulated
 * Xen reaches a list on the caller's stack for that call only.
 */
static void minios_multicall_is_the_hypercall(void **state)
{
    multicall_entry_t entry;

    (void)state;
    set_entry(&entry, SIM_OP_RESULT, (uint64_t)-XEN_ENOTEMPTY, 0);
    assert_int_equal(HYPERVISOR_multicall(&entry, 1), 0);
    assert_int_equal((long)entry.result, -XEN_ENOTEMPTY);
    assert_int_equal(sim_xen_last_call().op, SIM_OP_RESULT);
    assert_false(sim_xen_mem_reachable(&entry, sizeof(entry)));
    set_entry(&entry, __HYPERVISOR_multicall, (uintptr_t)&entry, 1);
    assert_int_equal(HYPERVISOR_multicall(&entry, 1), 0);
    assert_int_equal((long)entry.result, -XEN_EINVAL);
}

int main(void)
{
/* A fact's case: a fresh simulated kernel, nothing left open after. */
#define FACT(f) cmocka_unit_test_setup_teardown(f, fresh, nothing_left)
    const struct CMUnitTest tests[] = {
        FACT(multicall_inside_multicall_refused),
        FACT(multicall_list_out_of_reach),
        FACT(minios_multicall_is_the_hypercall),
    };
#undef FACT

    return cmocka_run_group_tests_name("minios-sim-facts", tests, NULL, NULL);
}
