/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the config.json parser (hutch_spec_parse).
 *
 * For every input:
 * - refused: the code is negative and the message is one non-empty line
 *   that starts with the origin, "config.json";
 * - accepted: parse -> emit -> parse -> emit succeeds and both emitted
 *   documents are the same text.
 * Any other outcome calls abort(). Everything is freed, so LeakSanitizer
 * reports leaks on both paths.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hutch/error.h>
#include <hutch/spec.h>

#define ORIGIN "config.json"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const hutch_error *err)
{
    fprintf(stderr, "fuzz_spec: %s", what);
    if (err != NULL)
        fprintf(stderr, " (code %d): %s", err->code, hutch_error_message(err));
    fputc('\n', stderr);
    abort();
}

static void check_refusal(int ret, const struct hutch_spec *spec, const hutch_error *err)
{
    const char *msg = hutch_error_message(err);

    if (ret >= 0)
        fail("parse failed with a non-negative code", err);
    if (spec != NULL)
        fail("parse failed but set the output", err);
    if (msg == NULL || msg[0] == '\0')
        fail("parse failed with an empty message", err);
    if (strchr(msg, '\n') != NULL)
        fail("error message contains a newline", err);
    if (strncmp(msg, ORIGIN, strlen(ORIGIN)) != 0)
        fail("error message does not start with the origin", err);
    if (err->code <= 0 || ret != -err->code)
        fail("return value does not match the error code", err);
}

static void check_round_trip(const struct hutch_spec *first)
{
    hutch_error err = HUTCH_ERROR_INIT;
    struct hutch_spec *second = NULL;
    char *out = NULL, *again = NULL;
    size_t out_len = 0, again_len = 0;

    if (hutch_spec_to_json(first, &out, &out_len, &err) < 0 || out == NULL)
        fail("cannot emit a parsed config", &err);
    if (strlen(out) != out_len)
        fail("emitted length does not match the text", NULL);
    if (hutch_spec_parse(out, out_len, ORIGIN, &second, &err) < 0 || second == NULL) {
        fprintf(stderr, "emitted:\n%s\n", out);
        fail("the emitted config does not parse", &err);
    }
    if (hutch_spec_to_json(second, &again, &again_len, &err) < 0 || again == NULL)
        fail("cannot emit the reparsed config", &err);
    if (out_len != again_len || memcmp(out, again, out_len) != 0) {
        fprintf(stderr, "first emit:\n%s\nsecond emit:\n%s\n", out, again);
        fail("parse/emit is not stable", NULL);
    }
    free(again);
    hutch_spec_free(second);
    free(out);
    hutch_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hutch_error err = HUTCH_ERROR_INIT;
    struct hutch_spec *spec = NULL;
    int ret;

    ret = hutch_spec_parse((const char *)data, size, ORIGIN, &spec, &err);
    if (ret == 0) {
        if (spec == NULL)
            fail("parse succeeded without a config", NULL);
        if (hutch_error_is_set(&err))
            fail("parse succeeded but set the error", &err);
        check_round_trip(spec);
        hutch_spec_free(spec);
    } else {
        check_refusal(ret, spec, &err);
    }
    hutch_error_clear(&err);
    return 0;
}
