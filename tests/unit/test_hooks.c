/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hutch/cleanup.h>
#include <hutch/runtime.h>

#include "core/io.h"
#include "runtime/hooks.h"
#include "unit.h"

static char out_dir[] = "/tmp/hutch-test-hooks.XXXXXX";

static void make_out_dir(void)
{
    ck_assert_ptr_nonnull(mkdtemp(out_dir));
}

static void remove_out_dir(void)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", out_dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A hooks object with `n` hooks of one kind, each /bin/sh -c SCRIPT. */
struct sh_hooks {
    struct hutch_spec_hooks hooks;
    struct hutch_spec_hook items[4];
    char *args[4][3];
};

static void sh_hook(struct sh_hooks *h, size_t i, const char *script, int32_t timeout)
{
    h->args[i][0] = (char *)"sh";
    h->args[i][1] = (char *)"-c";
    h->args[i][2] = (char *)script;
    h->items[i] = (struct hutch_spec_hook){ .path = (char *)"/bin/sh",
                                            .args = { h->args[i], 3 },
                                            .timeout = { timeout > 0, timeout } };
}

static const hutch_spec_map no_annotations = { NULL, 0 };

static struct hutch_container_state test_state(void)
{
    return hooks_state("c1", "/bundle", &no_annotations, HUTCH_STATUS_CREATING, 42);
}

static char *read_out(const char *name)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    char path[256];
    char *data = NULL;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", out_dir, name);
    if (hutch_read_file(path, 1 << 24, &data, &len, &err) < 0)
        return NULL;
    return data;
}

START_TEST(state_on_stdin_args_and_env_as_given)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_container_state state = test_state();
    char script[512];
    char *args[] = { (char *)"my-argv0", (char *)"-c", script, (char *)"x", (char *)"two words" };
    char *env[] = { (char *)"A=b c", (char *)"EMPTY=" };
    struct hutch_spec_hook hook = { .path = (char *)"/bin/sh",
                                    .args = { args, 5 },
                                    .env = { env, 2 } };
    struct hutch_spec_hooks hooks = { .create_runtime = { &hook, 1 } };
    hutch_autofree char *in = NULL, *argv = NULL, *environ_ = NULL;

    make_out_dir();
    snprintf(script, sizeof(script),
             "cat >%1$s/in; tr '\\0' '\\n' </proc/self/cmdline >%1$s/argv; "
             "tr '\\0' '\\n' </proc/self/environ >%1$s/env",
             out_dir);
    ck_assert_int_eq(hooks_run(&hooks, HOOK_CREATE_RUNTIME, &state, &err), 0);
    in = read_out("in");
    argv = read_out("argv");
    environ_ = read_out("env");
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(strstr(in, "\"id\": \"c1\""));
    ck_assert_ptr_nonnull(strstr(in, "\"status\": \"creating\""));
    ck_assert_ptr_nonnull(strstr(in, "\"pid\": 42"));
    ck_assert_ptr_nonnull(strstr(in, "\"bundle\": \"/bundle\""));
    ck_assert_ptr_nonnull(argv);
    ck_assert(strncmp(argv, "my-argv0\n-c\n", 12) == 0);
    ck_assert_ptr_nonnull(strstr(argv, "\nx\ntwo words\n"));
    ck_assert_str_eq(environ_, "A=b c\nEMPTY=\n");
    remove_out_dir();
}
END_TEST

START_TEST(without_args_or_env)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_container_state state = test_state();
    char path[128], script[256];
    struct hutch_spec_hook hook = { .path = path };
    struct hutch_spec_hooks hooks = { .poststart = { &hook, 1 } };
    hutch_autofree char *environ_ = NULL;
    FILE *f;

    make_out_dir();
    snprintf(path, sizeof(path), "%s/hook", out_dir);
    snprintf(script, sizeof(script), "#!/bin/sh\ntr '\\0' '\\n' </proc/self/environ >%s/env\n",
             out_dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(script, f);
    fclose(f);
    ck_assert_int_eq(chmod(path, 0755), 0);
    ck_assert_int_eq(hooks_run(&hooks, HOOK_POSTSTART, &state, &err), 0);
    environ_ = read_out("env");
    ck_assert_ptr_nonnull(environ_);
    ck_assert_str_eq(environ_, "");
    remove_out_dir();
}
END_TEST

START_TEST(failures_name_the_hook)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_container_state state = test_state();
    struct sh_hooks h = { 0 };
    struct hutch_spec_hook missing = { .path = (char *)"/nonexistent/hook" };

    sh_hook(&h, 0, "exit 0", 0);
    sh_hook(&h, 1, "exit 3", 0);
    h.hooks.create_runtime = (hutch_spec_hook_list){ h.items, 2 };
    ck_assert_int_eq(hooks_run(&h.hooks, HOOK_CREATE_RUNTIME, &state, &err), -ECANCELED);
    ck_assert_str_eq(hutch_error_message(&err),
                     "hooks.createRuntime[1] /bin/sh: exited with status 3");

    sh_hook(&h, 0, "kill -TERM $$", 0);
    h.hooks.prestart = (hutch_spec_hook_list){ h.items, 1 };
    ck_assert_int_eq(hooks_run(&h.hooks, HOOK_PRESTART, &state, &err), -ECANCELED);
    ck_assert_str_eq(hutch_error_message(&err), "hooks.prestart[0] /bin/sh: killed by SIGTERM");

    h.hooks.poststart = (hutch_spec_hook_list){ &missing, 1 };
    ck_assert_int_eq(hooks_run(&h.hooks, HOOK_POSTSTART, &state, &err), -ENOENT);
    ck_assert_str_eq(hutch_error_message(&err),
                     "hooks.poststart[0] /nonexistent/hook: exec: No such file or directory");
}
END_TEST

