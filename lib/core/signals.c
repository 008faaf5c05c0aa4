/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <hutch/signals.h>

static const struct {
    const char *name; /* without "SIG" */
    int signo;
} signal_names[] = {
    { "HUP", SIGHUP },       { "INT", SIGINT },     { "QUIT", SIGQUIT }, { "ILL", SIGILL },
    { "TRAP", SIGTRAP },     { "ABRT", SIGABRT },   { "IOT", SIGIOT },   { "BUS", SIGBUS },
    { "FPE", SIGFPE },       { "KILL", SIGKILL },   { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
    { "USR2", SIGUSR2 },     { "PIPE", SIGPIPE },   { "ALRM", SIGALRM }, { "TERM", SIGTERM },
    { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CLD", SIGCHLD },  { "CONT", SIGCONT },
    { "STOP", SIGSTOP },     { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
    { "URG", SIGURG },       { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM },
    { "PROF", SIGPROF },     { "WINCH", SIGWINCH }, { "IO", SIGIO },     { "POLL", SIGPOLL },
    { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

/* Parse all of `s` as a decimal number in [0, max]; -1 when it is not one. */
static long parse_small_number(const char *s, long max)
{
    char *end;
    long v;

    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return -1;
    return v;
}

static int parse_realtime(const char *name, int *signo)
{
    int base, sign;
    long offset = 0;
    const char *rest;

    if (strncasecmp(name, "RTMIN", 5) == 0) {
        base = SIGRTMIN;
        sign = 1;
    } else if (strncasecmp(name, "RTMAX", 5) == 0) {
        base = SIGRTMAX;
        sign = -1;
    } else {
        return -1;
    }
    rest = name + 5;
    if (*rest != '\0') {
        if (*rest != (sign > 0 ? '+' : '-'))
            return -1;
        offset = parse_small_number(rest + 1, SIGRTMAX - SIGRTMIN);
        if (offset < 0)
            return -1;
    }
    *signo = base + sign * (int)offset;
    return 0;
}

int hutch_signal_parse(const char *text, int *signo, hutch_error *err)
{
    const char *name = text;
    long number;

    if (text[0] == '\0')
        return hutch_error_set(err, EINVAL, "empty signal name");
    if (strspn(text, "0123456789") == strlen(text)) {
        number = parse_small_number(text, SIGRTMAX);
        if (number < 1)
            return hutch_error_set(err, EINVAL, "signal number %.32s is out of range (1-%d)", text,
                                   SIGRTMAX);
        *signo = (int)number;
        return 0;
    }
    if (strncasecmp(name, "SIG", 3) == 0)
        name += 3;
    for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++) {
        if (strcasecmp(name, signal_names[i].name) == 0) {
            *signo = signal_names[i].signo;
            return 0;
        }
    }
    if (parse_realtime(name, signo) == 0)
        return 0;
    return hutch_error_set(err, EINVAL,
                           "unknown signal \"%.32s\" (expected a name such as TERM or SIGKILL, "
                           "or a number from 1 to %d)",
                           text, SIGRTMAX);
}

const char *hutch_signal_name(int signo)
{
    static __thread char buf[32];

    for (size_t i = 0; i < sizeof(signal_names) / sizeof(signal_names[0]); i++) {
        if (signal_names[i].signo == signo) {
            snprintf(buf, sizeof(buf), "SIG%s", signal_names[i].name);
            return buf;
        }
    }
    if (signo >= SIGRTMIN && signo <= SIGRTMAX) {
        if (signo == SIGRTMIN)
            snprintf(buf, sizeof(buf), "SIGRTMIN");
        else
            snprintf(buf, sizeof(buf), "SIGRTMIN+%d", signo - SIGRTMIN);
        return buf;
    }
    return NULL;
}
