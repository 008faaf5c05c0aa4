/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <hutch/cleanup.h>

#ifdef HUTCH_HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "../core/io.h"
#include "log.h"
#include "lsm.h"

static bool selinux_enabled(void)
{
#ifdef HUTCH_HAVE_SELINUX
    return is_selinux_enabled() > 0;
#else
    return false;
#endif
}

static bool apparmor_enabled(void)
{
    char c = 0;
    hutch_autoclose int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);

    return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

static int check_selinux_context(const char *config, const char *member, const char *label,
                                 hutch_error *err)
{
#ifdef HUTCH_HAVE_SELINUX
    if (security_check_context(label) < 0)
        return hutch_error_set(err, EINVAL,
                               "%s: %s: \"%s\" is not a valid context under the loaded SELinux "
                               "policy",
                               config, member, label);
#else
    (void)config, (void)member, (void)label, (void)err;
#endif
    return 0;
}

int lsm_plan_prepare(const struct hutch_runtime *rt, const struct hutch_spec *spec,
                     const char *config, struct lsm_plan *plan, hutch_error *err)
{
    const char *process_label = spec->process != NULL ? spec->process->selinux_label : NULL;
    const char *mount_label = spec->linux_cfg != NULL ? spec->linux_cfg->mount_label : NULL;
    const char *profile = spec->process != NULL ? spec->process->apparmor_profile : NULL;

    memset(plan, 0, sizeof(*plan));
    if (process_label != NULL || mount_label != NULL) {
        if (!selinux_enabled()) {
            runtime_debug(rt, "SELinux is not enabled on this host: labels not applied");
        } else {
            if (process_label != NULL &&
                check_selinux_context(config, "process.selinuxLabel", process_label, err) < 0)
                return -err->code;
            if (mount_label != NULL &&
                check_selinux_context(config, "linux.mountLabel", mount_label, err) < 0)
                return -err->code;
            plan->selinux_label = process_label;
            plan->mount_label = mount_label;
        }
    }
    if (profile != NULL) {
        if (apparmor_enabled())
            plan->apparmor_profile = profile;
        else
            runtime_warn(rt,
                         "%s: process.apparmorProfile \"%s\" ignored: AppArmor is not enabled "
                         "on this host",
                         config, profile);
    }
    return 0;
}

/* Write `value` to our own /proc/thread-self/attr/<name> (the first of `names` that exists). */
static int write_attr(const char *const *names, const char *value, hutch_error *err)
{
    hutch_autoclose int fd = -1;
    const char *const *name;

    for (name = names; *name != NULL; name++) {
        fd = open(*name, O_WRONLY | O_CLOEXEC);
        if (fd >= 0 || errno != ENOENT)
            break;
    }
    if (fd < 0)
        return hutch_error_syscall(err, errno, "open %s", names[0]);
    if (hutch_write_all(fd, value, strlen(value)) < 0)
        return hutch_error_syscall(err, errno, "write %s", *name);
    return 0;
}

int lsm_set_exec_labels(const struct lsm_plan *plan, hutch_error *err)
{
    static const char *const selinux_attr[] = { "/proc/thread-self/attr/exec", NULL };
    static const char *const apparmor_attr[] = { "/proc/thread-self/attr/apparmor/exec",
                                                 "/proc/thread-self/attr/exec", NULL };

    if (plan->selinux_label != NULL && write_attr(selinux_attr, plan->selinux_label, err) < 0)
        return hutch_error_wrap(err, "process.selinuxLabel: set \"%s\"", plan->selinux_label);
    if (plan->apparmor_profile != NULL) {
        hutch_autofree char *change = NULL;
        if (asprintf(&change, "exec %s", plan->apparmor_profile) < 0) {
            change = NULL;
            return hutch_error_set(err, ENOMEM, "out of memory");
        }
        if (write_attr(apparmor_attr, change, err) < 0)
            return hutch_error_wrap(err, "process.apparmorProfile: \"%s\"%s",
                                    plan->apparmor_profile,
                                    err->code == ENOENT ? " is not loaded" : "");
    }
    return 0;
}

int lsm_mount_data(const struct lsm_plan *plan, const char *type, const char *data, char **out)
{
    *out = NULL;
    if (plan == NULL || plan->mount_label == NULL || type == NULL ||
        (strcmp(type, "tmpfs") != 0 && strcmp(type, "devpts") != 0))
        return 0;
    if (asprintf(out, "%s%scontext=\"%s\"", data != NULL ? data : "",
                 data != NULL && data[0] != '\0' ? "," : "", plan->mount_label) < 0) {
        *out = NULL;
        return -1;
    }
    return 0;
}

int lsm_label_mount_root(const struct lsm_plan *plan, const char *path, const char *what,
                         hutch_error *err)
{
    if (plan == NULL || plan->mount_label == NULL)
        return 0;
    if (setxattr(path, "security.selinux", plan->mount_label, strlen(plan->mount_label) + 1, 0) < 0)
        return hutch_error_syscall(err, errno, "linux.mountLabel: label %s \"%s\"", what,
                                   plan->mount_label);
    return 0;
}
