#!/usr/bin/python3
"""Tern's full sync and search against mbsync (isync) and notmuch, on the same seeded mailbox.

usage: run_mail_bench.py --bin-dir DIR (--env-dir DIR | --use-env ENV_FILE) [--counts N...]
                         [--work-dir DIR] [--repeat R] [--search-repeat R] [--smoke] [--keep]
                         [--json-out F]
       run_mail_bench.py --bin-dir DIR --search-only RUN_DIR [--search-repeat R] [--json-out F]

For each COUNT: seeds COUNT generated messages into a mailbox of the test environment's Dovecot
(tests/env/seed, --resync), warms the server (every file read once, a FETCH of all flags and
sizes), then, R times with the order alternating:
  - Tern: tern_bench_sync, a fresh profile: headers + bodies + full-text index (BodyPolicy::All);
  - mbsync: a private mbsyncrc, IMAPS to the same Dovecot with the environment's CA, pull into
    an empty Maildir (its default FSync yes: an fsync per message);
  - notmuch new on that Maildir (private NOTMUCH_CONFIG), right after the mbsync run;
  - mbsync again into another empty Maildir with FSync no (the download without the fsyncs).
Then first-page search on the last run's Tern profile and notmuch database: the same six queries
in both languages, many rounds: in process for both (tern_bench_search: one open profile, as
the GUI searches; libnotmuch through python3-notmuch2 with one open database, as front ends that
link it search), and one process per query for both, interleaved (tern_bench_search for one
query; `notmuch search --limit=50`, what notmuch's Emacs front end runs).
Wall times are time.monotonic() around each process; CPU comes from wait4(), peak RSS from GNU
time. Prints the machine, the versions and markdown tables (docs/benchmarks.md).

--env-dir DIR: an environment of its own in DIR (tests/env/up, down at the end); COUNTs go to
the INBOX of the password users in turn. --use-env FILE: a running environment (the tern_env
fixture); the mail goes to a fresh folder of bob's that is deleted at the end. --smoke: small
runs that must produce every number (exit 1 otherwise). --keep leaves the last run's Tern profile
and notmuch database in WORK_DIR/COUNT-runN; --search-only RUN_DIR runs the searches alone on
them again (no environment, no sync: for search changes; the binaries of --bin-dir migrate the
profile if they are newer).
"""
import argparse
import imaplib
import json
import math
import os
import platform
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ENV_TOOLS = os.path.join(HERE, "..", "tests", "env")
SEED = os.path.join(ENV_TOOLS, "seed", "seed")
PASSWORD_USERS = ["PASSWORD_USER1", "PASSWORD_USER2"]

# (name, Tern's search box, notmuch's query). The seeded corpus (tests/env/seed/corpus.py) has a
# small vocabulary, so "rare" is the rarest word it has: the Czech forward prefix, on about 0.5%
# of the mail. Tern ranks word queries by bm25 and lists the others newest first; notmuch lists
# threads newest first. Date ranges are whole UTC days in both (notmuch runs with TZ=UTC).
QUERIES = [
    ("rare word", "přeposlat", "přeposlat"),
    ("common word", "report", "report"),
    ("from:", "from:priya", "from:priya"),
    ("subject: phrase", 'subject:"board meeting"', 'subject:"board meeting"'),
    ("has:attachment", "has:attachment", "tag:attachment"),
    ("date range", "after:2023-01-01 before:2023-02-01", "date:2023-01-01..2023-01-31"),
]
PAGE = 50


class BenchError(Exception):
    pass


