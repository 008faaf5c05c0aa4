/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HUTCH_CORE_UTF8_H
#define HUTCH_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when `s` (len bytes) is well-formed UTF-8: no overlongs, surrogates or values past U+10FFFF.
 */
bool hutch_utf8_valid(const char *s, size_t len);

#endif
