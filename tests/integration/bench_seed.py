#!/usr/bin/python3
"""Benchmark: a fresh environment, mailboxes seeded with COUNT messages each, opened over IMAP.

usage: bench_seed.py DIR COUNT [COUNT...]   (the i-th COUNT goes to the i-th user)

Prints the wall time of each step: up, seeding, Dovecot's first index of the folder (doveadm
force-resync), the first IMAP SELECT afterwards, a first full envelope fetch (what a client's
first sync asks; Dovecot builds its cache), down. Fails when Dovecot does not count exactly
COUNT messages. Runs its own environment in DIR, so it never disturbs the tern_env fixture.
"""
import imaplib
import os
import ssl
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ENV_TOOLS = os.path.join(HERE, "..", "env")
USERS = ["PASSWORD_USER1", "PASSWORD_USER2", "OAUTH_USER1", "OAUTH_USER2"]


def timed(what, cmd, results):
    began = time.monotonic()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    results.append((what, time.monotonic() - began))
    if done.returncode != 0:
        sys.exit(f"bench: {what} failed ({' '.join(cmd)})")
    return done.stdout


def imap_open(env, user_key):
    ctx = ssl.create_default_context(cafile=env["TERN_CA_FILE"])
    # The OAuth users' passwords work on the fallback instance only.
    port = env["FALLBACK_IMAPS_PORT" if user_key.startswith("OAUTH") else "IMAPS_PORT"]
    m = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx, timeout=600)
    m.login(env[user_key], env[user_key + "_PASSWORD"])
    typ, data = m.select("INBOX", readonly=True)
    return m, int(data[0])


def main(argv):
    if len(argv) < 3 or len(argv) - 2 > len(USERS):
        sys.exit(__doc__.split("\n\n")[1])
    d, counts = os.path.abspath(argv[1]), [int(c) for c in argv[2:]]
    results = []
    timed("down (leftovers)", [os.path.join(ENV_TOOLS, "down"), d], [])
    out = timed("up", [os.path.join(ENV_TOOLS, "up"), d], results)
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    failures = []
    try:
        for key, count in zip(USERS, counts):
            user = env[key]
            timed(f"seed {count} into {user}", [os.path.join(ENV_TOOLS, "seed", "seed"), "--env", d,
                                                "--user", user, "--count", str(count), "--seed", "100"], results)
            timed(f"doveadm force-resync of {count}", ["doveadm", "-c", os.path.join(d, "main", "dovecot.conf"),
                                                       "force-resync", "-u", user, "INBOX"], results)
            began = time.monotonic()
            m, seen = imap_open(env, key)
            results.append((f"IMAP login + SELECT of {count}", time.monotonic() - began))
            if seen != count:
                failures.append(f"{user}: Dovecot counts {seen} messages, seeded {count}")
            began = time.monotonic()
            typ, data = m.uid("FETCH", "1:*", "(FLAGS RFC822.SIZE ENVELOPE)")
            results.append((f"IMAP FETCH ENVELOPE of all {count}", time.monotonic() - began))
            if typ != "OK" or sum(1 for item in data if isinstance(item, bytes) or item[0]) < count:
                failures.append(f"{user}: FETCH of all envelopes answered {typ} with {len(data)} items")
            m.logout()
        size = subprocess.run(["du", "-sh", os.path.join(d, "mail")], stdout=subprocess.PIPE, text=True).stdout.split()[0]
    finally:
        timed("down", [os.path.join(ENV_TOOLS, "down"), d], results)
    for what, secs in results:
        print(f"bench: {what:<45} {secs:8.1f} s")
    print(f"bench: mail on disk: {size}")
    if failures:
        sys.exit("bench: " + "; ".join(failures))


if __name__ == "__main__":
    main(sys.argv)
