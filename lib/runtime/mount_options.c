/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mount.h>
#include <sys/mount.h>

#include "../core/strbuf.h"
#include "mount_options.h"

static const struct {
    const char *name;
    unsigned long flag;
    bool clear; /* the option turns the flag off */
} flag_options[] = {
    { "ro", MS_RDONLY, false },
    { "rw", MS_RDONLY, true },
    { "nosuid", MS_NOSUID, false },
    { "suid", MS_NOSUID, true },
    { "nodev", MS_NODEV, false },
    { "dev", MS_NODEV, true },
    { "noexec", MS_NOEXEC, false },
    { "exec", MS_NOEXEC, true },
    { "sync", MS_SYNCHRONOUS, false },
    { "async", MS_SYNCHRONOUS, true },
    { "dirsync", MS_DIRSYNC, false },
    { "remount", MS_REMOUNT, false },
    { "mand", MS_MANDLOCK, false },
    { "nomand", MS_MANDLOCK, true },
    { "atime", MS_NOATIME, true },
    { "noatime", MS_NOATIME, false },
    { "diratime", MS_NODIRATIME, true },
    { "nodiratime", MS_NODIRATIME, false },
    { "relatime", MS_RELATIME, false },
    { "norelatime", MS_RELATIME, true },
    { "strictatime", MS_STRICTATIME, false },
    { "nostrictatime", MS_STRICTATIME, true },
    { "silent", MS_SILENT, false },
    { "loud", MS_SILENT, true },
    { "lazytime", MS_LAZYTIME, false },
    { "nolazytime", MS_LAZYTIME, true },
    { "iversion", MS_I_VERSION, false },
    { "noiversion", MS_I_VERSION, true },
};

static const struct {
    const char *name;
    unsigned long flags;
} propagation_options[] = {
    { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
    { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
    { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

/* The recursive options of runtime-spec 1.1 (mount_setattr with AT_RECURSIVE). */
static const struct {
    const char *name;
    uint64_t attr;
    bool clear;
} recursive_options[] = {
    { "rrw", MOUNT_ATTR_RDONLY, true },
    { "rnosuid", MOUNT_ATTR_NOSUID, false },
    { "rsuid", MOUNT_ATTR_NOSUID, true },
    { "rnodev", MOUNT_ATTR_NODEV, false },
    { "rdev", MOUNT_ATTR_NODEV, true },
    { "rnoexec", MOUNT_ATTR_NOEXEC, false },
    { "rexec", MOUNT_ATTR_NOEXEC, true },
    { "rnodiratime", MOUNT_ATTR_NODIRATIME, false },
    { "rdiratime", MOUNT_ATTR_NODIRATIME, true },
    { "rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, false },
    { "rsymfollow", MOUNT_ATTR_NOSYMFOLLOW, true },
};

/* Words that say how to mount rather than which flags to set. */
static const struct {
    const char *name;
    bool bind, recursive, recursive_readonly;
} keyword_options[] = {
    { "bind", true, false, false },
    { "rbind", true, true, false },
    { "rro", false, false, true }, /* read-only for every submount too */
    { "defaults", false, false, false },
};

#define N_OPTIONS(table) (sizeof(table) / sizeof((table)[0]))

const char *mount_option_name(size_t i)
{
    if (i < N_OPTIONS(flag_options))
        return flag_options[i].name;
    i -= N_OPTIONS(flag_options);
    if (i < N_OPTIONS(propagation_options))
        return propagation_options[i].name;
    i -= N_OPTIONS(propagation_options);
    if (i < N_OPTIONS(recursive_options))
        return recursive_options[i].name;
    i -= N_OPTIONS(recursive_options);
    return i < N_OPTIONS(keyword_options) ? keyword_options[i].name : NULL;
}

static bool keyword(const char *opt, struct mount_options *o)
{
    for (size_t i = 0; i < N_OPTIONS(keyword_options); i++) {
        if (strcmp(keyword_options[i].name, opt) != 0)
            continue;
        o->bind |= keyword_options[i].bind;
        o->recursive |= keyword_options[i].recursive;
        o->recursive_readonly |= keyword_options[i].recursive_readonly;
        return true;
    }
    return false;
}

unsigned long propagation_flags(const char *word)
{
    for (size_t i = 0; i < N_OPTIONS(propagation_options); i++)
        if (strcmp(propagation_options[i].name, word) == 0)
            return propagation_options[i].flags;
    return 0;
}

static bool recursive_attr(const char *opt, struct mount_options *o)
{
    for (size_t i = 0; i < N_OPTIONS(recursive_options); i++) {
        if (strcmp(recursive_options[i].name, opt) != 0)
            continue;
        if (recursive_options[i].clear) {
            o->attr_clr |= recursive_options[i].attr;
            o->attr_set &= ~recursive_options[i].attr;
        } else {
            o->attr_set |= recursive_options[i].attr;
            o->attr_clr &= ~recursive_options[i].attr;
        }
        return true;
    }
    return false;
}

int mount_options_parse(const hutch_strings *options, struct mount_options *o, hutch_error *err)
{
    struct strbuf data = STRBUF_INIT;

    memset(o, 0, sizeof(*o));
    for (size_t i = 0; i < options->n; i++) {
        const char *opt = options->items[i];
        unsigned long prop;
        bool known = false;

        for (size_t k = 0; k < N_OPTIONS(flag_options); k++) {
            if (strcmp(flag_options[k].name, opt) != 0)
                continue;
            if (flag_options[k].clear) {
                o->flags &= ~flag_options[k].flag;
                o->clear |= flag_options[k].flag;
            } else {
                o->flags |= flag_options[k].flag;
                o->clear &= ~flag_options[k].flag;
            }
            known = true;
        }
        if (known)
            continue;
        prop = propagation_flags(opt);
        if (prop != 0) {
            o->propagation = prop;
        } else if (keyword(opt, o) || recursive_attr(opt, o)) {
            /* recorded in o */
        } else {
            if (data.len > 0)
                strbuf_putc(&data, ',');
            strbuf_puts(&data, opt);
        }
    }
    if (data.failed) {
        strbuf_release(&data);
        return hutch_error_set(err, ENOMEM, "out of memory");
    }
    o->data = data.len > 0 ? strbuf_steal(&data) : NULL;
    strbuf_release(&data);
    return 0;
}

void mount_options_release(struct mount_options *o)
{
    free(o->data);
    o->data = NULL;
}
