#!/usr/bin/python3
"""The device relay (tern-cli relay) beside Postfix, accepting the same load on the same machine.

usage: run_relay_bench.py --bin-dir DIR [--messages N] [--connections C] [--size BYTES]
                          [--rounds R] [--servers sink,tern,postfix] [--work-dir DIR] [--smoke]
                          [--json-out F]
Run inside tests/env/with-keyring (the relay reads its relay password from the keyring).

The load: C concurrent connections (processes of their own, so that the client has the cores it
needs), each EHLO, STARTTLS, EHLO, AUTH PLAIN once, then its share of N messages of about BYTES
(a scan-like message: a short text part and a base64 "PDF"), one after another, as a printer
sends: MAIL FROM, RCPT TO, DATA, each waiting for its reply. Accepted messages/s is N over the
time from the moment every connection was signed in to the last 250; the accept latency is
measured by the client from the end of DATA (the last byte of "<CRLF>.<CRLF>" written) to the
250 read. The client sets TCP_NODELAY: without it the message's last TLS record waits for the
server's delayed ACK (40 ms on Linux) and every server measures the same 45 ms. Servers, one
after another, R rounds in alternating order:
  - Tern: `tern-cli relay` on a fresh profile with one relayed device (device add --kind
    relayed); every message is in the spool (SQLite WAL, synchronous=FULL, group commit) before
    250. The device is not signed in, so its mail stays in the spool: forwarding upstream is not
    measured. The forwarder still wakes after each commit, finds the device cannot be reached and
    defers each new message by an hour (relay.first_retry_seconds), one spool write per message:
    that is measured, as it happens whenever a device's upstream is away.
  - Postfix (Debian's): a private instance (config_directory, queue_directory in the work dir),
    smtpd on a loopback port, TLS required (a throwaway certificate), SASL through a private
    Dovecot auth socket (passwd-file), reject_sender_login_mismatch (only the device's mailbox as
    sender, as the relay enforces), and every message put on hold (check_sender_access HOLD):
    queued, fsynced by cleanup as Postfix always does, and never delivered, as in Tern's spool.
  - sink: Postfix's smtp-sink (no TLS: smtp-sink has none; AUTH accepted as offered), the same
    client against a server that does nothing: the client's own ceiling.
Peak RSS: VmHWM of the relay process; for Postfix the sum over the instance's processes
(master and its children: smtpd per connection, cleanup, qmgr, ...) read before it stops, which
counts the pages they share once per process; PSS (shared pages divided among their users) at the
end of the load is the fairer sum. The Dovecot auth helper is not counted. Prints the machine and
a markdown table (docs/benchmarks.md).
--smoke: a short run that must produce every number and find every message queued (exit 1
otherwise).
"""
import argparse
import base64
import json
import multiprocessing
import os
import platform
import random
import resource
import shutil
import signal
import socket
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
POSTFIX_MASTER = "/usr/lib/postfix/sbin/master"
SMTP_SINK = "/usr/sbin/smtp-sink"
DEVICE = "bench-mfp"
MAILBOX = "scanner@example.test"
RECIPIENT = "office@example.org"
HOST = "127.0.0.1"


class BenchError(Exception):
    pass


def say(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise BenchError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"{what} does not listen on {port}")


# ---- the load ----------------------------------------------------------------------------------

