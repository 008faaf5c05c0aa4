/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HUTCH_SPEC_RELEASE_H
#define HUTCH_SPEC_RELEASE_H

#include "schema.h"

/* Free what `slot` (a value of `type`) owns and reset it to absent. */
void release_value(const struct value_type *type, void *slot);

#endif
