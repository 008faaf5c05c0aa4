/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OCI spec model against corpora under tests/data/spec:
 *   valid/     canonical configs: parse, and writing them back gives the same
 *              JSON document (so no field is lost on the way through)
 *   accepted/  configs with unknown fields, nulls, explicit defaults: parse,
 *              and a second parse of what is written gives the same model
 *   invalid/   NAME.json must fail with exactly the message in NAME.err
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/cleanup.h>
#include <hutch/spec.h>

#include "core/io.h"
#include "spec/json_tree.h"
#include "unit.h"

struct corpus {
    const char *dir;
    char **files;
    int n;
};

static struct corpus valid = { .dir = "spec/valid" };
static struct corpus accepted = { .dir = "spec/accepted" };
static struct corpus invalid = { .dir = "spec/invalid" };

static int is_json(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return len > 5 && strcmp(e->d_name + len - 5, ".json") == 0;
}

static void load_corpus(struct corpus *c)
{
    struct dirent **list = NULL;
    char dir[4096];
    int n;

    snprintf(dir, sizeof(dir), "%s", unit_data(c->dir));
    n = scandir(dir, &list, is_json, alphasort);
    if (n < 0) {
        fprintf(stderr, "cannot read corpus %s\n", dir);
        exit(EXIT_FAILURE);
    }
    c->files = calloc((size_t)n + 1, sizeof(char *));
    if (c->files == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(EXIT_FAILURE);
    }
    for (int i = 0; i < n; i++) {
        if (asprintf(&c->files[c->n], "%s/%s", dir, list[i]->d_name) < 0) {
            fprintf(stderr, "out of memory\n");
            exit(EXIT_FAILURE);
        }
        c->n++;
        free(list[i]);
    }
    free(list);
}

static char *read_text(const char *path, size_t *len)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *data = NULL;

    ck_assert_msg(hutch_read_file(path, 1 << 24, &data, len, &err) == 0, "%s",
                  hutch_error_message(&err));
    return data;
}

static struct hutch_spec *parse_or_fail(const char *data, size_t len, const char *name)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_spec *spec = NULL;

    ck_assert_msg(hutch_spec_parse(data, len, "config.json", &spec, &err) == 0, "%s: %s", name,
                  hutch_error_message(&err));
    return spec;
}

static char *emit_or_fail(const struct hutch_spec *spec, size_t *len)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *out = NULL;

    ck_assert_msg(hutch_spec_to_json(spec, &out, len, &err) == 0, "%s", hutch_error_message(&err));
    return out;
}

/* parse -> emit -> parse -> emit: the two documents written are the same text. */
static char *check_stable(const char *data, size_t len, const char *name)
{
    hutch_autospec first = parse_or_fail(data, len, name);
    size_t out_len = 0, again_len = 0;
    char *out = emit_or_fail(first, &out_len);
    hutch_autospec second = parse_or_fail(out, out_len, name);
    hutch_autofree char *again = emit_or_fail(second, &again_len);

    ck_assert_msg(strcmp(out, again) == 0, "%s: parse/emit is not stable", name);
    return out;
}

START_TEST(valid_config_round_trips)
{
    const char *path = valid.files[_i];
    size_t len = 0;
    hutch_autofree char *data = read_text(path, &len);
    hutch_autofree char *out = check_stable(data, len, path);
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct json_node *in_tree = NULL, *out_tree = NULL;

    ck_assert_int_eq(json_tree_parse(data, len, path, &in_tree, &err), 0);
    ck_assert_int_eq(json_tree_parse(out, strlen(out), "emitted", &out_tree, &err), 0);
    ck_assert_msg(json_tree_equal(in_tree, out_tree), "%s: written back differently:\n%s", path,
                  out);
    json_tree_free(in_tree);
    json_tree_free(out_tree);
}
END_TEST

START_TEST(accepted_config_is_stable)
{
    const char *path = accepted.files[_i];
    size_t len = 0;
    hutch_autofree char *data = read_text(path, &len);
    hutch_autofree char *out = check_stable(data, len, path);

    ck_assert_ptr_nonnull(out);
}
END_TEST

