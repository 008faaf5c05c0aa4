/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.json, runtime-spec 1.2, Linux: one table per object. Field order
 * is the order of the written document. Checks that need one value only
 * live here; rules across fields live in validate.c.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include <hutch/spec.h>

#include "decoder.h"
#include "names.h"
#include "schema.h"

/* clang-format off */
#define FIELD(json, st, member, type)     {json, offsetof(st, member), &(type), 0}
#define REQUIRED(json, st, member, type)  {json, offsetof(st, member), &(type), F_REQUIRED}
#define END                               {NULL, 0, NULL, 0}
/* clang-format on */

/* ---- checks of single values ---- */

static int check_absolute_path(struct decoder *d, const char *value)
{
    char quoted[SPEC_QUOTE_SIZE];

    if (value[0] != '/')
        return decoder_fail(d, "expected an absolute path, found %s",
                            spec_quote(quoted, sizeof(quoted), value));
    return 0;
}

static int check_not_empty(struct decoder *d, const char *value)
{
    if (value[0] == '\0')
        return decoder_fail(d, "expected a non-empty string");
    return 0;
}

static int check_device_access(struct decoder *d, const char *value)
{
    char quoted[SPEC_QUOTE_SIZE];

    for (const char *p = value; *p != '\0'; p++)
        if (strchr("rwm", *p) == NULL || strchr(p + 1, *p) != NULL)
            return decoder_fail(d, "expected some of the letters r, w, m (each once), found %s",
                                spec_quote(quoted, sizeof(quoted), value));
    return 0;
}

/* "<digits><K|M|G|T|P>B", as hugetlb page sizes are named. */
static int check_page_size(struct decoder *d, const char *value)
{
    char quoted[SPEC_QUOTE_SIZE];
    const char *p = value;

    while (isdigit((unsigned char)*p))
        p++;
    if (p == value || p[0] == '\0' || strchr("KMGTP", p[0]) == NULL || p[1] != 'B' || p[2] != '\0')
        return decoder_fail(d, "expected a page size such as 2MB or 1GB, found %s",
                            spec_quote(quoted, sizeof(quoted), value));
    return 0;
}

static int check_annotation_key(struct decoder *d, const char *key)
{
    if (key[0] == '\0')
        return decoder_fail(d, "an annotation key must not be empty");
    return 0;
}

/* A cgroup interface file name: "controller.file", never a path. */
static int check_unified_key(struct decoder *d, const char *key)
{
    if (key[0] == '\0' || strchr(key, '/') != NULL || strstr(key, "..") != NULL ||
        strchr(key, '.') == NULL || key[0] == '.')
        return decoder_fail(d, "expected a cgroup file name such as \"memory.high\"");
    return 0;
}

/* A sysctl name, with dots or slashes, that stays inside /proc/sys. */
static int check_sysctl_key(struct decoder *d, const char *key)
{
    if (key[0] == '\0' || key[0] == '/' || key[0] == '.' || strstr(key, "..") != NULL ||
        strstr(key, "//") != NULL)
        return decoder_fail(d, "expected a sysctl name such as \"net.ipv4.ip_forward\"");
    return 0;
}

/* ---- value types ---- */

static const struct value_type t_string = { .kind = V_STRING };
static const struct value_type t_nonempty = { .kind = V_STRING, .check = check_not_empty };
static const struct value_type t_abs_path = { .kind = V_STRING, .check = check_absolute_path };
static const struct value_type t_bool = { .kind = V_BOOL };
static const struct value_type t_opt_bool = { .kind = V_OPT_BOOL };
static const struct value_type t_u32 = { .kind = V_INT, .int_kind = I_U32 };
static const struct value_type t_i32 = { .kind = V_INT, .int_kind = I_I32 };
static const struct value_type t_i64 = { .kind = V_INT, .int_kind = I_I64 };
static const struct value_type t_u64 = { .kind = V_INT, .int_kind = I_U64 };
static const struct value_type t_opt_u16 = { .kind = V_INT, .int_kind = I_U16, .optional = true };
static const struct value_type t_opt_i32 = { .kind = V_INT, .int_kind = I_I32, .optional = true };
static const struct value_type t_opt_u32 = { .kind = V_INT, .int_kind = I_U32, .optional = true };
static const struct value_type t_opt_i64 = { .kind = V_INT, .int_kind = I_I64, .optional = true };
static const struct value_type t_opt_u64 = { .kind = V_INT, .int_kind = I_U64, .optional = true };

