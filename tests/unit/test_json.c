/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON writer (lib/core) and the JSON tree parser (lib/spec). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/cleanup.h>

#include "core/json_writer.h"
#include "spec/json_tree.h"
#include "unit.h"

static char *finish(struct json_writer *w)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *out = NULL;

    ck_assert_msg(json_writer_finish(w, &out, NULL, &err) == 0, "%s", hutch_error_message(&err));
    return out;
}

static void expect_misuse(struct json_writer *w, const char *what)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char *out = NULL;

    ck_assert_int_eq(json_writer_finish(w, &out, NULL, &err), -EINVAL);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(hutch_error_message(&err), what));
}

START_TEST(writer_compact_document)
{
    struct json_writer w;
    hutch_autofree char *out = NULL;

    json_writer_init(&w, false);
    json_writer_begin_object(&w);
    json_writer_key(&w, "a");
    json_writer_int(&w, -5);
    json_writer_key(&w, "b");
    json_writer_begin_array(&w);
    json_writer_uint(&w, 18446744073709551615u);
    json_writer_bool(&w, true);
    json_writer_null(&w);
    json_writer_string(&w, "x");
    json_writer_end_array(&w);
    json_writer_key(&w, "c");
    json_writer_begin_object(&w);
    json_writer_end_object(&w);
    json_writer_end_object(&w);
    out = finish(&w);
    ck_assert_str_eq(out, "{\"a\":-5,\"b\":[18446744073709551615,true,null,\"x\"],\"c\":{}}");
}
END_TEST

START_TEST(writer_pretty_document)
{
    struct json_writer w;
    hutch_autofree char *out = NULL;

    json_writer_init(&w, true);
    json_writer_begin_object(&w);
    json_writer_key(&w, "k");
    json_writer_begin_array(&w);
    json_writer_int(&w, 1);
    json_writer_end_array(&w);
    json_writer_key(&w, "e");
    json_writer_begin_array(&w);
    json_writer_end_array(&w);
    json_writer_end_object(&w);
    out = finish(&w);
    ck_assert_str_eq(out, "{\n\t\"k\": [\n\t\t1\n\t],\n\t\"e\": []\n}\n");
}
END_TEST

START_TEST(writer_string_lists)
{
    static const char *const list[] = { "a", "b\"", NULL };
    static const char *const empty[] = { NULL };
    struct json_writer w;
    hutch_autofree char *out = NULL;

    json_writer_init(&w, false);
    json_writer_begin_array(&w);
    json_writer_strings(&w, list);
    json_writer_strings(&w, empty);
    json_writer_end_array(&w);
    out = finish(&w);
    ck_assert_str_eq(out, "[[\"a\",\"b\\\"\"],[]]");
}
END_TEST

START_TEST(writer_escapes_strings)
{
    struct json_writer w;
    hutch_autofree char *out = NULL;

    json_writer_init(&w, false);
    json_writer_string(&w, "q\"b\\n\nt\tc\x01 d\x7f \xc3\xa9");
    out = finish(&w);
    ck_assert_str_eq(out, "\"q\\\"b\\\\n\\nt\\tc\\u0001 d\\u007f \xc3\xa9\"");
}
END_TEST

START_TEST(writer_refuses_invalid_utf8)
{
    struct json_writer w;

    json_writer_init(&w, false);
    json_writer_string(&w, "bad \xff byte");
    expect_misuse(&w, "not valid UTF-8");
    json_writer_init(&w, false);
    json_writer_string(&w, "overlong \xc0\xaf");
    expect_misuse(&w, "not valid UTF-8");
    json_writer_init(&w, false);
    json_writer_string(&w, "surrogate \xed\xa0\x80");
    expect_misuse(&w, "not valid UTF-8");
}
END_TEST

START_TEST(writer_detects_misuse)
{
    struct json_writer w;

    json_writer_init(&w, false);
    json_writer_begin_object(&w);
    json_writer_int(&w, 1);
    json_writer_end_object(&w);
    expect_misuse(&w, "without a key");

    json_writer_init(&w, false);
    json_writer_begin_array(&w);
    expect_misuse(&w, "incomplete");

    json_writer_init(&w, false);
    json_writer_begin_array(&w);
    json_writer_end_object(&w);
    expect_misuse(&w, "unbalanced");

    json_writer_init(&w, false);
    json_writer_key(&w, "k");
    expect_misuse(&w, "key outside");

    json_writer_init(&w, false);
    json_writer_int(&w, 1);
    json_writer_int(&w, 2);
    expect_misuse(&w, "more than one");

    json_writer_init(&w, false);
    expect_misuse(&w, "incomplete");

    json_writer_init(&w, false);
    for (int i = 0; i < JSON_WRITER_MAX_DEPTH + 1; i++)
        json_writer_begin_array(&w);
    expect_misuse(&w, "too deep");
}
END_TEST