START_TEST(invalid_config_gives_expected_message)
{
    const char *path = invalid.files[_i];
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autospec spec = NULL;
    hutch_autofree char *data = NULL;
    hutch_autofree char *expected = NULL;
    char err_path[4096];
    size_t len = 0, n;

    data = read_text(path, &len);
    snprintf(err_path, sizeof(err_path), "%.*s.err", (int)(strlen(path) - 5), path);
    expected = read_text(err_path, NULL);
    n = strlen(expected);
    while (n > 0 && expected[n - 1] == '\n')
        expected[--n] = '\0';
    ck_assert_msg(hutch_spec_parse(data, len, "config.json", &spec, &err) < 0,
                  "%s: parsed, but should fail", path);
    ck_assert_ptr_null(spec);
    ck_assert_msg(strcmp(hutch_error_message(&err), expected) == 0,
                  "%s:\n  expected: %s\n  got:      %s", path, expected, hutch_error_message(&err));
    ck_assert_ptr_null(strchr(hutch_error_message(&err), '\n'));
}
END_TEST

/* ---- the model itself ---- */

static struct hutch_spec *parse_text(const char *text)
{
    return parse_or_fail(text, strlen(text), "inline");
}

static const char minimal[] = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"}}";

START_TEST(fields_land_in_the_model)
{
    hutch_autospec spec = parse_text(
            "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"user\":{\"uid\":1000,\"gid\":4294967295,"
            "\"additionalGids\":[5,6]},\"args\":[\"sh\",\"-c\",\"x\"],\"cwd\":\"/\","
            "\"oomScoreAdj\":-1000,\"capabilities\":{\"ambient\":[\"CAP_KILL\"]}},"
            "\"annotations\":{\"b\":\"2\",\"a\":\"1\"},"
            "\"linux\":{\"resources\":{\"memory\":{\"limit\":-1,\"disableOOMKiller\":false},"
            "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}}},\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
            "\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,"
            "\"hostID\":100000,\"size\":65536}],\"gidMappings\":[{\"containerID\":0,"
            "\"hostID\":100000,\"size\":65536}]}}");

    ck_assert_str_eq(spec->oci_version, "1.0.2-dev");
    ck_assert_ptr_null(spec->root);
    ck_assert_uint_eq(spec->process->user.uid, 1000);
    ck_assert_uint_eq(spec->process->user.gid, 4294967295u);
    ck_assert_uint_eq(spec->process->user.additional_gids.n, 2);
    ck_assert_uint_eq(spec->process->user.additional_gids.items[1], 6);
    ck_assert(!spec->process->user.umask.set);
    ck_assert_uint_eq(spec->process->args.n, 3);
    ck_assert_str_eq(spec->process->args.items[2], "x");
    ck_assert(spec->process->oom_score_adj.set);
    ck_assert_int_eq(spec->process->oom_score_adj.value, -1000);
    ck_assert_uint_eq(spec->process->capabilities->ambient.n, 1);
    ck_assert_uint_eq(spec->process->capabilities->bounding.n, 0);
    ck_assert_uint_eq(spec->annotations.n, 2);
    ck_assert_str_eq(spec->annotations.items[0].key, "b");
    ck_assert_str_eq(spec->annotations.items[1].value, "1");
    ck_assert(spec->linux_cfg->resources->memory->limit.set);
    ck_assert_int_eq(spec->linux_cfg->resources->memory->limit.value, -1);
    ck_assert(spec->linux_cfg->resources->memory->disable_oom_killer.set);
    ck_assert(!spec->linux_cfg->resources->memory->disable_oom_killer.value);
    ck_assert(!spec->linux_cfg->resources->memory->swap.set);
    ck_assert_ptr_null(spec->linux_cfg->resources->cpu);
    ck_assert_str_eq(spec->linux_cfg->resources->rdma.items[0].device, "mlx5_1");
    ck_assert_uint_eq(spec->linux_cfg->resources->rdma.items[0].hca_handles.value, 3);
    ck_assert(!spec->linux_cfg->resources->rdma.items[0].hca_objects.set);
    ck_assert_str_eq(spec->linux_cfg->sysctl.items[0].key, "net.ipv4.ip_forward");
    ck_assert_uint_eq(spec->linux_cfg->uid_mappings.items[0].size, 65536);
}
END_TEST