/* clang-format off */
#define ENUM(list) {.kind = V_STRING, .allowed = (list)}
#define NAMED(list, what) {.kind = V_STRING, .allowed = (list), .allowed_what = (what)}
#define ARRAY_OF(elem_type, c_type) {.kind = V_ARRAY, .elem = &(elem_type), .elem_size = sizeof(c_type)}
#define OBJECT(fields, c_type) {.kind = V_OBJECT, .object = (fields), .object_size = sizeof(c_type)}
#define INLINE(fields) {.kind = V_INLINE, .object = (fields)}
#define STRING_MAP(check) {.kind = V_MAP, .elem = &t_string, .elem_size = sizeof(struct hutch_spec_kv), \
                           .value_offset = offsetof(struct hutch_spec_kv, value), .key_check = (check)}
/* clang-format on */

static const struct value_type t_strings = ARRAY_OF(t_string, char *);
static const struct value_type t_abs_paths = ARRAY_OF(t_abs_path, char *);
static const struct value_type t_nonempty_strings = ARRAY_OF(t_nonempty, char *);
static const struct value_type t_u32s = ARRAY_OF(t_u32, uint32_t);

static const struct value_type t_annotations_map = STRING_MAP(check_annotation_key);
static const struct value_type t_sysctl_map = STRING_MAP(check_sysctl_key);
static const struct value_type t_unified_map = STRING_MAP(check_unified_key);

/* ---- id mappings (linux and mounts) ---- */

static const struct field idmap_fields[] = {
    REQUIRED("containerID", struct hutch_spec_idmap, container_id, t_u32),
    REQUIRED("hostID", struct hutch_spec_idmap, host_id, t_u32),
    REQUIRED("size", struct hutch_spec_idmap, size, t_u32),
    END,
};
static const struct value_type t_idmap = INLINE(idmap_fields);
static const struct value_type t_idmaps = ARRAY_OF(t_idmap, struct hutch_spec_idmap);

/* ---- root and mounts ---- */

static const struct field root_fields[] = {
    REQUIRED("path", struct hutch_spec_root, path, t_nonempty),
    FIELD("readonly", struct hutch_spec_root, readonly, t_bool),
    END,
};

static const struct field mount_fields[] = {
    REQUIRED("destination", struct hutch_spec_mount, destination, t_nonempty),
    FIELD("type", struct hutch_spec_mount, type, t_string),
    FIELD("source", struct hutch_spec_mount, source, t_string),
    FIELD("options", struct hutch_spec_mount, options, t_strings),
    FIELD("uidMappings", struct hutch_spec_mount, uid_mappings, t_idmaps),
    FIELD("gidMappings", struct hutch_spec_mount, gid_mappings, t_idmaps),
    END,
};
static const struct value_type t_mount = INLINE(mount_fields);

/* ---- process ---- */

static const struct field console_size_fields[] = {
    REQUIRED("height", struct hutch_spec_console_size, height, t_u32),
    REQUIRED("width", struct hutch_spec_console_size, width, t_u32),
    END,
};

static const struct field user_fields[] = {
    REQUIRED("uid", struct hutch_spec_user, uid, t_u32),
    REQUIRED("gid", struct hutch_spec_user, gid, t_u32),
    FIELD("umask", struct hutch_spec_user, umask, t_opt_u32),
    FIELD("additionalGids", struct hutch_spec_user, additional_gids, t_u32s),
    END,
};

static const struct value_type t_capability = NAMED(spec_capability_names, "capability");
static const struct value_type t_capabilities = ARRAY_OF(t_capability, char *);

static const struct field capabilities_fields[] = {
    FIELD("bounding", struct hutch_spec_capabilities, bounding, t_capabilities),
    FIELD("effective", struct hutch_spec_capabilities, effective, t_capabilities),
    FIELD("inheritable", struct hutch_spec_capabilities, inheritable, t_capabilities),
    FIELD("permitted", struct hutch_spec_capabilities, permitted, t_capabilities),
    FIELD("ambient", struct hutch_spec_capabilities, ambient, t_capabilities),
    END,
};

