/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The features document of runtime-spec (features.md, features-linux.md):
 * what config.json may ask of this runtime. Built from the tables the parser
 * and the runtime use, so that it cannot drift from what they accept.
 */
#include <seccomp.h>
#include <stdio.h>

#include <hutch/runtime.h>
#include <hutch/version.h>

#include "../core/json_writer.h"
#include "../spec/names.h"
#include "mount_options.h"
#include "seccomp.h"

/* The systemd cgroup driver (--systemd-cgroup) is built in with sd-bus's headers. */
#ifdef HUTCH_HAVE_SYSTEMD
#define SYSTEMD_DRIVER true
#else
#define SYSTEMD_DRIVER false
#endif

/*
 * What this version does, in one place to flip as it grows. The document
 * promises support ("the runtime MUST support the elements in this array"),
 * so what create still refuses is not claimed.
 */
static const struct {
    struct {
        bool v1, v2, systemd, systemd_user, rdma;
    } cgroup;
    bool idmap_mounts; /* create refuses mounts[].uidMappings */
    bool intel_rdt;
} supported = {
    /* v2 (cgroupfs); never v1 (limits are refused there) nor rdma */
    .cgroup = { .v2 = true, .systemd = SYSTEMD_DRIVER, .systemd_user = SYSTEMD_DRIVER },
    .idmap_mounts = false,
    .intel_rdt = false,
};

static void write_list(struct json_writer *w, const char *key, const char *const *names)
{
    json_writer_key(w, key);
    json_writer_strings(w, names);
}

static void write_names(struct json_writer *w, const char *key, const char *(*name_at)(size_t))
{
    const char *name;

    json_writer_key(w, key);
    json_writer_begin_array(w);
    for (size_t i = 0; (name = name_at(i)) != NULL; i++)
        json_writer_string(w, name);
    json_writer_end_array(w);
}

static void write_bool(struct json_writer *w, const char *key, bool value)
{
    json_writer_key(w, key);
    json_writer_bool(w, value);
}

/* "key": {"enabled": value} */
static void write_enabled(struct json_writer *w, const char *key, bool value)
{
    json_writer_key(w, key);
    json_writer_begin_object(w);
    write_bool(w, "enabled", value);
    json_writer_end_object(w);
}

static void write_seccomp(struct json_writer *w)
{
    json_writer_key(w, "seccomp");
    json_writer_begin_object(w);
    write_bool(w, "enabled", true);
    write_names(w, "actions", seccomp_action_name);
    write_list(w, "operators", spec_seccomp_operators);
    write_list(w, "archs", spec_seccomp_architectures);
    write_list(w, "knownFlags", spec_seccomp_flags);
    write_names(w, "supportedFlags", seccomp_flag_name);
    json_writer_end_object(w);
}

static void write_linux(struct json_writer *w)
{
    json_writer_key(w, "linux");
    json_writer_begin_object(w);
    write_list(w, "namespaces", spec_namespace_types);
    write_list(w, "capabilities", spec_capability_names);
    json_writer_key(w, "cgroup");
    json_writer_begin_object(w);
    write_bool(w, "v1", supported.cgroup.v1);
    write_bool(w, "v2", supported.cgroup.v2);
    write_bool(w, "systemd", supported.cgroup.systemd);
    write_bool(w, "systemdUser", supported.cgroup.systemd_user);
    write_bool(w, "rdma", supported.cgroup.rdma);
    json_writer_end_object(w);
    write_seccomp(w);
    write_enabled(w, "apparmor", true);
    write_enabled(w, "selinux", hutch_built_with_selinux());
    write_enabled(w, "intelRdt", supported.intel_rdt);
    json_writer_key(w, "mountExtensions");
    json_writer_begin_object(w);
    write_enabled(w, "idmap", supported.idmap_mounts);
    json_writer_end_object(w);
    json_writer_end_object(w);
}

static void write_annotations(struct json_writer *w)
{
    const struct scmp_version *v = seccomp_version();
    char libseccomp[48];

    json_writer_key(w, "annotations");
    json_writer_begin_object(w);
    json_writer_key(w, "io.github.hutch.version");
    json_writer_string(w, hutch_version());
    json_writer_key(w, "io.github.hutch.commit");
    json_writer_string(w, hutch_commit());
    if (v != NULL) {
        snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", v->major, v->minor, v->micro);
        json_writer_key(w, "io.github.hutch.libseccomp.version");
        json_writer_string(w, libseccomp);
    }
    json_writer_end_object(w);
}

int hutch_runtime_features_json(char **out, hutch_error *err)
{
    struct json_writer w;

    json_writer_init(&w, true);
    json_writer_begin_object(&w);
    json_writer_key(&w, "ociVersionMin");
    json_writer_string(&w, "1.0.0");
    json_writer_key(&w, "ociVersionMax");
    json_writer_string(&w, hutch_oci_spec_version());
    write_list(&w, "hooks", spec_hook_kinds);
    write_names(&w, "mountOptions", mount_option_name);
    write_linux(&w);
    write_annotations(&w);
    json_writer_end_object(&w);
    return json_writer_finish(&w, out, NULL, err);
}