START_TEST(unknown_fields_and_nulls_are_ignored)
{
    hutch_autospec spec = parse_text(
            "{\"ociVersion\":\"1.2.0\",\"future\":{\"x\":[1,2]},\"windows\":{\"layerFolders\":[]},"
            "\"root\":{\"path\":\"r\",\"readonly\":null,\"extra\":1},\"process\":null,"
            "\"linux\":{\"intelRdt\":{\"closID\":\"x\"},\"seccomp\":null}}");

    ck_assert_str_eq(spec->root->path, "r");
    ck_assert(!spec->root->readonly);
    ck_assert_ptr_null(spec->process);
    ck_assert_ptr_null(spec->linux_cfg->seccomp);
}
END_TEST

START_TEST(explicit_defaults_write_back_as_absent)
{
    hutch_autospec spec = parse_text("{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\","
                                     "\"readonly\":false},\"mounts\":[]}");
    hutch_autofree char *out = emit_or_fail(spec, NULL);

    ck_assert_ptr_null(strstr(out, "readonly"));
    ck_assert_ptr_null(strstr(out, "mounts"));
}
END_TEST

static int count_mounts_of_type(const struct hutch_spec *spec, const char *type)
{
    int n = 0;

    for (size_t i = 0; i < spec->mounts.n; i++)
        if (spec->mounts.items[i].type != NULL && strcmp(spec->mounts.items[i].type, type) == 0)
            n++;
    return n;
}

START_TEST(default_spec_is_valid_and_stable)
{
    struct hutch_spec_default_options root = { .rootless = false };
    struct hutch_spec_default_options rootless = { .rootless = true, .uid = 1234, .gid = 5678 };
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autospec a = NULL;
    hutch_autospec b = NULL;
    hutch_autofree char *a_json = NULL;
    hutch_autofree char *b_json = NULL;
    hutch_autofree char *again = NULL;

    ck_assert_int_eq(hutch_spec_new_default(&root, &a, &err), 0);
    ck_assert_int_eq(hutch_spec_new_default(&rootless, &b, &err), 0);
    a_json = emit_or_fail(a, NULL);
    b_json = emit_or_fail(b, NULL);
    again = check_stable(a_json, strlen(a_json), "default");
    ck_assert_str_eq(again, a_json);
    free(again);
    again = check_stable(b_json, strlen(b_json), "default rootless");
    ck_assert_str_eq(again, b_json);

    ck_assert_str_eq(a->oci_version, HUTCH_OCI_VERSION);
    ck_assert(a->process->terminal);
    ck_assert_str_eq(a->root->path, "rootfs");
    /* root: network namespace, sysfs mount, no user namespace */
    ck_assert_ptr_nonnull(strstr(a_json, "\"network\""));
    ck_assert_int_eq(count_mounts_of_type(a, "sysfs"), 1);
    ck_assert_ptr_null(strstr(a_json, "\"type\": \"user\""));
    ck_assert_uint_eq(a->linux_cfg->uid_mappings.n, 0);
    /* rootless: user namespace mapping the caller, no network namespace, /sys bound */
    ck_assert_ptr_null(strstr(b_json, "\"network\""));
    ck_assert_ptr_nonnull(strstr(b_json, "\"type\": \"user\""));
    ck_assert_int_eq(count_mounts_of_type(b, "sysfs"), 0);
    ck_assert_ptr_null(strstr(b_json, "gid=5"));
    ck_assert_ptr_nonnull(strstr(b_json, "\"rbind\""));
    ck_assert_uint_eq(b->linux_cfg->uid_mappings.n, 1);
    ck_assert_uint_eq(b->linux_cfg->uid_mappings.items[0].host_id, 1234);
    ck_assert_uint_eq(b->linux_cfg->uid_mappings.items[0].container_id, 0);
    ck_assert_uint_eq(b->linux_cfg->gid_mappings.items[0].host_id, 5678);
    ck_assert_ptr_null(b->linux_cfg->resources);
    /* both carry the default seccomp profile: allow, with the dangerous calls refused */
    ck_assert_str_eq(a->linux_cfg->seccomp->default_action, "SCMP_ACT_ALLOW");
    ck_assert_ptr_nonnull(strstr(a_json, "\"kexec_load\""));
    ck_assert_ptr_nonnull(strstr(b_json, "\"unshare\""));
    ck_assert_ptr_nonnull(b->linux_cfg->seccomp);
}
END_TEST

