/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef MINIOS_NEWLIB_TABLE_H
#define MINIOS_NEWLIB_TABLE_H

/* cmocka test over the generated Xen -> newlib table (newlib-table.c). */
void minios_newlib_table(void **state);

#endif