def scan_message(index, size):
    """A scan-like message of about `size` bytes, CRLF line ends, ending in CRLF (no line starts
    with a dot: base64 and the headers never do)."""
    head = (f"From: Scanner <{MAILBOX}>\r\nTo: <{RECIPIENT}>\r\nSubject: Scan {index:06d}\r\n"
            "Date: Fri, 04 Dec 2026 10:00:00 +0000\r\n"
            f"Message-ID: <bench.{index}.{os.getpid()}@printer.example.test>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"scan\"\r\n\r\n--scan\r\n"
            "Content-Type: text/plain\r\n\r\nScanned on the 3rd floor.\r\n--scan\r\n"
            "Content-Type: application/pdf; name=scan.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
    payload = random.Random(index).randbytes(max(0, (size - len(head) - 20) * 57 // 78))
    body = base64.encodebytes(payload).decode().replace("\n", "\r\n")
    return (head + body + "--scan--\r\n").encode()


class Client:
    def __init__(self, port, tls, cafile):
        self.sock = socket.create_connection((HOST, port), timeout=60)
        # Without it, the message's last TLS record waits for the ACK of the one before (Nagle),
        # which the server delays by 40 ms: every accept would measure Linux's delayed ACK.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.file = self.sock.makefile("rb")
        self.expect(220)
        self.ehlo()
        if tls:
            self.command(b"STARTTLS", 220)
            context = ssl.create_default_context(cafile=cafile)
            context.check_hostname = False  # a throwaway certificate; the fingerprint is not the point
            self.file.close()
            self.sock = context.wrap_socket(self.sock)
            self.file = self.sock.makefile("rb")
            self.cipher = self.sock.version() + " " + self.sock.cipher()[0]
            self.ehlo()
        else:
            self.cipher = "none"

    def reply(self):
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise BenchError("the server closed the connection")
            lines.append(line)
            if line[3:4] != b"-":
                return int(line[:3]), b"".join(lines)

    def expect(self, code):
        got, text = self.reply()
        if got != code:
            raise BenchError(f"expected {code}, got {text!r}")
        return text

    def command(self, line, code):
        self.sock.sendall(line + b"\r\n")
        return self.expect(code)

    def ehlo(self):
        self.command(b"EHLO printer.example.test", 250)

    def login(self, user, password):
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode())
        self.sock.sendall(b"AUTH PLAIN " + token + b"\r\n")
        code, text = self.reply()
        if code != 235 and not (self.cipher == "none" and code == 250):  # smtp-sink answers AUTH with 250
            raise BenchError(f"AUTH: {text!r}")

    def send(self, message):
        """One transaction; returns the seconds from the end of DATA to the 250."""
        self.command(f"MAIL FROM:<{MAILBOX}>".encode(), 250)
        self.command(f"RCPT TO:<{RECIPIENT}>".encode(), 250)
        self.command(b"DATA", 354)
        self.sock.sendall(message + b".\r\n")
        start = time.monotonic()
        self.expect(250)
        return time.monotonic() - start

    def quit(self):
        try:
            self.command(b"QUIT", 221)
        finally:
            self.sock.close()


def worker(port, tls, cafile, user, password, indexes, size, barrier, results):
    try:
        messages = [scan_message(i, size) for i in indexes]
        client = Client(port, tls, cafile)
        client.login(user, password)
        barrier.wait(timeout=120)
        started = time.monotonic()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        latencies = [client.send(m) for m in messages]
        ended = time.monotonic()
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        client.quit()
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        results.put({"started": started, "ended": ended, "latencies": latencies, "cpu": cpu,
                     "cipher": client.cipher})
    except Exception as e:  # reported by the parent
        barrier.abort()
        results.put({"error": f"{type(e).__name__}: {e}"})


def drive(port, tls, cafile, user, password, messages, connections, size):
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(connections), ctx.Queue()
    shares = [list(range(c, messages, connections)) for c in range(connections)]
    procs = [ctx.Process(target=worker, args=(port, tls, cafile, user, password, share, size, barrier, results))
             for share in shares]
    for p in procs:
        p.start()
    got = [results.get(timeout=900) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [g["error"] for g in got if "error" in g]
    if errors:
        raise BenchError("client: " + "; ".join(errors[:3]))
    latencies = sorted(x for g in got for x in g["latencies"])
    if len(latencies) != messages:
        raise BenchError(f"{len(latencies)} of {messages} messages were accepted")
    wall = max(g["ended"] for g in got) - min(g["started"] for g in got)
    return {"messages": messages, "seconds": wall, "rate": messages / wall,
            "p50_ms": 1000 * percentile(latencies, 50), "p99_ms": 1000 * percentile(latencies, 99),
            "client_cpu_ms_per_message": 1000 * sum(g["cpu"] for g in got) / messages, "cipher": got[0]["cipher"]}


def percentile(sorted_values, p):
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                total += sum(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        except OSError:
            pass
    return total


def descendants(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def stop(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Server:
    """What the run asks of every server: start(), stop(), queued() (None: not checked) and the
    pids whose memory counts."""

    def peak_rss_kib(self):
        return sum(vm_hwm_kib(pid) for pid in self.processes())

    def pss_kib(self):
        return pss_kib(self.processes())


# ---- Tern --------------------------------------------------------------------------------------

class TernRelay(Server):
    name = "Tern relay"

    def __init__(self, work, bin_dir):
        self.cli = os.path.join(bin_dir, "tern-cli")
        self.home = os.path.join(work, "tern-home")
        os.makedirs(self.home)
        added = json.loads(self.run("--json", "device", "add", DEVICE, "--mailbox", MAILBOX, "--kind", "relayed",
                                    "--address", HOST))
        self.user, self.password = added["relay_user"], added["relay_password"]
        db = sqlite3.connect(os.path.join(self.home, "tern.db"))
        with db:
            # The device is never signed in: keep the forwarder from retrying during the run.
            db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES('relay.first_retry_seconds', '3600')")
        db.close()
        self.cafile = os.path.join(self.home, "relay", "relay.crt")
        self.proc = None

    def run(self, *args):
        proc = subprocess.run([self.cli, "--home", self.home, *args], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise BenchError(f"tern-cli {' '.join(args)} -> {proc.returncode}: {proc.stderr}")
        return proc.stdout

    def start(self):
        self.log = open(os.path.join(self.home, "relay-stderr.log"), "a")
        self.port = free_port()
        self.proc = subprocess.Popen([self.cli, "--home", self.home, "-v", "--json", "relay", "--listen",
                                      f"{HOST}:{self.port}"], stdout=subprocess.PIPE, stderr=self.log, text=True)
        text = ""
        for line in self.proc.stdout:
            text += line
            try:
                json.loads(text)
                break
            except ValueError:
                continue
        else:
            raise BenchError("the relay did not start; see " + self.log.name)

    def queued(self):
        db = sqlite3.connect(os.path.join(self.home, "relay", "spool.db"))
        try:
            return db.execute("SELECT COUNT(*) FROM spool").fetchone()[0]
        finally:
            db.close()

    def processes(self):
        return [self.proc.pid]

    def stop(self):
        if self.proc:
            stop(self.proc)
            self.proc.stdout.close()
            self.log.close()
            self.proc = None


# ---- Postfix -----------------------------------------------------------------------------------

POSTFIX_MAIN = """compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = {d}/postfix.log
maillog_file_prefixes = {d}
myhostname = relay-bench.example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtpd_banner = $myhostname ESMTP
message_size_limit = 36700160
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_cert_file = {d}/server.crt
smtpd_tls_key_file = {d}/server.key
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_sender_login_maps = inline:{{ {mailbox}={user} }}
smtpd_sender_restrictions = reject_sender_login_mismatch, check_sender_access inline:{{ {mailbox}=HOLD }}
# Nothing leaves: every message is held (above), and smtp would only defer.
defer_transports = smtp
"""

POSTFIX_MASTER_CF = """{host}:{port} inet n - n - - smtpd
pickup     unix  n       -       n       60      1       pickup
cleanup    unix  n       -       n       -       0       cleanup
qmgr       unix  n       -       n       300     1       qmgr
tlsmgr     unix  -       -       n       1000?   1       tlsmgr
rewrite    unix  -       -       n       -       -       trivial-rewrite
bounce     unix  -       -       n       -       0       bounce
defer      unix  -       -       n       -       0       bounce
trace      unix  -       -       n       -       0       bounce
verify     unix  -       -       n       -       1       verify
proxymap   unix  -       -       n       -       -       proxymap
showq      unix  n       -       n       -       -       showq
error      unix  -       -       n       -       -       error
retry      unix  -       -       n       -       -       error
anvil      unix  -       -       n       -       1       anvil
scache     unix  -       -       n       -       1       scache
postlog    unix-dgram n  -       n       -       1       postlogd
"""

DOVECOT_CONF = """instance_name = relay-bench-auth
base_dir = {d}/dovecot/run
state_dir = {d}/dovecot/state
log_path = {d}/dovecot/dovecot.log
protocols =
ssl = no
default_login_user = dovenull
default_internal_user = dovecot
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/dovecot/users
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}}
service auth {{
  unix_listener {d}/queue/private/auth {{
    mode = 0660
    user = postfix
    group = postfix
  }}
}}
"""


class Postfix(Server):
    name = "Postfix"

    def __init__(self, work):
        self.dir = d = os.path.join(work, "postfix")
        self.user, self.password = "relay-printer", "bench-" + base64.b32encode(os.urandom(10)).decode().lower()
        for sub in ("etc", "data", "dovecot/run", "dovecot/state"):
            os.makedirs(os.path.join(d, sub))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=relay-bench.example.test", "-keyout", f"{d}/server.key",
                        "-out", f"{d}/server.crt"], check=True, capture_output=True)
        self.cafile = f"{d}/server.crt"
        with open(f"{d}/etc/main.cf", "w") as f:
            f.write(POSTFIX_MAIN.format(d=d, mailbox=MAILBOX, user=self.user))
        self.port = free_port()
        with open(f"{d}/etc/master.cf", "w") as f:
            f.write(POSTFIX_MASTER_CF.format(host=HOST, port=self.port))
        with open(f"{d}/dovecot.conf", "w") as f:
            f.write(DOVECOT_CONF.format(d=d))
        with open(f"{d}/dovecot/users", "w") as f:
            f.write(f"{self.user}:{{PLAIN}}{self.password}\n")
        os.chmod(f"{d}/dovecot/users", 0o644)
        # The queue as post-install makes it (see tests/env/up).
        q = f"{d}/queue"
        os.makedirs(f"{q}/pid")
        for sub in ("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold", "incoming", "private",
                    "saved", "trace"):
            subprocess.run(["install", "-d", "-o", "postfix", "-g", "root", "-m", "0700", f"{q}/{sub}"], check=True)
        subprocess.run(["install", "-d", "-o", "postfix", "-g", "postdrop", "-m", "0730", f"{q}/maildrop"], check=True)
        subprocess.run(["install", "-d", "-o", "postfix", "-g", "postdrop", "-m", "0710", f"{q}/public"], check=True)
        shutil.chown(f"{d}/data", "postfix")
        self.master = self.dovecot = None

    def start(self):
        d = self.dir
        self.dovecot = subprocess.Popen(["dovecot", "-F", "-c", f"{d}/dovecot.conf"],
                                        stdout=open(f"{d}/dovecot/stdout.log", "w"), stderr=subprocess.STDOUT)
        self.master = subprocess.Popen([POSTFIX_MASTER, "-c", f"{d}/etc", "-d"],
                                       stdout=open(f"{d}/master.log", "w"), stderr=subprocess.STDOUT)
        wait_port(self.port, self.master, "Postfix")
        end = time.monotonic() + 30
        while not os.path.exists(f"{d}/queue/private/auth"):
            if time.monotonic() > end or self.dovecot.poll() is not None:
                raise BenchError("Dovecot's auth socket did not appear; see " + f"{d}/dovecot/dovecot.log")
            time.sleep(0.1)

    def queued(self):
        return sum(len(files) for _, _, files in os.walk(f"{self.dir}/queue/hold"))

    def processes(self):
        return descendants(self.master.pid)

    def stop(self):
        for proc in (self.master, self.dovecot):
            if proc:
                stop(proc)
        self.master = self.dovecot = None


class Sink(Server):
    name = "smtp-sink (client ceiling, no TLS)"

    def __init__(self):
        self.user, self.password, self.cafile = "sink", "sink", None
        self.proc = None

    def start(self):
        self.port = free_port()
        self.proc = subprocess.Popen([SMTP_SINK, "-u", "nobody", f"{HOST}:{self.port}", "64"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port, self.proc, "smtp-sink")

    def queued(self):
        return None

    def processes(self):
        return [self.proc.pid]

    def stop(self):
        if self.proc:
            stop(self.proc)
            self.proc = None


# ---- the run -----------------------------------------------------------------------------------

def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_gib = int(f.readline().split()[1]) / 1024 / 1024
    postfix = subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True, text=True).stdout.strip()
    df = subprocess.run(["df", "-T", tempfile.gettempdir()], capture_output=True, text=True).stdout
    fs = df.splitlines()[-1].split()[1]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_gib, 1), "kernel": platform.release(),
            "python": platform.python_version(), "postfix": postfix, "tmp_filesystem": fs}


def measure(server, args, sent_before):
    server.start()
    try:
        result = drive(server.port, server.cafile is not None, server.cafile, server.user, server.password,
                       args.messages, args.connections, args.size)
        result["peak_rss_mib"] = server.peak_rss_kib() / 1024
        result["pss_mib"] = server.pss_kib() / 1024
        queued = server.queued()
        if queued is not None and queued != sent_before + args.messages:
            raise BenchError(f"{server.name}: {queued} messages queued, {sent_before + args.messages} expected")
        result["queued"] = queued
    finally:
        server.stop()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin-dir", required=True)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--size", type=int, default=20 * 1024)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--work-dir")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json-out")
    parser.add_argument("--servers", default="sink,tern,postfix", help="which of sink,tern,postfix to run")
    args = parser.parse_args()
    if args.smoke:
        args.rounds = 1

    if "postfix" in args.servers.split(",") and os.geteuid() != 0:
        raise BenchError("must run as root for Postfix and Dovecot (they drop to their own users), as tests/env/up")
    if args.work_dir:
        os.makedirs(args.work_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="tern-relay-bench-", dir=args.work_dir)
    os.chmod(work, 0o755)  # Postfix and Dovecot run as their own users in here
    servers, results, order = {}, {}, []
    try:
        make = {"sink": Sink, "tern": lambda: TernRelay(work, args.bin_dir), "postfix": lambda: Postfix(work)}
        order = [k for k in ("sink", "tern", "postfix") if k in args.servers.split(",")]
        servers = {k: make[k]() for k in order}
        say(f"{args.messages} messages of {args.size} bytes over {args.connections} connections, "
            f"{args.rounds} round(s); work dir {work}")
        for r in range(args.rounds):
            for key in order if r % 2 == 0 else order[:1] + order[:0:-1]:
                done = sum(x["messages"] for x in results.get(key, []))
                result = measure(servers[key], args, done)
                say(f"round {r + 1} {servers[key].name}: {result['rate']:.0f} msg/s, p50 {result['p50_ms']:.1f} ms, "
                    f"p99 {result['p99_ms']:.1f} ms, peak RSS {result['peak_rss_mib']:.1f} MiB")
                results.setdefault(key, []).append(result)
    finally:
        for s in servers.values():
            s.stop()
        if args.smoke or not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)

    info = machine()
    print(f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB, Linux {info['kernel']}, "
          f"{info['tmp_filesystem']} under {tempfile.gettempdir()}; Postfix {info['postfix']}, Python {info['python']}")
    print(f"Load: {args.messages} messages of {args.size // 1024} KB, {args.connections} connections, "
          f"{args.rounds} round(s) (numbers: median over rounds)")
    print()
    print("| server | messages/s | accept p50 (ms) | accept p99 (ms) | peak RSS (MiB) | PSS at the end (MiB) "
          "| client CPU (ms/msg) | TLS |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    summary = {}
    for key in ("tern", "postfix", "sink"):
        rs = results.get(key, [])
        if not rs:
            continue
        row = {k: statistics.median(r[k] for r in rs)
               for k in ("rate", "p50_ms", "p99_ms", "peak_rss_mib", "pss_mib", "client_cpu_ms_per_message")}
        row["cipher"], row["rounds"] = rs[0]["cipher"], rs
        summary[key] = row
        print(f"| {servers[key].name} | {row['rate']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
              f"{row['peak_rss_mib']:.1f} | {row['pss_mib']:.1f} | {row['client_cpu_ms_per_message']:.2f} | "
              f"{row['cipher']} |")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"machine": info, "load": vars(args), "results": summary}, f, indent=2)
    if args.smoke:
        missing = [k for k in order if k not in summary or not all(
            summary[k][n] > 0 for n in ("rate", "p50_ms", "p99_ms", "peak_rss_mib", "pss_mib"))]
        if missing:
            say("missing numbers for " + ", ".join(missing))
            return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as e:
        say(f"failed: {e}")
        sys.exit(1)
