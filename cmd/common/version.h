/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HUTCH_CMD_VERSION_H
#define HUTCH_CMD_VERSION_H

/* Print the version block: version, commit, runtime-spec, library versions. */
void cli_print_version(const char *program);

#endif
