/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/spec.h>

#include "../core/atomic_file.h"
#include "../core/json_writer.h"
#include "schema.h"

static void emit_value(struct json_writer *w, const struct value_type *type, const void *slot);

/* Whether a field is written: absent values are left out, required ones never. */
static bool is_present(const struct value_type *type, unsigned flags, const void *slot)
{
    struct raw_array arr;

    switch (type->kind) {
    case V_STRING:
        return *(char *const *)slot != NULL;
    case V_BOOL:
        return *(const bool *)slot || (flags & F_REQUIRED);
    case V_OPT_BOOL:
        return ((const hutch_opt_bool *)slot)->set;
    case V_INT:
        /* every hutch_opt_* starts with its `set` flag */
        return !type->optional || *(const bool *)slot;
    case V_OBJECT:
        return *(void *const *)slot != NULL;
    case V_INLINE:
        return true;
    case V_ARRAY:
    case V_MAP:
        raw_array_get(slot, &arr);
        return arr.n > 0 || (flags & F_REQUIRED);
    default:
        return false;
    }
}

static void emit_fields(struct json_writer *w, const struct field *fields, const char *base)
{
    json_writer_begin_object(w);
    for (const struct field *f = fields; f->name != NULL; f++) {
        const void *slot = base + f->offset;
        if (!is_present(f->type, f->flags, slot))
            continue;
        json_writer_key(w, f->name);
        emit_value(w, f->type, slot);
    }
    json_writer_end_object(w);
}

static void emit_int(struct json_writer *w, const struct value_type *type, const void *slot)
{
#define LOAD(opt_type, c_type)                                                                     \
    (type->optional ? ((const opt_type *)slot)->value : *(const c_type *)slot)
    switch (type->int_kind) {
    case I_U16:
        json_writer_uint(w, LOAD(hutch_opt_u16, uint16_t));
        break;
    case I_I32:
        json_writer_int(w, LOAD(hutch_opt_i32, int32_t));
        break;
    case I_U32:
        json_writer_uint(w, LOAD(hutch_opt_u32, uint32_t));
        break;
    case I_I64:
        json_writer_int(w, LOAD(hutch_opt_i64, int64_t));
        break;
    case I_U64:
    default:
        json_writer_uint(w, LOAD(hutch_opt_u64, uint64_t));
        break;
    }
#undef LOAD
}

static void emit_value(struct json_writer *w, const struct value_type *type, const void *slot)
{
    struct raw_array arr;

    switch (type->kind) {
    case V_STRING:
        json_writer_string(w, *(char *const *)slot);
        break;
    case V_BOOL:
        json_writer_bool(w, *(const bool *)slot);
        break;
    case V_OPT_BOOL:
        json_writer_bool(w, ((const hutch_opt_bool *)slot)->value);
        break;
    case V_INT:
        emit_int(w, type, slot);
        break;
    case V_OBJECT:
        emit_fields(w, type->object, *(const char *const *)slot);
        break;
    case V_INLINE:
        emit_fields(w, type->object, slot);
        break;
    case V_ARRAY:
        raw_array_get(slot, &arr);
        json_writer_begin_array(w);
        for (size_t i = 0; i < arr.n; i++)
            emit_value(w, type->elem, (const char *)arr.items + i * type->elem_size);
        json_writer_end_array(w);
        break;
    case V_MAP:
        raw_array_get(slot, &arr);
        json_writer_begin_object(w);
        for (size_t i = 0; i < arr.n; i++) {
            const char *entry = (const char *)arr.items + i * type->elem_size;
            json_writer_key(w, *(char *const *)entry);
            emit_value(w, type->elem, entry + type->value_offset);
        }
        json_writer_end_object(w);
        break;
    default:
        break;
    }
}

int hutch_spec_to_json(const struct hutch_spec *spec, char **out, size_t *len, hutch_error *err)
{
    struct json_writer w;

    json_writer_init(&w, true);
    emit_fields(&w, spec_root_type.object, (const char *)spec);
    if (json_writer_finish(&w, out, len, err) < 0)
        return hutch_error_wrap(err, "write configuration");
    return 0;
}

int hutch_spec_save(const struct hutch_spec *spec, const char *path, unsigned flags,
                    hutch_error *err)
{
    char *json = NULL;
    size_t len = 0;
    int ret;

    ret = hutch_spec_to_json(spec, &json, &len, err);
    if (ret < 0)
        return ret;
    ret = hutch_atomic_write_file(path, json, len, 0644,
                                  (flags & HUTCH_SPEC_SAVE_NOREPLACE) ? HUTCH_ATOMIC_NOREPLACE : 0,
                                  err);
    free(json);
    return ret;
}
