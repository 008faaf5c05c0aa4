/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI runtime-spec configuration (config.json) as typed C structs,
 * Linux platform, runtime-spec 1.2.
 *
 * Conventions:
 * - A string is NULL when the property is absent.
 * - An optional object is a pointer, NULL when absent.
 * - An optional number or tri-state boolean is a hutch_opt_* with `set`.
 * - A list is a HUTCH_ARRAY: `items` and `n`; absent and empty are the same.
 * - A JSON map (annotations, sysctl, ...) is a list of entries whose first
 *   member is the key, in the order of the document.
 * - A plain bool is false when absent.
 */
#ifndef HUTCH_SPEC_H
#define HUTCH_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hutch/error.h>
#include <hutch/export.h>

/* The runtime-spec version hutch implements and writes. */
#define HUTCH_OCI_VERSION "1.2.0"

#define HUTCH_ARRAY(type)                                                                          \
    struct {                                                                                       \
        type *items;                                                                               \
        size_t n;                                                                                  \
    }

typedef struct {
    bool set;
    bool value;
} hutch_opt_bool;
typedef struct {
    bool set;
    int32_t value;
} hutch_opt_i32;
typedef struct {
    bool set;
    uint32_t value;
} hutch_opt_u32;
typedef struct {
    bool set;
    uint16_t value;
} hutch_opt_u16;
typedef struct {
    bool set;
    int64_t value;
} hutch_opt_i64;
typedef struct {
    bool set;
    uint64_t value;
} hutch_opt_u64;

typedef HUTCH_ARRAY(char *) hutch_strings;

struct hutch_spec_kv {
    char *key;
    char *value;
};
typedef HUTCH_ARRAY(struct hutch_spec_kv) hutch_spec_map;

struct hutch_spec_idmap {
    uint32_t container_id;
    uint32_t host_id;
    uint32_t size;
};
typedef HUTCH_ARRAY(struct hutch_spec_idmap) hutch_spec_idmaps;

struct hutch_spec_root {
    char *path;
    bool readonly;
};

struct hutch_spec_mount {
    char *destination;
    char *type;
    char *source;
    hutch_strings options;
    hutch_spec_idmaps uid_mappings;
    hutch_spec_idmaps gid_mappings;
};

struct hutch_spec_console_size {
    uint32_t height;
    uint32_t width;
};

struct hutch_spec_user {
    uint32_t uid;
    uint32_t gid;
    hutch_opt_u32 umask;
    HUTCH_ARRAY(uint32_t) additional_gids;
};

struct hutch_spec_capabilities {
    hutch_strings bounding;
    hutch_strings effective;
    hutch_strings inheritable;
    hutch_strings permitted;
    hutch_strings ambient;
};

struct hutch_spec_rlimit {
    char *type; /* "RLIMIT_NOFILE", ... */
    uint64_t hard;
    uint64_t soft;
};

struct hutch_spec_io_priority {
    char *klass; /* "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE" */
    int32_t priority;
};

struct hutch_spec_scheduler {
    char *policy; /* "SCHED_OTHER", ... */
    hutch_opt_i32 nice;
    hutch_opt_i32 priority;
    hutch_strings flags;
    hutch_opt_u64 runtime;
    hutch_opt_u64 deadline;
    hutch_opt_u64 period;
};

struct hutch_spec_process {
    bool terminal;
    struct hutch_spec_console_size *console_size;
    struct hutch_spec_user user;
    hutch_strings args;
    hutch_strings env;
    char *cwd;
    struct hutch_spec_capabilities *capabilities;
    HUTCH_ARRAY(struct hutch_spec_rlimit) rlimits;
    bool no_new_privileges;
    char *apparmor_profile;
    hutch_opt_i32 oom_score_adj;
    char *selinux_label;
    struct hutch_spec_io_priority *io_priority;
    struct hutch_spec_scheduler *scheduler;
};

struct hutch_spec_hook {
    char *path;
    hutch_strings args;
    hutch_strings env;
    hutch_opt_i32 timeout; /* seconds */
};
typedef HUTCH_ARRAY(struct hutch_spec_hook) hutch_spec_hook_list;

struct hutch_spec_hooks {
    hutch_spec_hook_list prestart;
    hutch_spec_hook_list create_runtime;
    hutch_spec_hook_list create_container;
    hutch_spec_hook_list start_container;
    hutch_spec_hook_list poststart;
    hutch_spec_hook_list poststop;
};