static const struct value_type t_rlimit_type = NAMED(spec_rlimit_names, "rlimit");
static const struct field rlimit_fields[] = {
    REQUIRED("type", struct hutch_spec_rlimit, type, t_rlimit_type),
    REQUIRED("hard", struct hutch_spec_rlimit, hard, t_u64),
    REQUIRED("soft", struct hutch_spec_rlimit, soft, t_u64),
    END,
};
static const struct value_type t_rlimit = INLINE(rlimit_fields);

static const struct value_type t_io_class = ENUM(spec_io_priority_classes);
static const struct field io_priority_fields[] = {
    REQUIRED("class", struct hutch_spec_io_priority, klass, t_io_class),
    REQUIRED("priority", struct hutch_spec_io_priority, priority, t_i32),
    END,
};

static const struct value_type t_sched_policy = ENUM(spec_scheduler_policies);
static const struct value_type t_sched_flag = NAMED(spec_scheduler_flags, "scheduler flag");
static const struct value_type t_sched_flags = ARRAY_OF(t_sched_flag, char *);
static const struct field scheduler_fields[] = {
    REQUIRED("policy", struct hutch_spec_scheduler, policy, t_sched_policy),
    FIELD("nice", struct hutch_spec_scheduler, nice, t_opt_i32),
    FIELD("priority", struct hutch_spec_scheduler, priority, t_opt_i32),
    FIELD("flags", struct hutch_spec_scheduler, flags, t_sched_flags),
    FIELD("runtime", struct hutch_spec_scheduler, runtime, t_opt_u64),
    FIELD("deadline", struct hutch_spec_scheduler, deadline, t_opt_u64),
    FIELD("period", struct hutch_spec_scheduler, period, t_opt_u64),
    END,
};

static const struct value_type t_console_size =
        OBJECT(console_size_fields, struct hutch_spec_console_size);
static const struct value_type t_user = INLINE(user_fields);
static const struct value_type t_capability_sets =
        OBJECT(capabilities_fields, struct hutch_spec_capabilities);
static const struct value_type t_rlimits = ARRAY_OF(t_rlimit, struct hutch_spec_rlimit);
static const struct value_type t_io_priority =
        OBJECT(io_priority_fields, struct hutch_spec_io_priority);
static const struct value_type t_scheduler = OBJECT(scheduler_fields, struct hutch_spec_scheduler);

static const struct field process_fields[] = {
    FIELD("terminal", struct hutch_spec_process, terminal, t_bool),
    FIELD("consoleSize", struct hutch_spec_process, console_size, t_console_size),
    REQUIRED("user", struct hutch_spec_process, user, t_user),
    FIELD("args", struct hutch_spec_process, args, t_strings),
    FIELD("env", struct hutch_spec_process, env, t_strings),
    REQUIRED("cwd", struct hutch_spec_process, cwd, t_abs_path),
    FIELD("capabilities", struct hutch_spec_process, capabilities, t_capability_sets),
    FIELD("rlimits", struct hutch_spec_process, rlimits, t_rlimits),
    FIELD("noNewPrivileges", struct hutch_spec_process, no_new_privileges, t_bool),
    FIELD("apparmorProfile", struct hutch_spec_process, apparmor_profile, t_string),
    FIELD("oomScoreAdj", struct hutch_spec_process, oom_score_adj, t_opt_i32),
    FIELD("selinuxLabel", struct hutch_spec_process, selinux_label, t_string),
    FIELD("ioPriority", struct hutch_spec_process, io_priority, t_io_priority),
    FIELD("scheduler", struct hutch_spec_process, scheduler, t_scheduler),
    END,
};

/* ---- hooks ---- */

static const struct field hook_fields[] = {
    REQUIRED("path", struct hutch_spec_hook, path, t_abs_path),
    FIELD("args", struct hutch_spec_hook, args, t_strings),
    FIELD("env", struct hutch_spec_hook, env, t_strings),
    FIELD("timeout", struct hutch_spec_hook, timeout, t_opt_i32),
    END,
};
static const struct value_type t_hook = INLINE(hook_fields);
static const struct value_type t_hooks = ARRAY_OF(t_hook, struct hutch_spec_hook);

