#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pty-run.py SECONDS INPUT -- COMMAND...: run COMMAND on a new pty, type INPUT and Enter
once the command has printed "/dev/pts/", print everything it wrote (without carriage
returns) and exit with its status. Gives up after SECONDS of silence."""
import os
import pty
import select
import sys


def main():
    sep = sys.argv.index("--")
    seconds, typed = float(sys.argv[1]), sys.argv[2].encode()
    command = sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    out, sent = b"", False
    while True:
        ready, _, _ = select.select([fd], [], [], seconds)
        if not ready:
            break
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
        if b"/dev/pts/" in out and not sent:
            os.write(fd, typed + b"\r")
            sent = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    sys.exit(os.waitstatus_to_exitcode(status))


main()
