/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include <hutch/spec.h>

#include "release.h"

void raw_array_get(const void *slot, struct raw_array *out)
{
    memcpy(out, slot, sizeof(*out));
}

void raw_array_set(void *slot, const struct raw_array *value)
{
    memcpy(slot, value, sizeof(*value));
}

static void release_fields(const struct field *fields, char *base)
{
    for (const struct field *f = fields; f->name != NULL; f++)
        release_value(f->type, base + f->offset);
}

void release_value(const struct value_type *type, void *slot)
{
    struct raw_array arr;

    switch (type->kind) {
    case V_STRING:
        free(*(char **)slot);
        *(char **)slot = NULL;
        break;
    case V_OBJECT: {
        void **ptr = slot;
        if (*ptr != NULL) {
            release_fields(type->object, *ptr);
            free(*ptr);
            *ptr = NULL;
        }
        break;
    }
    case V_INLINE:
        release_fields(type->object, slot);
        break;
    case V_ARRAY:
    case V_MAP:
        raw_array_get(slot, &arr);
        for (size_t i = 0; i < arr.n; i++) {
            char *entry = (char *)arr.items + i * type->elem_size;
            if (type->kind == V_MAP) {
                free(*(char **)entry);
                release_value(type->elem, entry + type->value_offset);
            } else {
                release_value(type->elem, entry);
            }
        }
        free(arr.items);
        arr.items = NULL;
        arr.n = 0;
        raw_array_set(slot, &arr);
        break;
    case V_BOOL:
    case V_OPT_BOOL:
    case V_INT:
    default:
        break;
    }
}

void hutch_spec_free(struct hutch_spec *spec)
{
    if (spec == NULL)
        return;
    release_fields(spec_root_type.object, (char *)spec);
    free(spec);
}
