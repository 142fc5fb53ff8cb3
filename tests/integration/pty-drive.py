#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal and drives it from a script.

Usage: pty-drive.py [-t SECONDS] COMMAND [ARG...] < SCRIPT

Script lines (bytes take Python escapes: \\r, \\x10 ...):
  expect REGEX   wait until the output so far matches REGEX (from where the
                 last expect matched)
  send TEXT      type TEXT
  sleep SECONDS
  resize ROWS COLS  set the terminal's size (the command gets SIGWINCH)
  wait           wait for the command to end
The terminal starts at 24 rows and 80 columns.
Every wait is bounded by -t (default 20 s). At the end the output is
written to stdout and the command's exit status as "exit=N" (or
"exit=running" when it was still running: it is then killed). Exits 1 when
an expect or wait timed out.
"""
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    args = sys.argv[1:]
    timeout = 20.0
    if args[:1] == ["-t"]:
        timeout = float(args[1])
        args = args[2:]
    script = sys.stdin.read().splitlines()
    pid, fd = pty.fork()
    if pid == 0:
        set_size(0, 24, 80)
        os.execvp(args[0], args)
    out = b""
    mark = 0
    status = None
    failed = None
    eof = False

    def pump(deadline):
        """Reads what comes: True when something did, None once the command
        has ended and said everything, False at the deadline."""
        nonlocal out, status, eof
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            r = []
            if not eof:
                r, _, _ = select.select([fd], [], [], min(left, 0.05))
            else:
                time.sleep(min(left, 0.05))
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    data = b""
                if data:
                    out += data
                    return True
                eof = True  # EIO: every slave is closed
            if status is None:
                p, st = os.waitpid(pid, os.WNOHANG)
                if p == pid:
                    status = st
            if status is not None and (eof or not r):
                return None

    for line in script:
        if not line.strip():
            continue
        cmd, _, arg = line.partition(" ")
        deadline = time.monotonic() + timeout
        if cmd == "expect":
            rx = re.compile(arg.encode())
            while True:
                m = rx.search(out, mark)
                if m:
                    mark = m.end()
                    break
                if not pump(deadline):
                    failed = "timed out waiting for %r" % arg
                    break
        elif cmd == "send":
            os.write(fd, arg.encode().decode("unicode_escape").encode("latin-1"))
        elif cmd == "resize":
            rows, cols = arg.split()
            set_size(fd, int(rows), int(cols))
        elif cmd == "sleep":
            time.sleep(float(arg))
        elif cmd == "wait":
            while status is None:
                if pump(deadline) is False:
                    failed = "timed out waiting for the command to end"
                    break
        if failed:
            break
    # what is left to read
    while status is not None and not eof and pump(time.monotonic() + 0.2):
        pass
    sys.stdout.write(out.decode("utf-8", "replace"))
    if status is None:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            status = st
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        print("\nexit=running")
    else:
        print("\nexit=%d" % (os.waitstatus_to_exitcode(status)))
    if failed:
        print("pty-drive: " + failed, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
