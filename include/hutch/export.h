/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Symbol visibility and attribute helpers shared by every public header. */
#ifndef HUTCH_EXPORT_H
#define HUTCH_EXPORT_H

/* libhutch is built with -fvisibility=hidden; only what is marked here is exported. */
#define HUTCH_API                          __attribute__((visibility("default")))

#define HUTCH_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))

#define HUTCH_WARN_UNUSED                  __attribute__((warn_unused_result))

#endif
