"""What the relay tests share: a profile with a relayed device signed in by device code (the code
approved through the fake platform's admin side), `tern-cli relay` started and stopped as a
process, an SMTP client of Python's own talking to it as a printer, and the recipient's INBOX read
over IMAP. Run inside tests/env/with-keyring."""
import collections
import email.message
import email.utils
import imaplib
import json
import os
import re
import signal
import smtplib
import socket
import sqlite3
import ssl
import subprocess

from clitest import CliProfile
from envtest import ENV, HOST, TIMEOUT, admin, trusting_context, wait_for

CAROL = ENV["OAUTH_USER1"]
BOB, BOB_PW = ENV["PASSWORD_USER2"], ENV["PASSWORD_USER2_PASSWORD"]
DEVICE = "3rd floor MFP"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class RelayProfile(CliProfile):
    """A profile with one relayed device for carol's mailbox, signed in."""

    def __init__(self, test, settings=None, providers=None):
        super().__init__("tern-relay-")
        self.providers = providers or ENV["TERN_PROVIDERS"]
        self.relay = None
        self.port = free_port()
        added = self.json("device", "add", DEVICE, "--mailbox", CAROL, "--kind", "relayed", "--address", HOST)
        self.user, self.password = added["relay_user"], added["relay_password"]
        self.set(dict({"relay.auth_failure_delay_ms": 300, "relay.first_retry_seconds": 1}, **(settings or {})))
        self.login(test)

    def command(self, *args):
        return [os.environ["TERN_CLI"], "--home", self.home, "--providers", self.providers, *args]

    def set(self, settings):
        db = sqlite3.connect(os.path.join(self.home, "tern.db"))
        with db:
            for key, value in settings.items():
                db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES(?, ?)", (key, str(value)))
        db.close()

    def login(self, test):
        self.approved_by_device_code(test, CAROL, "device", "login", DEVICE)
        test.assertEqual(self.device()["token_state"], "acquired")

    def device(self):
        return self.json("device", "show", DEVICE)

    def start_relay(self, listen_option=True):
        """listen_option False: no --listen, the relay listens where the profile's settings say."""
        listen = ["--listen", f"{HOST}:{self.port}"] if listen_option else []
        with open(os.path.join(self.home, "relay-stderr.log"), "a") as log:
            self.relay = subprocess.Popen(self.command("-v", "--json", "relay", *listen),
                                          stdout=subprocess.PIPE, stderr=log, text=True, env=self.env)
        text = ""
        for line in self.relay.stdout:
            text += line
            try:
                self.ready = json.loads(text)
                break
            except ValueError:
                continue
        else:
            raise AssertionError("the relay did not start: " + self.stderr_log())
        return self.ready

    def stop_relay(self, sig=signal.SIGTERM):
        if self.relay and self.relay.poll() is None:
            self.relay.send_signal(sig)
            self.relay.wait(timeout=60)
        code = self.relay.returncode if self.relay else None
        if self.relay:
            self.relay.stdout.close()
        self.relay = None
        return code

    def stderr_log(self):
        with open(os.path.join(self.home, "relay-stderr.log"), encoding="utf-8", errors="replace") as f:
            return f.read()

    def spool(self):
        """(queued, failed) rows of the spool, read straight from its database."""
        db = sqlite3.connect(os.path.join(self.home, "relay", "spool.db"))
        try:
            return db.execute("SELECT COALESCE(SUM(failed = 0), 0), COALESCE(SUM(failed = 1), 0) FROM spool").fetchone()
        finally:
            db.close()

    def cleanup(self):
        self.stop_relay(signal.SIGKILL)
        super().cleanup()

    # ---- a printer ---------------------------------------------------------------------------
    def printer(self, tls=True, login=True):
        """An SMTP client as a printer uses it: STARTTLS with the relay's certificate pinned by what
        `relay` printed (the admin compares the fingerprint; here we trust that exact certificate)."""
        smtp = smtplib.SMTP(HOST, self.port, timeout=TIMEOUT)
        smtp.ehlo("printer.example.test")
        if tls:
            context = ssl.create_default_context(cafile=os.path.join(self.home, "relay", "relay.crt"))
            context.check_hostname = False  # the certificate names the relay's host, not 127.0.0.1's name
            smtp.starttls(context=context)
            smtp.ehlo("printer.example.test")
            if login:
                smtp.login(self.user, self.password)
        return smtp


def scan_message(subject, sender=CAROL, to=BOB, attachment_bytes=0):
    msg = email.message.EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate()
    msg["Message-ID"] = email.utils.make_msgid(domain="printer.example.test")
    msg.set_content("Scanned on the 3rd floor.\n")
    if attachment_bytes:
        msg.add_attachment(os.urandom(attachment_bytes), maintype="application", subtype="pdf",
                           filename="scan.pdf")
    return msg


def inbox_message_ids(user=BOB, password=BOB_PW):
    return set(inbox_message_id_counts(user, password))


def inbox_message_id_counts(user=BOB, password=BOB_PW):
    """How many copies of each Message-ID the INBOX holds."""
    m = imaplib.IMAP4_SSL(HOST, int(ENV["IMAPS_PORT"]), ssl_context=trusting_context(), timeout=TIMEOUT)
    try:
        m.login(user, password)
        m.select("INBOX", readonly=True)
        typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        ids = collections.Counter()
        if typ == "OK":
            for item in data:
                if isinstance(item, tuple):
                    found = re.search(rb"<[^>]+>", item[1])
                    if found:
                        ids[found.group(0).decode()] += 1
        return ids
    except imaplib.IMAP4.error:
        return collections.Counter()  # an empty mailbox answers FETCH 1:* with BAD
    finally:
        m.logout()


def wait_delivered(message_ids, deadline=120):
    missing = set(message_ids)

    def all_there():
        missing.difference_update(inbox_message_ids())
        return not missing

    wait_for(f"{len(message_ids)} message(s) in bob's INBOX", all_there, deadline=deadline, interval=0.5)