static const struct field hooks_fields[] = {
    FIELD("prestart", struct hutch_spec_hooks, prestart, t_hooks),
    FIELD("createRuntime", struct hutch_spec_hooks, create_runtime, t_hooks),
    FIELD("createContainer", struct hutch_spec_hooks, create_container, t_hooks),
    FIELD("startContainer", struct hutch_spec_hooks, start_container, t_hooks),
    FIELD("poststart", struct hutch_spec_hooks, poststart, t_hooks),
    FIELD("poststop", struct hutch_spec_hooks, poststop, t_hooks),
    END,
};

/* ---- linux: namespaces, devices, time ---- */

static const struct value_type t_namespace_type = ENUM(spec_namespace_types);
static const struct field namespace_fields[] = {
    REQUIRED("type", struct hutch_spec_namespace, type, t_namespace_type),
    FIELD("path", struct hutch_spec_namespace, path, t_abs_path),
    END,
};
static const struct value_type t_namespace = INLINE(namespace_fields);

static const struct field time_offset_fields[] = {
    FIELD("secs", struct hutch_spec_time_offset, secs, t_opt_i64),
    FIELD("nanosecs", struct hutch_spec_time_offset, nanosecs, t_opt_u32),
    END,
};
static const struct value_type t_time_offset =
        OBJECT(time_offset_fields, struct hutch_spec_time_offset);
static const struct field time_offsets_fields[] = {
    FIELD("monotonic", struct hutch_spec_time_offsets, monotonic, t_time_offset),
    FIELD("boottime", struct hutch_spec_time_offsets, boottime, t_time_offset),
    END,
};

static const struct value_type t_device_type = ENUM(spec_device_types);
static const struct field device_fields[] = {
    REQUIRED("type", struct hutch_spec_device, type, t_device_type),
    REQUIRED("path", struct hutch_spec_device, path, t_abs_path),
    FIELD("major", struct hutch_spec_device, major, t_opt_i64),
    FIELD("minor", struct hutch_spec_device, minor, t_opt_i64),
    FIELD("fileMode", struct hutch_spec_device, file_mode, t_opt_u32),
    FIELD("uid", struct hutch_spec_device, uid, t_opt_u32),
    FIELD("gid", struct hutch_spec_device, gid, t_opt_u32),
    END,
};
static const struct value_type t_device = INLINE(device_fields);

/* ---- linux.resources ---- */

static const struct value_type t_device_rule_type = ENUM(spec_device_rule_types);
static const struct value_type t_device_access = { .kind = V_STRING, .check = check_device_access };
static const struct field device_rule_fields[] = {
    REQUIRED("allow", struct hutch_spec_device_rule, allow, t_bool),
    FIELD("type", struct hutch_spec_device_rule, type, t_device_rule_type),
    FIELD("major", struct hutch_spec_device_rule, major, t_opt_i64),
    FIELD("minor", struct hutch_spec_device_rule, minor, t_opt_i64),
    FIELD("access", struct hutch_spec_device_rule, access, t_device_access),
    END,
};
static const struct value_type t_device_rule = INLINE(device_rule_fields);

static const struct field memory_fields[] = {
    FIELD("limit", struct hutch_spec_memory, limit, t_opt_i64),
    FIELD("reservation", struct hutch_spec_memory, reservation, t_opt_i64),
    FIELD("swap", struct hutch_spec_memory, swap, t_opt_i64),
    FIELD("kernel", struct hutch_spec_memory, kernel, t_opt_i64),
    FIELD("kernelTCP", struct hutch_spec_memory, kernel_tcp, t_opt_i64),
    FIELD("swappiness", struct hutch_spec_memory, swappiness, t_opt_u64),
    FIELD("disableOOMKiller", struct hutch_spec_memory, disable_oom_killer, t_opt_bool),
    FIELD("useHierarchy", struct hutch_spec_memory, use_hierarchy, t_opt_bool),
    FIELD("checkBeforeUpdate", struct hutch_spec_memory, check_before_update, t_opt_bool),
    END,
};

