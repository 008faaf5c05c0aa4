/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>

#include <hutch/cleanup.h>
#include <hutch/spec.h>

#include "../core/io.h"
#include "decoder.h"
#include "json_tree.h"
#include "release.h"
#include "schema.h"

int hutch_spec_parse(const char *data, size_t len, const char *origin, struct hutch_spec **out,
                     hutch_error *err)
{
    struct decoder d = { .origin = origin, .path = STRBUF_INIT, .err = err };
    struct json_node *tree = NULL;
    struct hutch_spec *spec = NULL;
    int ret;

    if (len > HUTCH_SPEC_MAX_SIZE)
        return hutch_error_set(err, EFBIG, "%s: larger than %u bytes", origin, HUTCH_SPEC_MAX_SIZE);
    ret = json_tree_parse(data, len, origin, &tree, err);
    if (ret < 0)
        return ret;
    if (tree->type != JSON_OBJECT)
        ret = hutch_error_set(err, EINVAL, "%s: expected an object at the top level, found %s",
                              origin, json_type_name(tree->type));
    else
        ret = decode_value(&d, &spec_root_type, tree, &spec);
    json_tree_free(tree);
    strbuf_release(&d.path);
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
