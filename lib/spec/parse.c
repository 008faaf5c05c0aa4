/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/cleanup.h>
#include <hutch/spec.h>

#include "../core/io.h"
#include "decoder.h"
#include "json_tree.h"
#include "release.h"
#include "schema.h"

/*
 * Parse `data` as JSON and decode its top-level object as `type` into `slot`;
 * `prefix` names that object in messages ("process"), NULL for none.
 */
static int decode_document(const char *data, size_t len, const char *origin,
                           const struct value_type *type, const char *prefix, void *slot,
                           hutch_error *err)
{
    struct decoder d = { .origin = origin, .path = STRBUF_INIT, .err = err };
    struct json_node *tree = NULL;
    int ret;

    if (len > HUTCH_SPEC_MAX_SIZE)
        return hutch_error_set(err, EFBIG, "%s: larger than %u bytes", origin, HUTCH_SPEC_MAX_SIZE);
    ret = json_tree_parse(data, len, origin, &tree, err);
    if (ret < 0)
        return ret;
    if (tree->type != JSON_OBJECT) {
        ret = hutch_error_set(err, EINVAL, "%s: expected an object at the top level, found %s",
                              origin, json_type_name(tree->type));
    } else {
        /* "linux.resources": one key at a time, so that paths read linux.resources.memory */
        for (const char *k = prefix; k != NULL && *k != '\0';) {
            size_t klen = strcspn(k, ".");
            char key[32];
            snprintf(key, sizeof(key), "%.*s", (int)klen, k);
            decoder_push_key(&d, key);
            k += klen + (k[klen] == '.');
        }
        ret = decode_value(&d, type, tree, slot);
    }
    json_tree_free(tree);
    strbuf_release(&d.path);
    return ret;
}

int hutch_spec_parse(const char *data, size_t len, const char *origin, struct hutch_spec **out,
                     hutch_error *err)
{
    struct hutch_spec *spec = NULL;
    int ret;

    ret = decode_document(data, len, origin, &spec_root_type, NULL, &spec, err);
    if (ret == 0)
        ret = hutch_spec_validate(spec, origin, err);
    if (ret < 0) {
        hutch_spec_free(spec);
        return ret;
    }
    *out = spec;
    return 0;
}

int hutch_spec_load(const char *path, struct hutch_spec **out, hutch_error *err)
{
    hutch_autofree char *data = NULL;
    size_t len = 0;
    int ret;

    ret = hutch_read_file(path, HUTCH_SPEC_MAX_SIZE, &data, &len, err);
    if (ret < 0)
        return ret;
    return hutch_spec_parse(data, len, path, out, err);
}

int hutch_spec_process_parse(const char *data, size_t len, const char *origin,
                             struct hutch_spec_process **out, hutch_error *err)
{
    struct hutch_spec_process *process = NULL;
    int ret;

    /* named as in config.json, so that messages read the same */
    ret = decode_document(data, len, origin, &spec_process_type, "process", &process, err);
    if (ret == 0)
        ret = spec_validate_process(process, origin, err);
    if (ret < 0) {
        hutch_spec_process_free(process);
        return ret;
    }
    *out = process;
    return 0;
}

int hutch_spec_process_load(const char *path, struct hutch_spec_process **out, hutch_error *err)
{
    hutch_autofree char *data = NULL;
    size_t len = 0;
    int ret;

    ret = hutch_read_file(path, HUTCH_SPEC_MAX_SIZE, &data, &len, err);
    if (ret < 0)
        return ret;
    return hutch_spec_process_parse(data, len, path, out, err);
}

void hutch_spec_process_free(struct hutch_spec_process *process)
{
    release_value(&spec_process_type, &process);
}

int hutch_spec_resources_parse(const char *data, size_t len, const char *origin,
                               struct hutch_spec_resources **out, hutch_error *err)
{
    struct hutch_spec_resources *resources = NULL;
    int ret;

    ret = decode_document(data, len, origin, &spec_resources_type, "linux.resources", &resources,
                          err);
    if (ret == 0)
        ret = spec_validate_resources(resources, origin, err);
    if (ret < 0) {
        hutch_spec_resources_free(resources);
        return ret;
    }
    *out = resources;
    return 0;
}

void hutch_spec_resources_free(struct hutch_spec_resources *resources)
{
    release_value(&spec_resources_type, &resources);
}
