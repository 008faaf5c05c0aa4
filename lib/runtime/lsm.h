/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Linux security modules: the SELinux process and mount labels and the
 * AppArmor profile of a container. Decided and checked by the caller before
 * anything starts; the exec labels are set by the container process itself.
 */
#ifndef HUTCH_RUNTIME_LSM_H
#define HUTCH_RUNTIME_LSM_H

#include <hutch/error.h>
#include <hutch/runtime.h>
#include <hutch/spec.h>

struct lsm_plan {
    const char *selinux_label;    /* process.selinuxLabel, when SELinux is enabled */
    const char *mount_label;      /* linux.mountLabel, when SELinux is enabled */
    const char *apparmor_profile; /* process.apparmorProfile, when AppArmor is enabled */
};

/*
 * Fill `plan` from the spec: a label the loaded SELinux policy rejects, or an
 * AppArmor profile that is not loaded, is an error naming it; labels for a
 * module this host does not run are skipped (SELinux, quietly as runc does)
 * or warned about (AppArmor). `config` names the file in errors.
 */
int lsm_plan_prepare(const struct hutch_runtime *rt, const struct hutch_spec *spec,
                     const char *config, struct lsm_plan *plan, hutch_error *err);

/*
 * In the container process, while the host's /proc is still reachable: the
 * labels its next execve() takes on (SELinux exec context, AppArmor
 * change_onexec).
 */
int lsm_set_exec_labels(const struct lsm_plan *plan, hutch_error *err);

/*
 * Mount data with the SELinux context option added for the file systems
 * that take it (tmpfs, devpts): a new string in *out, or NULL in *out when
 * nothing is to be added. Returns -1 without memory.
 */
int lsm_mount_data(const struct lsm_plan *plan, const char *type, const char *data, char **out);

/*
 * The mount label on the root of a new mount whose file system refuses the
 * context option (mqueue); `what` names it in errors.
 */
int lsm_label_mount_root(const struct lsm_plan *plan, const char *path, const char *what,
                         hutch_error *err);

#endif
