#!/usr/bin/python3
"""Waits until every started server is up, or says which one is not.

usage: wait.py --deadline SECONDS NAME:PID:PORT,PORT[:READY_FILE] ...

A server is up when its process is alive, each port accepts a TCP connection on 127.0.0.1 and,
if READY_FILE is given, a line of it starts with "ready". On failure prints the failed NAME on
stdout and the reason on stderr, exit 1.
"""
import argparse
import sys
import time


from procs import answers  # one definition of "a port answers", shared with down's checks


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def said_ready(path):
    try:
        with open(path, errors="replace") as f:
            return any(line.startswith("ready") for line in f)
    except OSError:
        return False


def parse(spec):
    parts = spec.split(":", 3)
    name, pid, ports = parts[0], int(parts[1]), [int(p) for p in parts[2].split(",") if p]
    return name, pid, ports, parts[3] if len(parts) > 3 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deadline", type=float, default=30)
    ap.add_argument("servers", nargs="+")
    args = ap.parse_args()
    pending = [parse(s) for s in args.servers]
    end = time.monotonic() + args.deadline
    while pending:
        still = []
        for name, pid, ports, ready in pending:
            if not alive(pid):
                print(name)
                sys.exit(f"{name}: the process (pid {pid}) exited while starting")
            if (ready and not said_ready(ready)) or not all(answers(p) for p in ports):
                still.append((name, pid, ports, ready))
        pending = still
        if not pending:
            break
        if time.monotonic() > end:
            name, pid, ports, ready = pending[0]
            silent = [p for p in ports if not answers(p)]
            why = f"ports {silent} do not answer" if silent else f"{ready} has no 'ready' line"
            print(name)
            sys.exit(f"{name}: not up after {args.deadline:g} s: {why}")
        time.sleep(0.05)  # poll interval, not a wait for something to happen


if __name__ == "__main__":
    main()
