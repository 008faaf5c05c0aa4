#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A --console-socket client for the integration tests (runc's protocol).

    console-socket.py PATH [--input TEXT] [--after MARK] [--timeout SECONDS]

Listens on the unix socket PATH (bound under a temporary name and renamed to PATH once it
listens, so that PATH exists only when a connect can succeed), accepts one connection and
receives the terminal's master with SCM_RIGHTS. Prints the data that came with it (the
pty's name) as the first line of stdout, then relays what the master gives to stdout, as
it comes, until the end of the terminal (EIO: every process of the pty is gone) or until
SECONDS (default 10) have passed since the start.

  --input TEXT   write TEXT to the master (Python escapes such as \\r are understood),
                 once MARK has been seen in the output with --after, else at once
  --after MARK   see --input

Exit status: 0 at the end of the terminal; 3 when no connection came or it carried no fd;
4 on a timeout after the master came (what was relayed until then is on stdout). Errors
are one line on stderr.
"""
import argparse
import os
import select
import socket
import sys
import time


def fail(status, message):
    sys.stderr.write("console-socket.py: " + message + "\n")
    sys.stdout.flush()
    sys.exit(status)


def main():
    ap = argparse.ArgumentParser(description="a --console-socket client")
    ap.add_argument("path")
    ap.add_argument("--input", default=None)
    ap.add_argument("--after", default=None)
    ap.add_argument("--timeout", type=float, default=10.0)
    a = ap.parse_args()

    deadline = time.monotonic() + a.timeout
    text_in = None
    if a.input is not None:
        text_in = a.input.encode().decode("unicode_escape").encode("latin-1")

    tmp = "%s.tmp.%d" % (a.path, os.getpid())
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(tmp)
    srv.listen(1)
    os.rename(tmp, a.path)

    r, _, _ = select.select([srv], [], [], max(0.0, deadline - time.monotonic()))
    if not r:
        fail(3, "no connection on %s within %g s" % (a.path, a.timeout))
    conn, _ = srv.accept()
    srv.close()
    conn.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        data, fds, _, _ = socket.recv_fds(conn, 4096, 4)
    except (OSError, socket.timeout) as e:
        fail(3, "receiving the master: %s" % e)
    conn.close()
    if len(fds) != 1:
        for fd in fds:
            os.close(fd)
        fail(3, "expected one fd with the message, got %d (data %r)" % (len(fds), data))
    master = fds[0]
    out = sys.stdout.buffer
    out.write(data + b"\n")
    out.flush()

    seen = b""
    if text_in is not None and a.after is None:
        os.write(master, text_in)
        text_in = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            fail(4, "timed out after %g s" % a.timeout)
        r, _, _ = select.select([master], [], [], left)
        if not r:
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the last holder of the pty closed it
            chunk = b""
        if not chunk:
            break
        out.write(chunk)
        out.flush()
        seen += chunk
        if text_in is not None and a.after.encode() in seen:
            os.write(master, text_in)
            text_in = None
    return 0


if __name__ == "__main__":
    sys.exit(main())