static const struct field cpu_fields[] = {
    FIELD("shares", struct hutch_spec_cpu, shares, t_opt_u64),
    FIELD("quota", struct hutch_spec_cpu, quota, t_opt_i64),
    FIELD("burst", struct hutch_spec_cpu, burst, t_opt_u64),
    FIELD("period", struct hutch_spec_cpu, period, t_opt_u64),
    FIELD("realtimeRuntime", struct hutch_spec_cpu, realtime_runtime, t_opt_i64),
    FIELD("realtimePeriod", struct hutch_spec_cpu, realtime_period, t_opt_u64),
    FIELD("cpus", struct hutch_spec_cpu, cpus, t_string),
    FIELD("mems", struct hutch_spec_cpu, mems, t_string),
    FIELD("idle", struct hutch_spec_cpu, idle, t_opt_i64),
    END,
};

static const struct field pids_fields[] = {
    REQUIRED("limit", struct hutch_spec_pids, limit, t_i64),
    END,
};

static const struct field weight_device_fields[] = {
    REQUIRED("major", struct hutch_spec_weight_device, major, t_i64),
    REQUIRED("minor", struct hutch_spec_weight_device, minor, t_i64),
    FIELD("weight", struct hutch_spec_weight_device, weight, t_opt_u16),
    FIELD("leafWeight", struct hutch_spec_weight_device, leaf_weight, t_opt_u16),
    END,
};
static const struct value_type t_weight_device = INLINE(weight_device_fields);

static const struct field throttle_fields[] = {
    REQUIRED("major", struct hutch_spec_throttle_device, major, t_i64),
    REQUIRED("minor", struct hutch_spec_throttle_device, minor, t_i64),
    REQUIRED("rate", struct hutch_spec_throttle_device, rate, t_u64),
    END,
};
static const struct value_type t_throttle = INLINE(throttle_fields);
static const struct value_type t_throttles =
        ARRAY_OF(t_throttle, struct hutch_spec_throttle_device);

static const struct value_type t_weight_devices =
        ARRAY_OF(t_weight_device, struct hutch_spec_weight_device);
static const struct field block_io_fields[] = {
    FIELD("weight", struct hutch_spec_block_io, weight, t_opt_u16),
    FIELD("leafWeight", struct hutch_spec_block_io, leaf_weight, t_opt_u16),
    FIELD("weightDevice", struct hutch_spec_block_io, weight_device, t_weight_devices),
    FIELD("throttleReadBpsDevice", struct hutch_spec_block_io, throttle_read_bps_device,
          t_throttles),
    FIELD("throttleWriteBpsDevice", struct hutch_spec_block_io, throttle_write_bps_device,
          t_throttles),
    FIELD("throttleReadIOPSDevice", struct hutch_spec_block_io, throttle_read_iops_device,
          t_throttles),
    FIELD("throttleWriteIOPSDevice", struct hutch_spec_block_io, throttle_write_iops_device,
          t_throttles),
    END,
};

static const struct value_type t_page_size = { .kind = V_STRING, .check = check_page_size };
static const struct field hugepage_fields[] = {
    REQUIRED("pageSize", struct hutch_spec_hugepage_limit, page_size, t_page_size),
    REQUIRED("limit", struct hutch_spec_hugepage_limit, limit, t_u64),
    END,
};
static const struct value_type t_hugepage = INLINE(hugepage_fields);

static const struct field net_priority_fields[] = {
    REQUIRED("name", struct hutch_spec_net_priority, name, t_nonempty),
    REQUIRED("priority", struct hutch_spec_net_priority, priority, t_u32),
    END,
};
static const struct value_type t_net_priority = INLINE(net_priority_fields);
static const struct value_type t_net_priorities =
        ARRAY_OF(t_net_priority, struct hutch_spec_net_priority);
static const struct field network_fields[] = {
    FIELD("classID", struct hutch_spec_network, class_id, t_opt_u32),
    FIELD("priorities", struct hutch_spec_network, priorities, t_net_priorities),
    END,
};

