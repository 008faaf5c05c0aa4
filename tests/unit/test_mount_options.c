/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>
#include <sys/mount.h>

#include "runtime/mount_options.h"
#include "unit.h"

static struct mount_options parse(const char *const *opts, size_t n)
{
    hutch_autoerror err = HUTCH_ERROR_INIT;
    hutch_strings list = { (char **)opts, n };
    struct mount_options o;

    ck_assert_int_eq(mount_options_parse(&list, &o, &err), 0);
    return o;
}

START_TEST(flags_and_data_are_split)
{
    const char *opts[] = { "nosuid", "noexec", "mode=755", "ro", "size=65536k", "strictatime" };
    struct mount_options o = parse(opts, 6);

    ck_assert_uint_eq(o.flags, MS_NOSUID | MS_NOEXEC | MS_RDONLY | MS_STRICTATIME);
    ck_assert_str_eq(o.data, "mode=755,size=65536k");
    ck_assert(!o.bind);
    mount_options_release(&o);
}
END_TEST

START_TEST(later_options_win)
{
    const char *opts[] = { "ro", "rw", "nodev", "dev", "exec", "noexec" };
    struct mount_options o = parse(opts, 6);

    ck_assert_uint_eq(o.flags, MS_NOEXEC);
    ck_assert_uint_eq(o.clear, MS_RDONLY | MS_NODEV);
    ck_assert_ptr_null(o.data);
}
END_TEST

START_TEST(bind_rbind_rro_and_propagation)
{
    const char *opts[] = { "rbind", "rro", "rslave" };
    const char *opts2[] = { "bind", "private" };
    struct mount_options o = parse(opts, 3);

    ck_assert(o.bind && o.recursive && o.recursive_readonly);
    ck_assert_uint_eq(o.propagation, MS_SLAVE | MS_REC);
    o = parse(opts2, 2);
    ck_assert(o.bind && !o.recursive);
    ck_assert_uint_eq(o.propagation, MS_PRIVATE);
    ck_assert_uint_eq(propagation_flags("runbindable"), MS_UNBINDABLE | MS_REC);
    ck_assert_uint_eq(propagation_flags("bogus"), 0);
}
END_TEST

START_TEST(unknown_words_go_to_the_file_system)
{
    const char *opts[] = { "newinstance", "ptmxmode=0666", "gid=5", "defaults" };
    struct mount_options o = parse(opts, 4);

    ck_assert_str_eq(o.data, "newinstance,ptmxmode=0666,gid=5");
    ck_assert_uint_eq(o.flags, 0);
    mount_options_release(&o);
}
END_TEST

/* What features lists: every name is known to the parser (none goes to the file system). */
START_TEST(every_listed_name_is_recognised)
{
    size_t n = 0;

    for (const char *name; (name = mount_option_name(n)) != NULL; n++) {
        const char *opts[] = { name };
        struct mount_options o = parse(opts, 1);

        ck_assert_msg(o.data == NULL, "%s went to the file system", name);
        for (size_t k = 0; k < n; k++)
            ck_assert_str_ne(mount_option_name(k), name);
    }
    ck_assert_uint_eq(n, 51);
    ck_assert_str_eq(mount_option_name(n - 1), "defaults");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mount_options");
    TCase *tc = tcase_create("mount_options");

    tcase_add_test(tc, flags_and_data_are_split);
    tcase_add_test(tc, later_options_win);
    tcase_add_test(tc, bind_rbind_rro_and_propagation);
    tcase_add_test(tc, unknown_words_go_to_the_file_system);
    tcase_add_test(tc, every_listed_name_is_recognised);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
