/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fstab-style mount options of a spec mount, split into what mount(2) takes. */
#ifndef HUTCH_RUNTIME_MOUNT_OPTIONS_H
#define HUTCH_RUNTIME_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hutch/error.h>
#include <hutch/spec.h>

struct mount_options {
    unsigned long flags;       /* MS_RDONLY, MS_NOSUID, ... to set */
    unsigned long clear;       /* flags named off ("rw", "suid", ...) */
    unsigned long propagation; /* MS_SHARED / MS_SLAVE / MS_PRIVATE / MS_UNBINDABLE, | MS_REC */
    bool bind;                 /* "bind" or "rbind" */
    bool recursive;            /* "rbind" */
    bool recursive_readonly;   /* "rro": read-only for every submount too */
    uint64_t attr_set;         /* recursive MOUNT_ATTR_* of "rnosuid", "rnodev", ... */
    uint64_t attr_clr;
    char *data; /* the rest, comma-joined, for the file system */
};

int mount_options_parse(const hutch_strings *options, struct mount_options *out, hutch_error *err);
void mount_options_release(struct mount_options *o);

/*
 * The i-th option word mount_options_parse() knows (anything else goes to the
 * file system as data); NULL past the last.
 */
const char *mount_option_name(size_t i);

/* "rshared" and the other propagation words to MS_* flags; 0 if not one. */
unsigned long propagation_flags(const char *word);

#endif