static const struct field rdma_fields[] = {
    FIELD("hcaHandles", struct hutch_spec_rdma, hca_handles, t_opt_u32),
    FIELD("hcaObjects", struct hutch_spec_rdma, hca_objects, t_opt_u32),
    END,
};
static const struct value_type t_rdma_limits = INLINE(rdma_fields);
static const struct value_type t_rdma_map = { .kind = V_MAP,
                                              .elem = &t_rdma_limits,
                                              .elem_size = sizeof(struct hutch_spec_rdma),
                                              .value_offset = 0 };

static const struct value_type t_device_rules =
        ARRAY_OF(t_device_rule, struct hutch_spec_device_rule);
static const struct value_type t_memory = OBJECT(memory_fields, struct hutch_spec_memory);
static const struct value_type t_cpu = OBJECT(cpu_fields, struct hutch_spec_cpu);
static const struct value_type t_pids = OBJECT(pids_fields, struct hutch_spec_pids);
static const struct value_type t_block_io = OBJECT(block_io_fields, struct hutch_spec_block_io);
static const struct value_type t_hugepages = ARRAY_OF(t_hugepage, struct hutch_spec_hugepage_limit);
static const struct value_type t_network = OBJECT(network_fields, struct hutch_spec_network);

static const struct field resources_fields[] = {
    FIELD("devices", struct hutch_spec_resources, devices, t_device_rules),
    FIELD("memory", struct hutch_spec_resources, memory, t_memory),
    FIELD("cpu", struct hutch_spec_resources, cpu, t_cpu),
    FIELD("pids", struct hutch_spec_resources, pids, t_pids),
    FIELD("blockIO", struct hutch_spec_resources, block_io, t_block_io),
    FIELD("hugepageLimits", struct hutch_spec_resources, hugepage_limits, t_hugepages),
    FIELD("network", struct hutch_spec_resources, network, t_network),
    FIELD("rdma", struct hutch_spec_resources, rdma, t_rdma_map),
    FIELD("unified", struct hutch_spec_resources, unified, t_unified_map),
    END,
};

/* ---- linux.seccomp ---- */

static const struct value_type t_seccomp_action = ENUM(spec_seccomp_actions);
static const struct value_type t_seccomp_op = ENUM(spec_seccomp_operators);
static const struct value_type t_seccomp_arch =
        NAMED(spec_seccomp_architectures, "seccomp architecture");
static const struct value_type t_seccomp_flag = ENUM(spec_seccomp_flags);

static const struct field seccomp_arg_fields[] = {
    REQUIRED("index", struct hutch_spec_seccomp_arg, index, t_u32),
    REQUIRED("value", struct hutch_spec_seccomp_arg, value, t_u64),
    FIELD("valueTwo", struct hutch_spec_seccomp_arg, value_two, t_opt_u64),
    REQUIRED("op", struct hutch_spec_seccomp_arg, op, t_seccomp_op),
    END,
};
static const struct value_type t_seccomp_arg = INLINE(seccomp_arg_fields);
static const struct value_type t_seccomp_args =
        ARRAY_OF(t_seccomp_arg, struct hutch_spec_seccomp_arg);

static const struct field syscall_fields[] = {
    REQUIRED("names", struct hutch_spec_syscall, names, t_nonempty_strings),
    REQUIRED("action", struct hutch_spec_syscall, action, t_seccomp_action),
    FIELD("errnoRet", struct hutch_spec_syscall, errno_ret, t_opt_u32),
    FIELD("args", struct hutch_spec_syscall, args, t_seccomp_args),
    END,
};
static const struct value_type t_syscall = INLINE(syscall_fields);

static const struct value_type t_seccomp_archs = ARRAY_OF(t_seccomp_arch, char *);
static const struct value_type t_seccomp_flags = ARRAY_OF(t_seccomp_flag, char *);
static const struct value_type t_syscalls = ARRAY_OF(t_syscall, struct hutch_spec_syscall);
static const struct field seccomp_fields[] = {
    REQUIRED("defaultAction", struct hutch_spec_seccomp, default_action, t_seccomp_action),
    FIELD("defaultErrnoRet", struct hutch_spec_seccomp, default_errno_ret, t_opt_u32),
    FIELD("architectures", struct hutch_spec_seccomp, architectures, t_seccomp_archs),
    FIELD("flags", struct hutch_spec_seccomp, flags, t_seccomp_flags),
    FIELD("listenerPath", struct hutch_spec_seccomp, listener_path, t_abs_path),
    FIELD("listenerMetadata", struct hutch_spec_seccomp, listener_metadata, t_string),
    FIELD("syscalls", struct hutch_spec_seccomp, syscalls, t_syscalls),
    END,
};

