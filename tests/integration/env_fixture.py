#!/usr/bin/python3
"""CTest fixture tern_env: bring the test environment up, take it down and check nothing is left.

usage: env_fixture.py up DIR     tests/env/down DIR (leftovers of an aborted run), tests/env/up DIR
       env_fixture.py down DIR   tests/env/down DIR, then checks on its own that no process of the
                                 environment survived, no port of it still listens, DIR is gone
                                 and a second down is a harmless no-op

The check does not reuse tests/env/lib: it remembers each process by pid *and* start time (a pid
the kernel hands to someone else does not count) and reads listening sockets from /proc/net.
"""
import os
import subprocess
import sys
import time

ENV_TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "env")


def run(tool, d):
    began = time.monotonic()
    done = subprocess.run([os.path.join(ENV_TOOLS, tool), d], stdout=subprocess.PIPE, text=True)
    return done.returncode, done.stdout, time.monotonic() - began


def proc_stat(pid):
    """(session id, start time) of a live process, None if gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else (int(fields[3]), int(fields[19]))


def environment_processes(d):
    """{pid: start time} of processes in a session up started or marked TERN_ENV_DIR=d."""
    sessions = set()
    for name in os.listdir(os.path.join(d, "pids")) if os.path.isdir(os.path.join(d, "pids")) else []:
        with open(os.path.join(d, "pids", name)) as f:
            sessions.add(int(f.read().split()[0]))
    marker = b"TERN_ENV_DIR=" + os.fsencode(d)
    found = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        st = proc_stat(entry)
        if st is None:
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                marked = marker in f.read().split(b"\0")
        except OSError:
            marked = False
        if st[0] in sessions or marked:
            found[int(entry)] = st[1]
    return found


def listening_ports():
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[3] == "0A":  # LISTEN
                        ports.add(int(cols[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return ports


def env_ports(d):
    try:
        with open(os.path.join(d, "ports")) as f:
            return {k: int(v) for k, v in (line.strip().split("=", 1) for line in f if "=" in line)}
    except OSError:
        return {}


def up(d):
    code, _, _ = run("down", d)
    if code != 0:
        sys.exit(f"env_fixture: could not clear {d} left by an earlier run")
    code, out, took = run("up", d)
    sys.stdout.write(out)
    print(f"env_fixture: tests/env/up took {took:.1f} s")
    return code


def down(d):
    d = os.path.realpath(d)
    before = environment_processes(d) if os.path.isdir(d) else {}
    ports = env_ports(d)
    code, _, took = run("down", d)
    print(f"env_fixture: tests/env/down took {took:.1f} s, stopped {len(before)} processes")
    problems = []
    if code != 0:
        problems.append(f"tests/env/down exited {code}")
    alive = [pid for pid, start in before.items() if (proc_stat(pid) or (0, None))[1] == start]
    alive += [pid for pid in environment_processes(d) if pid not in alive] if os.path.isdir(d) else []
    if alive:
        problems.append(f"processes of the environment still run: {sorted(alive)}")
    still = sorted(f"{k}={p}" for k, p in ports.items() if p in listening_ports())
    if still:
        problems.append(f"ports of the environment still listen: {still}")
    if os.path.exists(d):
        problems.append(f"{d} still exists")
    code, _, _ = run("down", d)
    if code != 0:
        problems.append("a second tests/env/down failed (it must be idempotent)")
    for p in problems:
        print(f"env_fixture: {p}", file=sys.stderr)
    return 1 if problems else 0


def main(argv):
    if len(argv) != 3 or argv[1] not in ("up", "down"):
        sys.exit("usage: env_fixture.py up|down DIR")
    sys.exit(up(argv[2]) if argv[1] == "up" else down(argv[2]))


if __name__ == "__main__":
    main(sys.argv)