START_TEST(a_hook_past_its_timeout_is_killed)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_container_state state = test_state();
    struct sh_hooks h = { 0 };
    struct timespec t0, t1;

    sh_hook(&h, 0, "exec sleep 10", 1);
    h.hooks.create_container = (hutch_spec_hook_list){ h.items, 1 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(hooks_run(&h.hooks, HOOK_CREATE_CONTAINER, &state, &err), -ETIMEDOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_str_eq(hutch_error_message(&err),
                     "hooks.createContainer[0] /bin/sh: did not exit within 1 s: killed");
    ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 3);
}
END_TEST

/* startContainer hooks poll for the exit (no pidfd after the seccomp filter): also timely */
START_TEST(start_container_hooks_without_pidfd)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    struct hutch_container_state state = test_state();
    struct sh_hooks h = { 0 };

    sh_hook(&h, 0, "exit 0", 0);
    sh_hook(&h, 1, "exec sleep 10", 1);
    h.hooks.start_container = (hutch_spec_hook_list){ h.items, 2 };
    ck_assert_int_eq(hooks_run(&h.hooks, HOOK_START_CONTAINER, &state, &err), -ETIMEDOUT);
    ck_assert_str_eq(hutch_error_message(&err),
                     "hooks.startContainer[1] /bin/sh: did not exit within 1 s: killed");
}
END_TEST

/* A large state that the hook never reads: no SIGPIPE for us, no blocking, mask restored. */
START_TEST(an_unread_large_state_is_no_problem)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_autofree char *big = malloc(1 << 20);
    struct hutch_spec_kv kv = { (char *)"big", big };
    hutch_spec_map annotations = { &kv, 1 };
    struct hutch_container_state state =
            hooks_state("c1", "/bundle", &annotations, HUTCH_STATUS_RUNNING, 42);
    struct sh_hooks h = { 0 };
    sigset_t mask, pending;

    ck_assert_ptr_nonnull(big);
    memset(big, 'x', (1 << 20) - 1);
    big[(1 << 20) - 1] = '\0';
    sh_hook(&h, 0, "exec true", 5);
    sh_hook(&h, 1, "exec 0<&-; sleep 0.2", 5);
    h.hooks.poststart = (hutch_spec_hook_list){ h.items, 2 };
    ck_assert_int_eq(hooks_run(&h.hooks, HOOK_POSTSTART, &state, &err), 0);
    sigprocmask(SIG_SETMASK, NULL, &mask);
    ck_assert(!sigismember(&mask, SIGPIPE));
    sigpending(&pending);
    ck_assert(!sigismember(&pending, SIGPIPE));
}
END_TEST

static char warnings[1024];

static void record_warning(void *data, enum hutch_log_level level, const char *message)
{
    (void)data;
    if (level == HUTCH_LOG_WARNING) {
        strncat(warnings, message, sizeof(warnings) - strlen(warnings) - 2);
        strcat(warnings, "\n");
    }
}

START_TEST(poststop_runs_every_hook_and_warns)
{
    struct hutch_runtime rt = { .log = record_warning };
    struct sh_hooks h = { 0 };
    char script[256];
    hutch_autofree char *in = NULL;

    make_out_dir();
    snprintf(script, sizeof(script), "cat >%s/in", out_dir);
    sh_hook(&h, 0, "exit 5", 0);
    sh_hook(&h, 1, script, 0);
    sh_hook(&h, 2, "exit 6", 0);
    h.hooks.poststop = (hutch_spec_hook_list){ h.items, 3 };
    warnings[0] = '\0';
    hooks_run_poststop(&rt, &h.hooks, "c1", "/bundle", &no_annotations);
    ck_assert_str_eq(warnings, "hooks.poststop[0] /bin/sh: exited with status 5\n"
                               "hooks.poststop[2] /bin/sh: exited with status 6\n");
    in = read_out("in");
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(strstr(in, "\"status\": \"stopped\""));
    ck_assert_ptr_nonnull(strstr(in, "\"pid\": 0"));
    remove_out_dir();
}
END_TEST

START_TEST(counts)
{
    struct sh_hooks h = { 0 };

    ck_assert(!hooks_after_mounts(NULL));
    ck_assert_uint_eq(hooks_count(NULL, HOOK_POSTSTOP), 0);
    h.hooks.start_container = (hutch_spec_hook_list){ h.items, 1 };
    h.hooks.poststop = (hutch_spec_hook_list){ h.items, 2 };
    ck_assert(!hooks_after_mounts(&h.hooks));
    ck_assert_uint_eq(hooks_count(&h.hooks, HOOK_POSTSTOP), 2);
    h.hooks.create_container = (hutch_spec_hook_list){ h.items, 1 };
    ck_assert(hooks_after_mounts(&h.hooks));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hooks");
    TCase *tc = tcase_create("hooks");

    tcase_add_test(tc, state_on_stdin_args_and_env_as_given);
    tcase_add_test(tc, without_args_or_env);
    tcase_add_test(tc, failures_name_the_hook);
    tcase_add_test(tc, a_hook_past_its_timeout_is_killed);
    tcase_add_test(tc, start_container_hooks_without_pidfd);
    tcase_add_test(tc, an_unread_large_state_is_no_problem);
    tcase_add_test(tc, poststop_runs_every_hook_and_warns);
    tcase_add_test(tc, counts);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
