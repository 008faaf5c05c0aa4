/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names the spec constrains, each list NULL-terminated. */
#ifndef HUTCH_SPEC_NAMES_H
#define HUTCH_SPEC_NAMES_H

/* Index = capability number (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40). */
extern const char *const spec_capability_names[];
/* The kinds of hook, the members of "hooks". */
extern const char *const spec_hook_kinds[];
/* Index = resource number of setrlimit(2) (RLIMIT_CPU = 0 ... RLIMIT_RTTIME = 15). */
extern const char *const spec_rlimit_names[];
extern const char *const spec_namespace_types[];
extern const char *const spec_propagation_modes[];
extern const char *const spec_device_types[];
extern const char *const spec_device_rule_types[];
extern const char *const spec_seccomp_actions[];
extern const char *const spec_seccomp_operators[];
extern const char *const spec_seccomp_architectures[];
extern const char *const spec_seccomp_flags[];
extern const char *const spec_personality_domains[];
extern const char *const spec_personality_flags[];
extern const char *const spec_scheduler_policies[];
extern const char *const spec_scheduler_flags[];
extern const char *const spec_io_priority_classes[];

/* Position of `name` in `list`, or -1. */
int spec_name_index(const char *const *list, const char *name);

#endif
