/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The commands of hutch, one file each. */
#ifndef HUTCH_COMMANDS_H
#define HUTCH_COMMANDS_H

#include "../common/cli.h"

/* podman's exit status when hutch itself fails (bad flag, missing image, ...). */
#define HUTCH_EXIT_FAILURE 125

extern const struct cli_command hutch_version_command;

#endif