START_TEST(load_reports_missing_file)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autospec spec = NULL;

    ck_assert_int_eq(hutch_spec_load("/nonexistent/config.json", &spec, &err), -ENOENT);
    ck_assert_str_eq(hutch_error_message(&err),
                     "open /nonexistent/config.json: No such file or directory");
}
END_TEST

START_TEST(load_names_the_file)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autospec spec = NULL;
    char path[4096];

    snprintf(path, sizeof(path), "%s", unit_data("spec/invalid/args-not-string.json"));
    ck_assert_int_eq(hutch_spec_load(path, &spec, &err), -EINVAL);
    ck_assert_msg(strncmp(hutch_error_message(&err), path, strlen(path)) == 0, "%s",
                  hutch_error_message(&err));
}
END_TEST

START_TEST(oversized_document_is_refused)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autospec spec = NULL;

    ck_assert_int_eq(
            hutch_spec_parse(minimal, (size_t)HUTCH_SPEC_MAX_SIZE + 1, "config.json", &spec, &err),
            -EFBIG);
}
END_TEST

START_TEST(save_refuses_overwrite)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autospec spec = parse_text(minimal);
    hutch_autofree char *before = NULL;
    char dir[] = "/tmp/hutch-spec-XXXXXX";
    char path[64], cmd[96];

    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/config.json", dir);
    ck_assert_int_eq(hutch_spec_save(spec, path, HUTCH_SPEC_SAVE_NOREPLACE, &err), 0);
    before = read_text(path, NULL);
    ck_assert_int_eq(hutch_spec_save(spec, path, HUTCH_SPEC_SAVE_NOREPLACE, &err), -EEXIST);
    ck_assert_int_eq(hutch_spec_save(spec, path, 0, &err), 0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(validate_checks_models_built_in_code)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autospec spec = parse_text(minimal);

    ck_assert_int_eq(hutch_spec_validate(spec, "model", &err), 0);
    free(spec->oci_version);
    spec->oci_version = strdup("2.0.0");
    ck_assert_int_eq(hutch_spec_validate(spec, "model", &err), -EINVAL);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), "model: ociVersion"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("spec");
    TCase *corpora = tcase_create("corpora");
    TCase *model = tcase_create("model");

    load_corpus(&valid);
    load_corpus(&accepted);
    load_corpus(&invalid);
    tcase_add_loop_test(corpora, valid_config_round_trips, 0, valid.n);
    tcase_add_loop_test(corpora, accepted_config_is_stable, 0, accepted.n);
    tcase_add_loop_test(corpora, invalid_config_gives_expected_message, 0, invalid.n);
    tcase_set_timeout(corpora, 60);
    suite_add_tcase(s, corpora);

    tcase_add_test(model, fields_land_in_the_model);
    tcase_add_test(model, unknown_fields_and_nulls_are_ignored);
    tcase_add_test(model, explicit_defaults_write_back_as_absent);
    tcase_add_test(model, default_spec_is_valid_and_stable);
    tcase_add_test(model, load_reports_missing_file);
    tcase_add_test(model, load_names_the_file);
    tcase_add_test(model, oversized_document_is_refused);
    tcase_add_test(model, save_refuses_overwrite);
    tcase_add_test(model, validate_checks_models_built_in_code);
    suite_add_tcase(s, model);
    return unit_run(s);
}