static struct json_node *parse_ok(const char *text)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct json_node *node = NULL;

    ck_assert_msg(json_tree_parse(text, strlen(text), "t.json", &node, &err) == 0, "%s",
                  hutch_error_message(&err));
    return node;
}

static void parse_fails(const char *text, size_t len, const char *message)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct json_node *node = NULL;

    ck_assert_int_eq(json_tree_parse(text, len, "t.json", &node, &err), -EINVAL);
    ck_assert_ptr_null(node);
    ck_assert_str_eq(hutch_error_message(&err), message);
}

START_TEST(tree_parses_all_types)
{
    struct json_node *n = parse_ok("{\"s\":\"x\\u00e9\",\"n\":-12.5e3,\"t\":true,\"z\":null,"
                                   "\"a\":[1,[2]],\"o\":{}}");
    const struct json_node *a;

    ck_assert_int_eq(n->type, JSON_OBJECT);
    ck_assert_str_eq(json_tree_get(n, "s")->u.string, "x\xc3\xa9");
    ck_assert_str_eq(json_tree_get(n, "n")->u.number, "-12.5e3");
    ck_assert(json_tree_get(n, "t")->u.boolean);
    ck_assert_int_eq(json_tree_get(n, "z")->type, JSON_NULL);
    a = json_tree_get(n, "a");
    ck_assert_int_eq(a->u.array.n, 2);
    ck_assert_int_eq(a->u.array.items[1]->type, JSON_ARRAY);
    ck_assert_int_eq(json_tree_get(n, "o")->u.object.n, 0);
    ck_assert_ptr_null(json_tree_get(n, "missing"));
    json_tree_free(n);
}
END_TEST

START_TEST(tree_duplicate_key_keeps_last)
{
    struct json_node *n = parse_ok("{\"k\":1,\"k\":[2],\"j\":0}");

    ck_assert_int_eq(n->u.object.n, 2);
    ck_assert_int_eq(json_tree_get(n, "k")->type, JSON_ARRAY);
    json_tree_free(n);
}
END_TEST

START_TEST(tree_reports_line_and_column)
{
    parse_fails(
            "{\n  \"a\": 1,\n  \"b\": ]\n}", 21,
            "t.json:3:8: invalid JSON: parse error: unallowed token at this point in JSON text");
}
END_TEST

START_TEST(tree_reports_truncation)
{
    parse_fails("{\"a\": [1, 2", 11, "t.json:1:12: invalid JSON: unexpected end of input");
    parse_fails("", 0, "t.json:1:1: invalid JSON: unexpected end of input");
    /* cut inside an escape or a literal: still the end of input, not a bad character */
    parse_fails("{\"a\": \"x\\u00", 12, "t.json:1:13: invalid JSON: unexpected end of input");
    parse_fails("[tru", 4, "t.json:1:5: invalid JSON: unexpected end of input");
}
END_TEST

START_TEST(tree_refuses_trailing_garbage)
{
    parse_fails("{} {}", 5, "t.json:1:4: invalid JSON: parse error: trailing garbage");
}
END_TEST

START_TEST(tree_refuses_nul_in_strings)
{
    parse_fails("{\"a\":\"x\\u0000y\"}", 16,
                "t.json:1:15: a string contains a NUL character (\\u0000)");
    parse_fails("{\"a\\u0000\":1}", 13, "t.json:1:10: a string contains a NUL character (\\u0000)");
}
END_TEST

START_TEST(tree_refuses_unpaired_surrogates)
{
    parse_fails("[\"\\ud800\"]", 10,
                "t.json:1:3: invalid JSON: a \\u escape is an unpaired UTF-16 surrogate");
    parse_fails("[\"ab\\udc00\"]", 12,
                "t.json:1:5: invalid JSON: a \\u escape is an unpaired UTF-16 surrogate");
    parse_fails("[\"\\ud800\\u0041\"]", 16,
                "t.json:1:3: invalid JSON: a \\u escape is an unpaired UTF-16 surrogate");
}
END_TEST