struct hutch_spec_namespace {
    char *type; /* "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" */
    char *path;
};

struct hutch_spec_time_offset {
    hutch_opt_i64 secs;
    hutch_opt_u32 nanosecs;
};

struct hutch_spec_time_offsets {
    struct hutch_spec_time_offset *monotonic;
    struct hutch_spec_time_offset *boottime;
};

struct hutch_spec_device {
    char *type; /* "c", "b", "u", "p" */
    char *path;
    hutch_opt_i64 major;
    hutch_opt_i64 minor;
    hutch_opt_u32 file_mode;
    hutch_opt_u32 uid;
    hutch_opt_u32 gid;
};

struct hutch_spec_device_rule {
    bool allow;
    char *type; /* "a", "c", "b"; NULL means all */
    hutch_opt_i64 major;
    hutch_opt_i64 minor;
    char *access; /* some of "rwm" */
};

struct hutch_spec_memory {
    hutch_opt_i64 limit;
    hutch_opt_i64 reservation;
    hutch_opt_i64 swap;
    hutch_opt_i64 kernel;
    hutch_opt_i64 kernel_tcp;
    hutch_opt_u64 swappiness;
    hutch_opt_bool disable_oom_killer;
    hutch_opt_bool use_hierarchy;
    hutch_opt_bool check_before_update;
};

struct hutch_spec_cpu {
    hutch_opt_u64 shares;
    hutch_opt_i64 quota;
    hutch_opt_u64 burst;
    hutch_opt_u64 period;
    hutch_opt_i64 realtime_runtime;
    hutch_opt_u64 realtime_period;
    char *cpus;
    char *mems;
    hutch_opt_i64 idle;
};

struct hutch_spec_weight_device {
    int64_t major;
    int64_t minor;
    hutch_opt_u16 weight;
    hutch_opt_u16 leaf_weight;
};

struct hutch_spec_throttle_device {
    int64_t major;
    int64_t minor;
    uint64_t rate;
};
typedef HUTCH_ARRAY(struct hutch_spec_throttle_device) hutch_spec_throttle_list;

struct hutch_spec_block_io {
    hutch_opt_u16 weight;
    hutch_opt_u16 leaf_weight;
    HUTCH_ARRAY(struct hutch_spec_weight_device) weight_device;
    hutch_spec_throttle_list throttle_read_bps_device;
    hutch_spec_throttle_list throttle_write_bps_device;
    hutch_spec_throttle_list throttle_read_iops_device;
    hutch_spec_throttle_list throttle_write_iops_device;
};

struct hutch_spec_hugepage_limit {
    char *page_size; /* "2MB", "1GB", ... */
    uint64_t limit;
};

struct hutch_spec_net_priority {
    char *name;
    uint32_t priority;
};

struct hutch_spec_network {
    hutch_opt_u32 class_id;
    HUTCH_ARRAY(struct hutch_spec_net_priority) priorities;
};

struct hutch_spec_pids {
    int64_t limit;
};

struct hutch_spec_rdma {
    char *device; /* the map key */
    hutch_opt_u32 hca_handles;
    hutch_opt_u32 hca_objects;
};

struct hutch_spec_resources {
    HUTCH_ARRAY(struct hutch_spec_device_rule) devices;
    struct hutch_spec_memory *memory;
    struct hutch_spec_cpu *cpu;
    struct hutch_spec_pids *pids;
    struct hutch_spec_block_io *block_io;
    HUTCH_ARRAY(struct hutch_spec_hugepage_limit) hugepage_limits;
    struct hutch_spec_network *network;
    HUTCH_ARRAY(struct hutch_spec_rdma) rdma;
    hutch_spec_map unified;
};

struct hutch_spec_seccomp_arg {
    uint32_t index;
    uint64_t value;
    hutch_opt_u64 value_two;
    char *op; /* "SCMP_CMP_EQ", ... */
};

struct hutch_spec_syscall {
    hutch_strings names;
    char *action; /* "SCMP_ACT_ERRNO", ... */
    hutch_opt_u32 errno_ret;
    HUTCH_ARRAY(struct hutch_spec_seccomp_arg) args;
};

struct hutch_spec_seccomp {
    char *default_action;
    hutch_opt_u32 default_errno_ret;
    hutch_strings architectures;
    hutch_strings flags;
    char *listener_path;
    char *listener_metadata;
    HUTCH_ARRAY(struct hutch_spec_syscall) syscalls;
};

