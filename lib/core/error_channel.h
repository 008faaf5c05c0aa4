/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Carrying a hutch_error across fork/clone: the child writes it to the
 * parent over the sync socket, the parent reads it back into its own error.
 */
#ifndef HUTCH_CORE_ERROR_CHANNEL_H
#define HUTCH_CORE_ERROR_CHANNEL_H

#include <hutch/error.h>

/* Longest message carried; longer ones are cut (the start holds the context). */
#define HUTCH_ERROR_CHANNEL_MAX_MSG 4096

/* Send `sent` over `fd`. Returns 0, or < 0 with `err` filled. */
int hutch_error_send(int fd, const hutch_error *sent, hutch_error *err);

/*
 * Read an error sent by hutch_error_send() into `received`. Returns 0 when a
 * whole error was read, or < 0 with `err` filled (including when the peer
 * closed the channel without sending one).
 */
int hutch_error_receive(int fd, hutch_error *received, hutch_error *err);

#endif