START_TEST(tree_accepts_surrogate_pairs)
{
    struct json_node *n = parse_ok("[\"\\ud83d\\ude00\", \"\\\\ud800\"]");

    ck_assert_str_eq(n->u.array.items[0]->u.string, "\xf0\x9f\x98\x80");
    ck_assert_str_eq(n->u.array.items[1]->u.string, "\\ud800");
    json_tree_free(n);
}
END_TEST

START_TEST(tree_refuses_overlong_and_surrogate_bytes)
{
    /* yajl lets these through; the tree checks decoded strings itself */
    parse_fails("[\"\xc0\xaf\"]", 6, "t.json:1:5: invalid JSON: a string is not valid UTF-8");
    parse_fails("[\"\xed\xa0\x80\"]", 7, "t.json:1:6: invalid JSON: a string is not valid UTF-8");
    parse_fails("{\"\xc0\xaf\":1}", 8, "t.json:1:5: invalid JSON: a string is not valid UTF-8");
}
END_TEST

START_TEST(tree_refuses_invalid_utf8)
{
    parse_fails("{\"a\":\"\xff\"}", 9,
                "t.json:1:7: invalid JSON: lexical error: invalid bytes in UTF8 string");
}
END_TEST

START_TEST(tree_limits_depth)
{
    char deep[2 * (JSON_TREE_MAX_DEPTH + 1) + 1];
    struct json_node *ok;
    int i;

    for (i = 0; i < JSON_TREE_MAX_DEPTH; i++)
        deep[i] = '[';
    for (int j = 0; j < JSON_TREE_MAX_DEPTH; j++)
        deep[i + j] = ']';
    deep[2 * JSON_TREE_MAX_DEPTH] = '\0';
    ok = parse_ok(deep);
    json_tree_free(ok);

    for (i = 0; i < JSON_TREE_MAX_DEPTH + 1; i++)
        deep[i] = '[';
    for (int j = 0; j < JSON_TREE_MAX_DEPTH + 1; j++)
        deep[i + j] = ']';
    deep[2 * (JSON_TREE_MAX_DEPTH + 1)] = '\0';
    parse_fails(deep, strlen(deep), "t.json:1:65: nesting is deeper than 64 levels");
}
END_TEST

START_TEST(tree_equal_ignores_member_order)
{
    struct json_node *a = parse_ok("{\"x\":[1,{\"p\":true}],\"y\":\"s\"}");
    struct json_node *b = parse_ok("{\"y\":\"s\",\"x\":[1,{\"p\":true}]}");
    struct json_node *c = parse_ok("{\"y\":\"s\",\"x\":[{\"p\":true},1]}");
    struct json_node *d = parse_ok("{\"y\":\"s\",\"x\":[1,{\"p\":true}],\"z\":1}");

    ck_assert(json_tree_equal(a, b));
    ck_assert(!json_tree_equal(a, c));
    ck_assert(!json_tree_equal(a, d));
    ck_assert(!json_tree_equal(d, a));
    json_tree_free(a);
    json_tree_free(b);
    json_tree_free(c);
    json_tree_free(d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("json");

    tcase_add_test(tc, writer_compact_document);
    tcase_add_test(tc, writer_pretty_document);
    tcase_add_test(tc, writer_string_lists);
    tcase_add_test(tc, writer_escapes_strings);
    tcase_add_test(tc, writer_refuses_invalid_utf8);
    tcase_add_test(tc, writer_detects_misuse);
    tcase_add_test(tc, tree_parses_all_types);
    tcase_add_test(tc, tree_duplicate_key_keeps_last);
    tcase_add_test(tc, tree_reports_line_and_column);
    tcase_add_test(tc, tree_reports_truncation);
    tcase_add_test(tc, tree_refuses_trailing_garbage);
    tcase_add_test(tc, tree_refuses_nul_in_strings);
    tcase_add_test(tc, tree_refuses_invalid_utf8);
    tcase_add_test(tc, tree_refuses_unpaired_surrogates);
    tcase_add_test(tc, tree_accepts_surrogate_pairs);
    tcase_add_test(tc, tree_refuses_overlong_and_surrogate_bytes);
    tcase_add_test(tc, tree_limits_depth);
    tcase_add_test(tc, tree_equal_ignores_member_order);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
