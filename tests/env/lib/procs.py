#!/usr/bin/python3
"""Finds, stops and checks the processes and ports of one test environment.

A process is "ours" when its environment carries TERN_ENV_DIR=DIR (up sets it, Postfix and
Dovecot pass it on through import_environment) or when it runs in the session of a server up
started (each in its own session; pid in DIR/pids/ and in the server's own pid file): Dovecot's
processes overwrite their environment, the session id stays. A pid from a file counts only while
its process is marked or was started with a path in DIR, so a pid the kernel gave to someone
else is never signalled; names never count.

usage: procs.py list DIR                    pids of the environment's processes
       procs.py stop DIR [--deadline S]     TERM the servers, then KILL whatever of ours is left
"""
import argparse
import glob
import os
import signal
import socket
import sys
import time


def stat_fields(pid):
    """(state, session id, parent pid) from /proc/PID/stat, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return fields[0], int(fields[3]), int(fields[1])
    except (OSError, IndexError, ValueError):
        return None


def has_marker(pid, d):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return b"TERN_ENV_DIR=" + os.fsencode(d) in f.read().split(b"\0")
    except OSError:
        return False


def names_dir(pid, d):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return os.fsencode(d) + b"/" in f.read()
    except OSError:
        return False


# up's own pid files first; the servers' pid files too, so a lost one of ours still finds them.
PID_FILES = ["pids/*.pid", "main/run/master.pid", "fallback/run/master.pid",
             "postfix/queue/pid/master.pid", "idp/fake-idp.pid"]


def leaders(d):
    """Live pids from the pid files that really are ours (marked, or started with a path in d)."""
    pids = set()
    for pattern in PID_FILES:
        for path in glob.glob(os.path.join(d, pattern)):
            try:
                with open(path) as f:
                    pids.add(int(f.read().split()[0]))
            except (OSError, ValueError, IndexError):
                pass
    return sorted(p for p in pids if stat_fields(p) and (has_marker(p, d) or names_dir(p, d)))


def marked(d, sessions=None):
    """Our live processes; SESSIONS: the servers' sessions if already known."""
    sessions = set(leaders(d)) if sessions is None else sessions
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        st = stat_fields(entry)
        if st is None or st[0] == "Z":
            continue
        if st[1] in sessions or has_marker(entry, d):
            pids.append(int(entry))
    return pids


def ports(d):
    try:
        with open(os.path.join(d, "ports")) as f:
            return [(k, int(v)) for k, v in (line.strip().split("=", 1) for line in f if "=" in line)]
    except OSError:
        return []


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def signal_all(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def wait_gone(d, sessions, seconds):
    end = time.monotonic() + seconds
    while (left := marked(d, sessions)) and time.monotonic() < end:
        time.sleep(0.05)  # poll interval
    return left


def stop(d, deadline):
    # The sessions are taken now: a master may exit before its children, who keep its session id.
    sessions = set(leaders(d))
    ours = marked(d, sessions)
    # Only the tops get the TERM (the Dovecot and Postfix masters stop their own children, who
    # must not die under them first); a child whose master is gone is a top itself.
    signal_all([p for p in ours if (stat_fields(p) or (0, 0, 0))[2] not in ours], signal.SIGTERM)
    left = wait_gone(d, sessions, deadline)
    if left:
        print(f"procs.py: still running after SIGTERM, killing: {left}", file=sys.stderr)
        signal_all(left, signal.SIGKILL)
        left = wait_gone(d, sessions, 5)
    if left:
        print(f"procs.py: processes survived SIGKILL: {left}", file=sys.stderr)
        return 1
    end = time.monotonic() + deadline
    while (busy := [f"{k}={p}" for k, p in ports(d) if answers(p)]) and time.monotonic() < end:
        time.sleep(0.05)
    if busy:
        print(f"procs.py: ports still answer after every process stopped: {busy}", file=sys.stderr)
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["list", "stop"])
    ap.add_argument("dir")
    ap.add_argument("--deadline", type=float, default=15)
    args = ap.parse_args()
    d = os.path.abspath(args.dir)
    if args.command == "list":
        print("\n".join(str(p) for p in marked(d)))
    else:
        sys.exit(stop(d, args.deadline))


if __name__ == "__main__":
    main()
