/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User names from /etc/passwd, read directly. hutch-oci is linked statically
 * (bench/: a sixth of its start-up cost was dynamic linking), and a static glibc can only reach
 * NSS modules through a second copy of itself; reading the file as runc does
 * gives the same answer wherever the binary runs. Users that live only in a
 * directory service (LDAP, sssd) have no name here.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include <hutch/cleanup.h>
#include <hutch/runtime.h>

#define PASSWD_FILE "/etc/passwd"

bool hutch_user_name(uid_t uid, char *buf, size_t size)
{
    hutch_autofclose FILE *f = fopen(PASSWD_FILE, "re");
    struct passwd *pw;

    if (size == 0)
        return false;
    buf[0] = '\0';
    if (f == NULL)
        return false;
    while ((pw = fgetpwent(f)) != NULL) {
        if (pw->pw_uid != uid)
            continue;
        if (strlen(pw->pw_name) >= size)
            return false;
        strcpy(buf, pw->pw_name);
        return true;
    }
    return false;
}