def say(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


# ---- processes ---------------------------------------------------------------------------------

class Usage:
    def __init__(self, rusage, maxrss_kib):
        self.cpu = rusage.ru_utime + rusage.ru_stime
        self.maxrss_kib = maxrss_kib


def run_measured(cmd, env=None, cwd=None, check=True):
    """Runs cmd; returns (stdout text, wall seconds, Usage: CPU seconds and peak RSS in KiB).

    The peak RSS comes from GNU time, not from our own wait4(): a child of this Python process
    starts life as a copy of it, and Linux carries that copy's high-water mark over the exec into
    ru_maxrss, so every tool would seem to need at least what Python holds.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as rss:
        began = time.monotonic()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name] + cmd, stdout=out, stderr=err,
                             env=env, cwd=cwd)
        _, status, usage = os.wait4(p.pid, 0)  # CPU: GNU time's and its child's
        wall = time.monotonic() - began
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        lines = rss.read().split()
    if check and p.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} exited with {p.returncode}: {stderr.strip()[-2000:]}")
    return stdout, wall, Usage(usage, int(lines[-1]) if lines and lines[-1].isdigit() else 0)


def last_json(stdout, what):
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise BenchError(f"{what} printed no JSON: {stdout[-500:]}")


def load1():
    """The 1-minute load average: the machine may be shared, and the tables should say so."""
    with open("/proc/loadavg", encoding="ascii") as f:
        return float(f.read().split()[0])


def rss_mib(kib):
    return kib / 1024.0


# ---- environment ---------------------------------------------------------------------------------

def read_env(path):
    with open(path, encoding="utf-8") as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


def env_up(d):
    subprocess.run([os.path.join(ENV_TOOLS, "down"), d], check=True, stdout=subprocess.DEVNULL)
    began = time.monotonic()
    done = subprocess.run([os.path.join(ENV_TOOLS, "up"), d], stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise BenchError("tests/env/up failed")
    say(f"environment up in {time.monotonic() - began:.1f} s ({d})")
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)


def imap_login(env, user, password):
    ctx = ssl.create_default_context(cafile=env["TERN_CA_FILE"])
    m = imaplib.IMAP4_SSL("127.0.0.1", int(env["IMAPS_PORT"]), ssl_context=ctx, timeout=600)
    m.login(user, password)
    return m


def imap_quote(folder):
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def maildir_of(env, user, folder):
    with open(os.path.join(env["TERN_ENV_DIR"], "users"), encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split(":")
            if fields[0] == user:
                root = os.path.join(fields[5], "Maildir")
                return root if folder == "INBOX" else os.path.join(root, "." + folder.replace("/", "."))
    raise BenchError(f"{user} is not a user of the environment")


def count_mail_files(root):
    n = 0
    for d, _, files in os.walk(root):
        if os.path.basename(d) in ("cur", "new"):
            n += len(files)
    return n


def seed(env, user, password, folder, count):
    out, wall, _ = run_measured([SEED, "--env", env["TERN_ENV_DIR"], "--user", user, "--count", str(count),
                                 "--seed", "100", "--folder", folder, "--resync"])
    say(out.strip())
    # Warm the server as a mailbox in use is warm: every file in the page cache once, Dovecot's
    # index and cache built for flags and sizes. Whichever client runs first then pays no more.
    began = time.monotonic()
    for d, _, files in os.walk(maildir_of(env, user, folder)):
        for name in files:
            with open(os.path.join(d, name), "rb") as f:
                while f.read(1 << 20):
                    pass
    m = imap_login(env, user, password)
    typ, data = m.select(imap_quote(folder), readonly=True)
    if typ != "OK" or int(data[0]) != count:
        raise BenchError(f"Dovecot counts {data[0]!r} messages in {folder}, seeded {count}")
    m.uid("FETCH", "1:*", "(FLAGS RFC822.SIZE INTERNALDATE)")
    m.logout()
    say(f"seeded {count} in {wall:.1f} s, server warmed in {time.monotonic() - began:.1f} s")
    return wall


# ---- the tools ---------------------------------------------------------------------------------

def run_tern_sync(bin_dir, env, user, password, folder, count, profile):
    cmd = [os.path.join(bin_dir, "tern_bench_sync"), "--profile", profile, "--host", "127.0.0.1",
           "--port", env["IMAPS_PORT"], "--user", user, "--ca", env["TERN_CA_FILE"], "--folder", folder,
           "--expect", str(count)]
    out, wall, usage = run_measured(cmd, env=dict(os.environ, TERN_BENCH_PASSWORD=password))
    r = last_json(out, "tern_bench_sync")
    r.update(wall=wall, cpu=usage.cpu, peak_rss_mib=rss_mib(usage.maxrss_kib))
    return r


def write_mbsyncrc(path, env, user, folder, maildir, state, fsync):
    # Host localhost: mbsync matches the certificate by DNS name only (it has IP:127.0.0.1 too,
    # which mbsync 1.4 does not compare). /etc/hosts maps localhost to 127.0.0.1.
    # FSync (global, default yes): an fsync for every message file and state journal write.
    # The password stays out of the file: PassCmd reads it from mbsync's environment.
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
        f.write(f"""FSync {"yes" if fsync else "no"}

IMAPAccount bench
Host localhost
Port {env["IMAPS_PORT"]}
User {user}
PassCmd "printenv TERN_BENCH_PASSWORD"
SSLType IMAPS
CertificateFile {env["TERN_CA_FILE"]}

IMAPStore bench-far
Account bench

MaildirStore bench-near
Path {maildir}/
Inbox {maildir}/INBOX
SubFolders Verbatim

Channel bench
Far :bench-far:
Near :bench-near:
Patterns {imap_quote(folder)}
Create Near
Sync Pull
Expunge None
SyncState {state}/
""")


def run_mbsync(env, user, password, folder, count, base, fsync=True):
    tag = "" if fsync else "-nofsync"
    maildir, state = os.path.join(base, "mail" + tag), os.path.join(base, "mbsync-state" + tag)
    os.makedirs(maildir)
    os.makedirs(state)
    rc = os.path.join(base, "mbsyncrc" + tag)
    write_mbsyncrc(rc, env, user, folder, maildir, state, fsync)
    _, wall, usage = run_measured(["mbsync", "-c", rc, "-q", "bench"],
                                  env=dict(os.environ, TERN_BENCH_PASSWORD=password))
    files = count_mail_files(maildir)
    if files != count:
        raise BenchError(f"mbsync stored {files} messages, the folder holds {count}")
    return {"tool": "mbsync" + tag, "messages": files, "wall": wall, "cpu": usage.cpu,
            "peak_rss_mib": rss_mib(usage.maxrss_kib), "maildir": maildir}


def notmuch_env(base):
    return dict(os.environ, NOTMUCH_CONFIG=os.path.join(base, "notmuch-config"), TZ="UTC")


def run_notmuch_new(count, base, maildir):
    with open(os.path.join(base, "notmuch-config"), "w", encoding="utf-8") as f:
        f.write(f"""[database]
path={maildir}
[user]
name=Bench
primary_email=bench@example.test
[new]
tags=inbox;unread;
ignore=.uidvalidity;.mbsyncstate;.mbsyncstate.journal;.mbsyncstate.new;.mbsyncstate.lock;.isyncuidmap.db
[search]
exclude_tags=
[maildir]
synchronize_flags=true
""")
    nenv = notmuch_env(base)
    _, wall, usage = run_measured(["notmuch", "new", "--quiet"], env=nenv)
    indexed = int(run_measured(["notmuch", "count", "*"], env=nenv)[0])
    if indexed != count:
        raise BenchError(f"notmuch indexed {indexed} messages, the Maildir holds {count}")
    return {"tool": "notmuch new", "messages": indexed, "wall": wall, "cpu": usage.cpu,
            "peak_rss_mib": rss_mib(usage.maxrss_kib)}


def percentile(samples, q):
    """Nearest rank: the smallest sample with at least q of the samples at or below it."""
    s = sorted(samples)
    return s[min(len(s), max(1, math.ceil(q * len(s)))) - 1]


def notmuch_search_worker(spec):
    """In process, under a Python that has Debian's notmuch2 bindings: one open database, the
    query mix in rounds as tern_bench_search runs it; each timing is the query plus reading the
    summary of its first page of threads (what `notmuch search` prints). Prints one JSON object."""
    import notmuch2
    job = json.loads(spec)
    db = notmuch2.Database()  # NOTMUCH_CONFIG, read only
    newest = notmuch2.Database.SORT.NEWEST_FIRST
    ms = {name: [] for name, _ in job["queries"]}
    for r in range(job["warmup"] + job["rounds"]):
        for name, query in job["queries"]:
            began = time.perf_counter()
            page = []
            for t in db.threads(query, sort=newest):
                page.append((t.threadid, t.matched, len(t), t.authors, t.subject, t.last, list(t.tags)))
                if len(page) == job["limit"]:
                    break
            if r >= job["warmup"]:
                ms[name].append((time.perf_counter() - began) * 1000)
    print(json.dumps({name: {"p50_ms": percentile(v, 0.50), "p95_ms": percentile(v, 0.95)} for name, v in ms.items()}))


def notmuch_python():
    """A Python that can import notmuch2 (Debian: python3-notmuch2 is for /usr/bin/python3), or None."""
    for py in ("/usr/bin/python3", sys.executable):
        if os.access(py, os.X_OK) and subprocess.run([py, "-c", "import notmuch2"], stdout=subprocess.DEVNULL,
                                                     stderr=subprocess.DEVNULL).returncode == 0:
            return py
    return None


def search_comparison(bin_dir, profile, nm_base, rounds):
    search = os.path.join(bin_dir, "tern_bench_search")
    args = [f"{name}={tern}" for name, tern, _ in QUERIES]
    # Tern in process: one open profile, as the GUI searches.
    inproc = last_json(run_measured([search, "--profile", profile, "--repeat", str(rounds), "--warmup", "3",
                                     "--limit", str(PAGE)] + args)[0], "tern_bench_search")
    results = {q["name"]: {"tern": q} for q in inproc["queries"]}
    nenv = notmuch_env(nm_base)
    # notmuch in process (libnotmuch through its Python bindings), as the front ends that link
    # the library search.
    py = notmuch_python()
    if py:
        job = json.dumps({"queries": [(name, nm) for name, _, nm in QUERIES], "rounds": rounds, "warmup": 3,
                          "limit": PAGE})
        nm_in = last_json(run_measured([py, "-B", os.path.abspath(__file__), "--notmuch-search-worker", job],
                                       env=nenv)[0], "the notmuch2 search worker")
    else:
        say("python3-notmuch2 is missing: no in-process notmuch timings")
        nm_in = {}
    for name, _, _ in QUERIES:
        results[name]["notmuch_in_process"] = nm_in.get(name)
    for name, _, nm in QUERIES:
        results[name]["notmuch_count"] = int(run_measured(["notmuch", "count", nm], env=nenv)[0])
    # One process per query for both, interleaved, after one untimed round each.
    tern_proc = {name: [] for name, _, _ in QUERIES}
    nm_proc = {name: [] for name, _, _ in QUERIES}
    nm_threads = {}
    rss = {"tern": 0, "notmuch": 0}
    for r in range(rounds + 1):
        for (name, tern, nm), arg in zip(QUERIES, args):
            _, wall, usage = run_measured([search, "--profile", profile, "--repeat", "1", "--warmup", "0",
                                           "--limit", str(PAGE), arg])
            rss["tern"] = max(rss["tern"], usage.maxrss_kib)
            if r:
                tern_proc[name].append(wall * 1000)
            out, wall, usage = run_measured(["notmuch", "search", f"--limit={PAGE}", nm], env=nenv)
            rss["notmuch"] = max(rss["notmuch"], usage.maxrss_kib)
            if r:
                nm_proc[name].append(wall * 1000)
            nm_threads[name] = len(out.splitlines())
    for name, _, nm in QUERIES:
        res = results[name]
        res["notmuch_query"] = nm
        res["notmuch_page_threads"] = nm_threads[name]
        res["tern_process_p50_ms"] = percentile(tern_proc[name], 0.50)
        res["tern_process_p95_ms"] = percentile(tern_proc[name], 0.95)
        res["notmuch_p50_ms"] = percentile(nm_proc[name], 0.50)
        res["notmuch_p95_ms"] = percentile(nm_proc[name], 0.95)
    return {"queries": results, "rounds": rounds, "tern_in_process_rss_mib": rss_mib(inproc["peak_rss_kib"]),
            "tern_process_rss_mib": rss_mib(rss["tern"]), "notmuch_rss_mib": rss_mib(rss["notmuch"])}


# ---- one mailbox size --------------------------------------------------------------------------

def bench_count(opts, env, user, password, folder, count):
    say(f"---- {count} messages: {user} {folder}")
    seed_s = seed(env, user, password, folder, count)
    repeat = opts.repeat or (3 if count <= 20000 else 1)
    runs = {"tern": [], "mbsync": [], "mbsync_nofsync": [], "notmuch": []}
    keep = None
    for r in range(repeat):
        base = os.path.join(opts.work_dir, f"{count}-run{r}")
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(base)
        order = ["tern", "peers"] if r % 2 == 0 else ["peers", "tern"]
        for what in order:
            load = load1()
            if what == "tern":
                t = run_tern_sync(opts.bin_dir, env, user, password, folder, count, os.path.join(base, "tern"))
                t["load1_before"] = load
                runs["tern"].append(t)
                say(f"run {r + 1}/{repeat}: tern {t['messages']} in {t['wall']:.1f} s "
                    f"({count / t['wall']:.0f}/s; headers {t['headers_seconds']:.1f} s, "
                    f"flags {t['flags_seconds']:.1f} s, "
                    f"bodies {t['bodies_seconds']:.1f} s), peak RSS {t['peak_rss_mib']:.0f} MiB")
            else:
                m = run_mbsync(env, user, password, folder, count, base)
                m["load1_before"] = load
                runs["mbsync"].append(m)
                say(f"run {r + 1}/{repeat}: mbsync {m['messages']} in {m['wall']:.1f} s "
                    f"({count / m['wall']:.0f}/s), peak RSS {m['peak_rss_mib']:.0f} MiB")
                n = run_notmuch_new(count, base, m["maildir"])
                runs["notmuch"].append(n)
                say(f"run {r + 1}/{repeat}: notmuch new {n['messages']} in {n['wall']:.1f} s "
                    f"({count / n['wall']:.0f}/s), peak RSS {n['peak_rss_mib']:.0f} MiB")
                # The download alone without mbsync's per-message fsync (same mail, new Maildir).
                m = run_mbsync(env, user, password, folder, count, base, fsync=False)
                runs["mbsync_nofsync"].append(m)
                shutil.rmtree(m["maildir"])
                say(f"run {r + 1}/{repeat}: mbsync (FSync no) {m['messages']} in {m['wall']:.1f} s "
                    f"({count / m['wall']:.0f}/s), peak RSS {m['peak_rss_mib']:.0f} MiB")
        if keep:
            shutil.rmtree(keep, ignore_errors=True)  # only the last run's stores stay for searching
        keep = base
    say("search comparison")
    search_load = load1()
    search = search_comparison(opts.bin_dir, os.path.join(keep, "tern"), keep, opts.search_repeat)
    if not opts.keep:
        shutil.rmtree(keep, ignore_errors=True)
    search["load1_before"], search["load1_after"] = search_load, load1()
    return {"count": count, "seed_seconds": seed_s, "runs": runs, "search": search}


# ---- report ------------------------------------------------------------------------------------

def machine():
    def first(cmd):
        try:
            out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
            return out.strip().splitlines()[0] if out.strip() else "?"
        except OSError:
            return "?"
    model = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        mem_kib = int(f.readline().split()[1])
    debian = "?"
    if os.path.exists("/etc/debian_version"):
        with open("/etc/debian_version", encoding="utf-8") as f:
            debian = f.read().strip()
    import sqlite3
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gib": round(mem_kib / 1024 / 1024, 1),
            "kernel": platform.release(), "debian": debian, "dovecot": first(["dovecot", "--version"]),
            "mbsync": first(["mbsync", "--version"]), "notmuch": first(["notmuch", "--version"]),
            "sqlite": sqlite3.sqlite_version, "compiler": first(["c++", "--version"])}


def build_type(bin_dir):
    cache = os.path.join(bin_dir, "..", "CMakeCache.txt")
    if os.path.exists(cache):
        with open(cache, encoding="utf-8") as f:
            for line in f:
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    return line.split("=", 1)[1].strip()
    return "?"


def med(values):
    return statistics.median(values)


def spread(values, fmt="{:.1f}"):
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(med(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def markdown(result):
    lines = []
    m = result["machine"]
    lines.append(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}, "
                 f"Debian {m['debian']}; {m['compiler']}, build type {result['build_type']}; "
                 f"Dovecot {m['dovecot']}, {m['mbsync']}, {m['notmuch']}, SQLite {m['sqlite']}.")
    for c in result["counts"]:
        n, runs = c["count"], c["runs"]
        lines += ["", f"### {n} messages (median of {len(runs['tern'])} run(s), range in brackets)", "",
                  "| what | wall s | messages/s | CPU s (user+sys) | peak RSS MiB |", "|---|---|---|---|---|"]
        t, mb, mf, nm = runs["tern"], runs["mbsync"], runs["mbsync_nofsync"], runs["notmuch"]

        def alone(what, xs):
            return (what, [x["wall"] for x in xs], [x["cpu"] for x in xs], [x["peak_rss_mib"] for x in xs])

        def chained(what, xs, ys):
            return (what, [a["wall"] + b["wall"] for a, b in zip(xs, ys)],
                    [a["cpu"] + b["cpu"] for a, b in zip(xs, ys)],
                    [max(a["peak_rss_mib"], b["peak_rss_mib"]) for a, b in zip(xs, ys)])
        rows = [
            alone("Tern full sync (headers + bodies + FTS)", t),
            alone("mbsync download (default: FSync yes)", mb),
            alone("mbsync download (FSync no)", mf),
            alone("notmuch new (index only)", nm),
            chained("mbsync + notmuch new", mb, nm),
            chained("mbsync (FSync no) + notmuch new", mf, nm),
        ]
        for what, walls, cpus, rss in rows:
            lines.append(f"| {what} | {spread(walls)} | {spread([n / w for w in walls], '{:.0f}')} | "
                         f"{spread(cpus)} | {spread(rss, '{:.0f}')} |")
        lines.append("")
        lines.append(f"Tern's stages (median): connect, folder list, SELECT and headers "
                     f"{med([x['headers_seconds'] for x in t]):.1f} s, flags pass "
                     f"{med([x['flags_seconds'] for x in t]):.1f} s, bodies + index "
                     f"{med([x['bodies_seconds'] for x in t]):.1f} s; profile "
                     f"{med([x['profile_bytes'] for x in t]) / 2**20:.0f} MiB. Seeding took {c['seed_seconds']:.1f} s. "
                     f"1-minute load average before each Tern / mbsync run: "
                     f"{', '.join(str(x['load1_before']) for x in t)} / "
                     f"{', '.join(str(x['load1_before']) for x in mb)}.")
        lines += search_markdown(c["search"])
    return "\n".join(lines)


def search_markdown(s):
    lines = ["", f"First page search latency in ms ({PAGE} messages for Tern, {PAGE} threads for notmuch), "
              f"{s['rounds']} rounds: in process (one open store) and one process per query.", "",
              "| query | Tern | notmuch | matches Tern / notmuch | Tern in-process p50 / p95 "
              "| notmuch in-process p50 / p95 | Tern process p50 / p95 | `notmuch search` process p50 / p95 |",
              "|---|---|---|---|---|---|---|---|"]
    for name, tern, nm in QUERIES:
        q = s["queries"][name]
        tq = q["tern"]
        total = f"{tq['total']}{'+' if tq['total_is_capped'] else ''}"
        ni = q.get("notmuch_in_process")
        ni_text = f"{ni['p50_ms']:.1f} / {ni['p95_ms']:.1f}" if ni else "n/a"
        lines.append(f"| {name} | `{tern}` | `{nm}` | {total} / {q['notmuch_count']} | "
                     f"{tq['p50_ms']:.1f} / {tq['p95_ms']:.1f} | {ni_text} | {q['tern_process_p50_ms']:.1f} / "
                     f"{q['tern_process_p95_ms']:.1f} | {q['notmuch_p50_ms']:.1f} / {q['notmuch_p95_ms']:.1f} |")
    lines.append("")
    lines.append(f"Load average before / after the searches: {s['load1_before']} / {s['load1_after']}. "
                 f"Peak RSS while searching: Tern in process {s['tern_in_process_rss_mib']:.0f} MiB, "
                 f"Tern per process {s['tern_process_rss_mib']:.0f} MiB, notmuch search "
                 f"{s['notmuch_rss_mib']:.0f} MiB.")
    return lines


def search_only(opts):
    """The searches of a --keep run again, on its Tern profile and notmuch database."""
    run = os.path.abspath(opts.search_only)
    if not os.path.exists(os.path.join(run, "tern", "tern.db")) or not os.path.exists(
            os.path.join(run, "notmuch-config")):
        sys.exit(f"bench: {run} is not a run kept by --keep (no tern/tern.db or notmuch-config)")
    load = load1()
    search = search_comparison(opts.bin_dir, os.path.join(run, "tern"), run, opts.search_repeat)
    search["load1_before"], search["load1_after"] = load, load1()
    result = {"machine": machine(), "build_type": build_type(opts.bin_dir), "search_only": run, "search": search}
    if opts.json_out:
        with open(opts.json_out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    print("\n".join(search_markdown(search)))


def check_smoke(result):
    """Every number is there and positive, and every tool saw every message."""
    problems = []
    for c in result["counts"]:
        n = c["count"]
        for tool, runs in c["runs"].items():
            if not runs:
                problems.append(f"{n}: no {tool} run")
            for r in runs:
                if r["messages"] != n:
                    problems.append(f"{n}: {tool} saw {r['messages']} messages")
                if not (r["wall"] > 0 and r["peak_rss_mib"] > 0):
                    problems.append(f"{n}: {tool} has no time or RSS: {r}")
        for name, q in c["search"]["queries"].items():
            for key in ("tern_process_p95_ms", "notmuch_p95_ms"):
                if not q[key] > 0:
                    problems.append(f"{n}: {name}: {key} is {q[key]}")
            if q.get("notmuch_in_process") is None or not q["notmuch_in_process"]["p95_ms"] > 0:
                problems.append(f"{n}: {name}: notmuch in-process timings missing (python3-notmuch2)")
            if not q["tern"]["p95_ms"] > 0 or q["tern"]["runs"] != c["search"]["rounds"]:
                problems.append(f"{n}: {name}: Tern in-process timings missing")
            if (q["tern"]["total"] > 0) != (q["notmuch_count"] > 0):
                problems.append(f"{n}: {name}: Tern finds {q['tern']['total']}, notmuch {q['notmuch_count']}")
    return problems


def main(argv):
    if argv[:1] == ["--notmuch-search-worker"]:
        notmuch_search_worker(argv[1])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin-dir", required=True, help="where tern_bench_sync and tern_bench_search are")
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--env-dir", help="bring up an environment of its own here (at most 66 characters)")
    where.add_argument("--use-env", metavar="ENV_FILE", help="a running environment's env file")
    ap.add_argument("--counts", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--work-dir", help="profiles and Maildirs (default: a temporary folder)")
    ap.add_argument("--repeat", type=int, default=0, help="sync runs per count (default 3, 1 above 20 000)")
    ap.add_argument("--search-repeat", type=int, default=50, help="timed rounds of the query mix")
    ap.add_argument("--smoke", action="store_true", help="check that every number is there; exit 1 if not")
    ap.add_argument("--keep", action="store_true", help="keep the last run's profile and Maildir")
    ap.add_argument("--json-out", help="write every number as JSON here")
    ap.add_argument("--search-only", metavar="RUN_DIR", help="only the searches, on a run kept by --keep")
    opts = ap.parse_args(argv)
    if opts.search_only:
        return search_only(opts)
    if not opts.env_dir and not opts.use_env:
        ap.error("one of the arguments --env-dir --use-env is required")
    if opts.smoke:
        opts.repeat = opts.repeat or 1
        opts.search_repeat = min(opts.search_repeat, 3)
    for tool in ("mbsync", "notmuch", "/usr/bin/time"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} is missing (Debian packages isync notmuch python3-notmuch2 time: "
                     "scripts/install-deps)")
    for prog in ("tern_bench_sync", "tern_bench_search"):
        if not os.access(os.path.join(opts.bin_dir, prog), os.X_OK):
            sys.exit(f"bench: {prog} is not built in {opts.bin_dir}")
    own_work = not opts.work_dir
    opts.work_dir = os.path.abspath(opts.work_dir or tempfile.mkdtemp(prefix="tern-mail-bench."))
    mark = os.path.join(opts.work_dir, ".tern-mail-bench")
    if os.path.isdir(opts.work_dir) and os.listdir(opts.work_dir) and not os.path.exists(mark):
        sys.exit(f"bench: {opts.work_dir} holds files this benchmark did not make; not touching it")
    shutil.rmtree(opts.work_dir, ignore_errors=True)  # profiles and Maildirs of an earlier run
    os.makedirs(opts.work_dir)
    open(mark, "w").close()

    result = {"machine": machine(), "build_type": build_type(opts.bin_dir), "counts": []}
    env, cleanup = None, []
    try:
        if opts.env_dir:
            env = env_up(os.path.abspath(opts.env_dir))
            cleanup.append(lambda: subprocess.run([os.path.join(ENV_TOOLS, "down"), env["TERN_ENV_DIR"]]))
            if len(opts.counts) > len(PASSWORD_USERS):
                sys.exit(f"bench: at most {len(PASSWORD_USERS)} counts with --env-dir")
            targets = [(env[k], env[k + "_PASSWORD"], "INBOX") for k in PASSWORD_USERS]
        else:
            env = read_env(opts.use_env)
            user, password = env["PASSWORD_USER2"], env["PASSWORD_USER2_PASSWORD"]
            targets = []
            for n in opts.counts:
                folder = f"Bench/mail-{os.getpid()}-{n}"
                targets.append((user, password, folder))

                def drop(folder=folder):
                    m = imap_login(env, user, password)
                    m.delete(imap_quote(folder))
                    m.logout()
                cleanup.append(drop)
        for n, (user, password, folder) in zip(opts.counts, targets):
            result["counts"].append(bench_count(opts, env, user, password, folder, n))
    except BenchError as e:
        sys.exit(f"bench: {e}")
    finally:
        for step in reversed(cleanup):
            try:
                step()
            except Exception as e:  # noqa: BLE001 - cleaning up must not hide the result
                say(f"cleanup: {e}")
        if own_work:
            shutil.rmtree(opts.work_dir, ignore_errors=True)

    if opts.json_out:
        with open(opts.json_out, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    print(markdown(result))
    if opts.smoke:
        problems = check_smoke(result)
        if problems:
            sys.exit("bench: smoke: " + "; ".join(problems))
        print("bench: smoke: every tool ran and every number is there")


if __name__ == "__main__":
    main(sys.argv[1:])
