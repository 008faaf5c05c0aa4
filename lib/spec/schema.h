/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shape of config.json, described once as data. Each object of the spec
 * has a table of fields (JSON name, offset in its C struct, value type); the
 * generic walkers in decode.c, emit.c and release.c follow these tables, so
 * parsing, writing and freeing cannot drift apart field by field.
 */
#ifndef HUTCH_SPEC_SCHEMA_H
#define HUTCH_SPEC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <hutch/error.h>

struct decoder;

enum value_kind {
    V_STRING,   /* char * */
    V_BOOL,     /* bool */
    V_OPT_BOOL, /* hutch_opt_bool */
    V_INT,      /* an integer of `int_kind`, plain or hutch_opt_* */
    V_OBJECT,   /* pointer to a struct of `object` fields (NULL when absent) */
    V_INLINE,   /* a struct of `object` fields embedded in place */
    V_ARRAY,    /* HUTCH_ARRAY of `elem` values, `elem_size` bytes each */
    V_MAP,      /* HUTCH_ARRAY of entries: char *key first, then the value `elem` */
};

enum int_kind {
    I_U16,
    I_I32,
    I_U32,
    I_I64,
    I_U64,
};

/* Checks a decoded string; returns < 0 after decoder_fail() when it is refused. */
typedef int (*string_check)(struct decoder *d, const char *value);

struct field;

struct value_type {
    enum value_kind kind;
    /* V_INT */
    enum int_kind int_kind;
    bool optional; /* stored as hutch_opt_* */
    /* V_STRING: allowed values (NULL-terminated) and the word for an unknown one */
    const char *const *allowed;
    const char *allowed_what; /* "capability": unknown capability "X"; NULL: list them */
    string_check check;
    /* V_OBJECT, V_INLINE, V_MAP entries */
    const struct field *object;
    size_t object_size;
    /* V_ARRAY, V_MAP */
    const struct value_type *elem;
    size_t elem_size;
    /* V_MAP: where the value sits in an entry (0 for V_INLINE values, whose
     * field offsets count from the entry start), and a check of the keys */
    size_t value_offset;
    string_check key_check;
};

enum field_flags {
    F_REQUIRED = 1 << 0,
};

struct field {
    const char *name; /* NULL ends a table */
    size_t offset;
    const struct value_type *type;
    unsigned flags;
};

/* The root of config.json, and its process object. */
extern const struct value_type spec_root_type;
extern const struct value_type spec_process_type;
extern const struct value_type spec_resources_type;

/* The cross-field rules of a process object (validate.c). */
int spec_validate_resources(const struct hutch_spec_resources *r, const char *origin,
                            hutch_error *err);
int spec_validate_process(const struct hutch_spec_process *p, const char *origin, hutch_error *err);

/* Array slots are HUTCH_ARRAY(T) with any T; they are read and written through this view. */
struct raw_array {
    void *items;
    size_t n;
};

void raw_array_get(const void *slot, struct raw_array *out);
void raw_array_set(void *slot, const struct raw_array *value);

#endif
