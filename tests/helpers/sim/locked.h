/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Simulator state is shared with the library's threads, and tests read
 * it between calls: every access goes through the simulator's mutex,
 * so TSan sees each one ordered. One line a getter or setter.
 */
#ifndef SIM_LOCKED_H
#define SIM_LOCKED_H

#include <pthread.h>

#define SIM_LOCKED_READ(mutex, var) __extension__ ({ \
    __typeof__(var) sim_locked_value_; \
    pthread_mutex_lock(mutex); \
    sim_locked_value_ = (var); \
    pthread_mutex_unlock(mutex); \
    sim_locked_value_; })

#define SIM_LOCKED_WRITE(mutex, var, value) do { \
    pthread_mutex_lock(mutex); \
    (var) = (value); \
    pthread_mutex_unlock(mutex); \
} while (0)

#endif