struct hutch_spec_personality {
    char *domain; /* "LINUX", "LINUX32" */
    hutch_strings flags;
};

struct hutch_spec_linux {
    HUTCH_ARRAY(struct hutch_spec_namespace) namespaces;
    hutch_spec_idmaps uid_mappings;
    hutch_spec_idmaps gid_mappings;
    struct hutch_spec_time_offsets *time_offsets;
    HUTCH_ARRAY(struct hutch_spec_device) devices;
    char *cgroups_path;
    struct hutch_spec_resources *resources;
    hutch_spec_map sysctl;
    struct hutch_spec_seccomp *seccomp;
    char *rootfs_propagation;
    hutch_strings masked_paths;
    hutch_strings readonly_paths;
    char *mount_label;
    struct hutch_spec_personality *personality;
};

struct hutch_spec {
    char *oci_version;
    struct hutch_spec_root *root;
    HUTCH_ARRAY(struct hutch_spec_mount) mounts;
    struct hutch_spec_process *process;
    char *hostname;
    char *domainname;
    struct hutch_spec_hooks *hooks;
    hutch_spec_map annotations;
    struct hutch_spec_linux *linux_cfg; /* "linux" (a predefined macro in GNU C) */
};

/* Largest config.json hutch reads. */
#define HUTCH_SPEC_MAX_SIZE (16u * 1024 * 1024)

/*
 * Parse and validate a configuration. `origin` names the document in error
 * messages ("config.json", or a path): `<origin>: <json path>: <problem>`
 * for a bad value, `<origin>:<line>:<column>: ...` for malformed JSON.
 */
HUTCH_API int hutch_spec_parse(const char *data, size_t len, const char *origin,
                               struct hutch_spec **out, hutch_error *err);

/* Read, parse and validate the file at `path`. */
HUTCH_API int hutch_spec_load(const char *path, struct hutch_spec **out, hutch_error *err);

/* Check the cross-field rules of a model built in code (parse does this itself). */
HUTCH_API int hutch_spec_validate(const struct hutch_spec *spec, const char *origin,
                                  hutch_error *err);

/* The configuration as pretty-printed JSON (NUL-terminated, heap-allocated). */
HUTCH_API int hutch_spec_to_json(const struct hutch_spec *spec, char **out, size_t *len,
                                 hutch_error *err);

enum hutch_spec_save_flags {
    HUTCH_SPEC_SAVE_NOREPLACE = 1 << 0, /* refuse to overwrite an existing file */
};

/* Write the configuration to `path` atomically. */
HUTCH_API int hutch_spec_save(const struct hutch_spec *spec, const char *path, unsigned flags,
                              hutch_error *err);

struct hutch_spec_default_options {
    bool rootless; /* user namespace mapping uid/gid, no network namespace, /sys bound */
    uint32_t uid;  /* host ids mapped to 0 when rootless */
    uint32_t gid;
};

/* The default configuration that `hutch-oci spec` writes. */
HUTCH_API int hutch_spec_new_default(const struct hutch_spec_default_options *options,
                                     struct hutch_spec **out, hutch_error *err);

HUTCH_API void hutch_spec_free(struct hutch_spec *spec);

/*
 * A process object alone, as `hutch-oci exec --process FILE` takes it (the
 * "process" member of a configuration, runc's process.json): parsed and
 * checked by the rules of config.json; messages name members process.*.
 */
HUTCH_API int hutch_spec_process_parse(const char *data, size_t len, const char *origin,
                                       struct hutch_spec_process **out, hutch_error *err);
HUTCH_API int hutch_spec_process_load(const char *path, struct hutch_spec_process **out,
                                      hutch_error *err);
HUTCH_API void hutch_spec_process_free(struct hutch_spec_process *process);

/*
 * A linux.resources object alone, as `hutch-oci update --resources FILE`
 * takes it: parsed and checked by the rules of config.json; messages name
 * members linux.resources.*.
 */
HUTCH_API int hutch_spec_resources_parse(const char *data, size_t len, const char *origin,
                                         struct hutch_spec_resources **out, hutch_error *err);
HUTCH_API void hutch_spec_resources_free(struct hutch_spec_resources *resources);

static inline void hutch_spec_freep(struct hutch_spec **spec)
{
    hutch_spec_free(*spec);
}

#define hutch_autospec __attribute__((cleanup(hutch_spec_freep))) struct hutch_spec *

#endif