/* ---- linux ---- */

static const struct value_type t_personality_domain = ENUM(spec_personality_domains);
static const struct value_type t_personality_flag =
        NAMED(spec_personality_flags, "personality flag");
static const struct value_type t_personality_flags = ARRAY_OF(t_personality_flag, char *);
static const struct field personality_fields[] = {
    REQUIRED("domain", struct hutch_spec_personality, domain, t_personality_domain),
    FIELD("flags", struct hutch_spec_personality, flags, t_personality_flags),
    END,
};

static const struct value_type t_propagation = ENUM(spec_propagation_modes);
static const struct value_type t_namespaces = ARRAY_OF(t_namespace, struct hutch_spec_namespace);
static const struct value_type t_time_offsets =
        OBJECT(time_offsets_fields, struct hutch_spec_time_offsets);
static const struct value_type t_devices = ARRAY_OF(t_device, struct hutch_spec_device);
const struct value_type spec_resources_type = OBJECT(resources_fields, struct hutch_spec_resources);
#define t_resources spec_resources_type
static const struct value_type t_seccomp = OBJECT(seccomp_fields, struct hutch_spec_seccomp);
static const struct value_type t_personality =
        OBJECT(personality_fields, struct hutch_spec_personality);

static const struct field linux_fields[] = {
    FIELD("namespaces", struct hutch_spec_linux, namespaces, t_namespaces),
    FIELD("uidMappings", struct hutch_spec_linux, uid_mappings, t_idmaps),
    FIELD("gidMappings", struct hutch_spec_linux, gid_mappings, t_idmaps),
    FIELD("timeOffsets", struct hutch_spec_linux, time_offsets, t_time_offsets),
    FIELD("devices", struct hutch_spec_linux, devices, t_devices),
    FIELD("cgroupsPath", struct hutch_spec_linux, cgroups_path, t_string),
    FIELD("resources", struct hutch_spec_linux, resources, t_resources),
    FIELD("sysctl", struct hutch_spec_linux, sysctl, t_sysctl_map),
    FIELD("seccomp", struct hutch_spec_linux, seccomp, t_seccomp),
    FIELD("rootfsPropagation", struct hutch_spec_linux, rootfs_propagation, t_propagation),
    FIELD("maskedPaths", struct hutch_spec_linux, masked_paths, t_abs_paths),
    FIELD("readonlyPaths", struct hutch_spec_linux, readonly_paths, t_abs_paths),
    FIELD("mountLabel", struct hutch_spec_linux, mount_label, t_string),
    FIELD("personality", struct hutch_spec_linux, personality, t_personality),
    END,
};

/* ---- the document ---- */

static const struct value_type t_root = OBJECT(root_fields, struct hutch_spec_root);
static const struct value_type t_mounts = ARRAY_OF(t_mount, struct hutch_spec_mount);
const struct value_type spec_process_type = OBJECT(process_fields, struct hutch_spec_process);
#define t_process spec_process_type
static const struct value_type t_hook_sets = OBJECT(hooks_fields, struct hutch_spec_hooks);
static const struct value_type t_linux = OBJECT(linux_fields, struct hutch_spec_linux);

static const struct field spec_fields[] = {
    REQUIRED("ociVersion", struct hutch_spec, oci_version, t_string),
    FIELD("root", struct hutch_spec, root, t_root),
    FIELD("mounts", struct hutch_spec, mounts, t_mounts),
    FIELD("process", struct hutch_spec, process, t_process),
    FIELD("hostname", struct hutch_spec, hostname, t_string),
    FIELD("domainname", struct hutch_spec, domainname, t_string),
    FIELD("hooks", struct hutch_spec, hooks, t_hook_sets),
    FIELD("annotations", struct hutch_spec, annotations, t_annotations_map),
    FIELD("linux", struct hutch_spec, linux_cfg, t_linux),
    END,
};

const struct value_type spec_root_type = OBJECT(spec_fields, struct hutch_spec);
