"""The device relay (DESIGN §5, issue 8) as printers meet it, driven by clients nobody here wrote
(Python's smtplib and swaks): a scan goes relay → Dovecot submission with XOAUTH2 as the device's
mailbox → the recipient's INBOX; everything a printer must not do is refused; mail survives an
upstream outage and a revoked sign-in. Run inside tests/env/with-keyring."""
import base64
import json
import os
import smtplib
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import unittest
import uuid

from envtest import ENV, HOST, TIMEOUT, admin, wait_for
from relaytest import CAROL, BOB, DEVICE, RelayProfile, free_port, inbox_message_ids, scan_message, wait_delivered


class Relay(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.environ.get("TERN_TEST_PRIVATE_KEYRING"), "run inside tests/env/with-keyring")
        admin("/admin/reset", {})
        admin("/admin/device/settings", {"interval": 1})
        self.p = RelayProfile(self, settings={"relay.max_message_mb": 8})
        self.ready = self.p.start_relay()

    def tearDown(self):
        self.p.cleanup()
        admin("/admin/reset", {})

    def test_a_scan_with_a_5_mb_pdf_reaches_the_recipients_inbox(self):
        self.assertEqual(self.ready["port"], self.p.port)
        self.assertRegex(self.ready["certificate_sha256"], r"^([0-9a-f]{2}:){31}[0-9a-f]{2}$")
        msg = scan_message("scan " + uuid.uuid4().hex[:8], attachment_bytes=5 * 1024 * 1024)
        with self.p.printer() as smtp:
            refused = smtp.send_message(msg)
        self.assertEqual(refused, {})
        wait_delivered({msg["Message-ID"]})
        device = self.p.device()
        self.assertEqual(device["spooled"], 1)
        wait_for("the delivered counter", lambda: self.p.device()["delivered"] == 1)
        self.assertEqual(self.p.spool(), (0, 0))
        log = self.p.stderr_log()
        self.assertIn(f'device "{DEVICE}": accepted', log)
        self.assertNotIn(self.p.password, log)

    def test_swaks_as_the_printer(self):
        subject = "swaks " + uuid.uuid4().hex[:8]
        message_id = f"<{uuid.uuid4().hex}@printer.example.test>"
        proc = subprocess.run(
            ["swaks", "--server", HOST, "--port", str(self.p.port), "--tls", "--tls-verify", "--tls-ca-path",
             os.path.join(self.p.home, "relay", "relay.crt"), "--auth", "LOGIN", "--auth-user", self.p.user,
             "--auth-password", self.p.password, "--from", CAROL, "--to", BOB, "--helo", "mfp.example.test",
             "--header", f"Subject: {subject}", "--header", f"Message-Id: {message_id}", "--body",
             "Scanned by swaks.", "--timeout", "30"],
            capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn("250 2.0.0 Ok: queued as", proc.stdout)
        wait_delivered({message_id})

    def test_refusals_no_tls_no_auth_wrong_password_foreign_sender_oversize(self):
        # AUTH is not even offered in the clear, and refused if tried.
        with self.p.printer(tls=False) as smtp:
            self.assertFalse(smtp.has_extn("auth"))
            self.assertEqual(smtp.docmd("AUTH", "PLAIN AGFiYwBkZWY=")[0], 530)
            self.assertEqual(smtp.docmd("MAIL", f"FROM:<{CAROL}>")[0], 530)
        # Inside TLS but not signed in: no mail.
        with self.p.printer(login=False) as smtp:
            self.assertTrue(smtp.has_extn("auth"))
            code, text = smtp.docmd("MAIL", f"FROM:<{CAROL}>")
            self.assertEqual((code, text), (530, b"5.7.0 Authentication required"))
        # A wrong password: 535, after a delay.
        with self.p.printer(login=False) as smtp:
            started = time.monotonic()
            with self.assertRaises(smtplib.SMTPAuthenticationError) as refused:
                smtp.login(self.p.user, "not-the-password")
            self.assertEqual(refused.exception.smtp_code, 535)
            self.assertGreaterEqual(time.monotonic() - started, 0.25)
        # Someone else's address as sender: 550, and nothing is queued.
        with self.p.printer() as smtp:
            code, text = smtp.mail("ceo@example.test")
            self.assertEqual(code, 550)
            self.assertIn(b"5.7.1", text)
            self.assertIn(CAROL.encode(), text)
            # Larger than the limit (8 MB here): refused as announced, and when sent anyway.
            code, _ = smtp.mail(CAROL, ["SIZE=9000000"])
            self.assertEqual(code, 552)
            smtp.rset()
            big = scan_message("too big", attachment_bytes=7 * 1024 * 1024)
            self.assertEqual(smtp.mail(CAROL)[0], 250)  # no SIZE: the relay learns it while reading
            self.assertEqual(smtp.rcpt(BOB)[0], 250)
            code, text = smtp.data(big.as_bytes())
            self.assertEqual(code, 552, text)
            self.assertIn(b"5.3.4", text)
        self.assertEqual(self.p.spool(), (0, 0))
        self.assertEqual(self.p.device()["spooled"], 0)

    def test_commands_pipelined_after_starttls_are_discarded(self):
        auth = __import__("base64").b64encode(f"\0{self.p.user}\0{self.p.password}".encode()).decode()
        raw = socket.create_connection((HOST, self.p.port), timeout=TIMEOUT)
        reader = raw.makefile("rb")
        reader.readline()  # 220
        raw.sendall(b"EHLO mfp\r\n")
        while reader.readline()[3:4] == b"-":
            pass
        # An attacker in the middle appends its own commands to the clear-text STARTTLS.
        raw.sendall(b"STARTTLS\r\nEHLO evil\r\nAUTH PLAIN " + auth.encode() + b"\r\n")
        self.assertTrue(reader.readline().startswith(b"220 "))
        context = ssl.create_default_context(cafile=os.path.join(self.p.home, "relay", "relay.crt"))
        context.check_hostname = False
        tls = context.wrap_socket(raw, server_hostname="localhost")
        tls_reader = tls.makefile("rb")
        tls.sendall(b"MAIL FROM:<" + CAROL.encode() + b">\r\n")
        self.assertTrue(tls_reader.readline().startswith(b"503 5.5.1"))  # no EHLO: the injected one is gone
        tls.sendall(b"EHLO mfp\r\n")
        while tls_reader.readline()[3:4] == b"-":
            pass
        tls.sendall(b"MAIL FROM:<" + CAROL.encode() + b">\r\n")
        self.assertTrue(tls_reader.readline().startswith(b"530 5.7.0"))  # and so is the injected AUTH
        tls.close()

    def test_without_listen_the_relay_listens_at_the_address_saved_in_the_profile(self):
        # As the devices pane's relay page saves it.
        self.p.stop_relay()
        self.p.port = free_port()
        self.p.set({"relay.listen_host": HOST, "relay.listen_port": self.p.port})
        ready = self.p.start_relay(listen_option=False)
        self.assertEqual(ready["port"], self.p.port)
        msg = scan_message("saved address " + uuid.uuid4().hex[:8])
        with self.p.printer() as smtp:
            self.assertEqual(smtp.send_message(msg), {})
        wait_delivered({msg["Message-ID"]})

    def test_upstream_down_queues_and_delivers_when_it_returns(self):
        # A relay whose upstream submission server is a proxy this test switches off and on.
        self.p.stop_relay()
        proxy = Proxy(int(ENV["SUBMISSION_PORT"]))
        self.p.providers = providers_with_smtp_port(self.p.home, proxy.port)
        self.p.start_relay()
        msg = scan_message("outage " + uuid.uuid4().hex[:8])
        with self.p.printer() as smtp:
            smtp.send_message(msg)  # 250: on disk, although upstream is down
        wait_for("the message deferred", lambda: self.p.device()["last_error"] is not None, deadline=30)
        self.assertEqual(self.p.spool(), (1, 0))
        self.assertEqual(self.p.device()["token_state"], "acquired")  # an outage is not a sign-in problem
        self.assertNotIn(msg["Message-ID"], inbox_message_ids())
        proxy.start()
        try:
            wait_delivered({msg["Message-ID"]}, deadline=90)
            wait_for("the spool empty", lambda: self.p.spool() == (0, 0))
        finally:
            proxy.stop()

    def test_a_revoked_sign_in_makes_the_device_invalid_and_keeps_its_mail(self):
        admin("/admin/revoke", {"user": CAROL})
        msg = scan_message("revoked " + uuid.uuid4().hex[:8])
        with self.p.printer() as smtp:
            smtp.send_message(msg)
        wait_for("the device Invalid", lambda: self.p.device()["token_state"] == "invalid", deadline=60)
        device = self.p.device()
        self.assertTrue(device["token_reason"])
        self.assertEqual(self.p.spool(), (1, 0))  # kept, not failed
        self.assertNotIn(msg["Message-ID"], inbox_message_ids())
        # Signed in again: the kept mail goes out.
        self.p.login(self)
        wait_delivered({msg["Message-ID"]}, deadline=90)
        wait_for("the spool empty", lambda: self.p.spool() == (0, 0))

    def test_a_recipient_refused_for_good_is_failed_and_shown_on_the_device(self):
        # The environment's MTA refuses every domain but its own at RCPT (554): a permanent answer.
        msg = scan_message("nowhere " + uuid.uuid4().hex[:8], to="someone@elsewhere.invalid")
        with self.p.printer() as smtp:
            smtp.send_message(msg)  # the relay accepted it; the refusal comes upstream
        wait_for("the failed counter", lambda: self.p.device()["failed"] == 1, deadline=60)
        device = self.p.device()
        self.assertIn("refused the message", device["last_error"])
        self.assertEqual(device["token_state"], "acquired")
        self.assertEqual(self.p.spool(), (0, 1))  # kept for the admin to see, never retried
        self.assertEqual(device["waiting_messages"], [])
        [failed] = device["failed_messages"]
        self.assertEqual(failed["recipients"], ["someone@elsewhere.invalid"])
        self.assertIn("554", failed["last_error"])
        self.assertIn("failed  ", self.p.run("device", "show", DEVICE).stdout)

    def test_a_temporary_refusal_is_retried(self):
        self.p.stop_relay()
        upstream = RefusingOnceUpstream()
        self.p.providers = providers_with_smtp_port(self.p.home, upstream.port)
        self.p.start_relay()
        try:
            msg = scan_message("retry " + uuid.uuid4().hex[:8])
            with self.p.printer() as smtp:
                smtp.send_message(msg)
            wait_for("the second attempt accepted", lambda: len(upstream.accepted) == 1, deadline=60)
            self.assertEqual(upstream.refused, 1)
            self.assertIn(msg["Message-ID"].encode(), upstream.accepted[0])
            self.assertEqual(upstream.mechanisms, [b"XOAUTH2", b"XOAUTH2"])
            wait_for("the spool empty", lambda: self.p.spool() == (0, 0))
            self.assertEqual(self.p.device()["delivered"], 1)
        finally:
            upstream.stop()

    def test_smtp_auth_disabled_for_the_mailbox_makes_the_device_invalid_and_keeps_its_mail(self):
        self.p.stop_relay()
        upstream = RefusingOnceUpstream(auth_reply=b"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication "
                                                   b"is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled")
        self.p.providers = providers_with_smtp_port(self.p.home, upstream.port)
        self.p.start_relay()
        try:
            msg = scan_message("5.7.139 " + uuid.uuid4().hex[:8])
            with self.p.printer() as smtp:
                smtp.send_message(msg)
            wait_for("the device Invalid", lambda: self.p.device()["token_state"] == "invalid", deadline=60)
            device = self.p.device()
            self.assertIn("5.7.139", device["last_error"])
            self.assertIn("SMTP AUTH", device["token_reason"] + device["last_error"])
            self.assertEqual(self.p.spool(), (1, 0))  # kept for when the admin has turned SMTP AUTH on
            [waiting] = device["waiting_messages"]
            self.assertIn("5.7.139", waiting["last_error"])
            self.assertGreater(waiting["next_attempt"], waiting["received_at"])
            self.assertEqual(upstream.accepted, [])
        finally:
            upstream.stop()

    def test_connection_and_sign_in_limits(self):
        # 16 connections from one address at once; the 17th is turned away.
        held = [socket.create_connection((HOST, self.p.port), timeout=TIMEOUT) for _ in range(16)]
        try:
            for s in held:
                self.assertTrue(s.makefile("rb").readline().startswith(b"220 "))
            extra = socket.create_connection((HOST, self.p.port), timeout=TIMEOUT)
            self.assertTrue(extra.makefile("rb").readline().startswith(b"421 4.7.0 Too many connections"))
            extra.close()
        finally:
            for s in held:
                s.close()

        def greeting():
            with socket.create_connection((HOST, self.p.port), timeout=TIMEOUT) as s:
                return s.makefile("rb").readline()

        # The relay notices the closed connections as it reads them.
        wait_for("a free connection slot", lambda: greeting().startswith(b"220 "), deadline=10)
        # Ten wrong passwords (three a connection, then it is closed) lock the address out for a while.
        failures = 0
        while failures < 10:
            with self.p.printer(login=False) as smtp:
                for _ in range(min(3, 10 - failures)):
                    wrong = base64.b64encode(f"\0{self.p.user}\0guess-{failures}".encode()).decode()
                    code, _ = smtp.docmd("AUTH", "PLAIN " + wrong)
                    self.assertIn(code, (535, 421))
                    failures += 1
        # The relay counts the last failure just after answering it.
        wait_for("the address locked out", lambda: greeting().startswith(b"421 4.7.0 Too many failed sign-ins"),
                 deadline=10)


class RefusingOnceUpstream:
    """An upstream submission server with STARTTLS (the environment's certificate) that takes any
    XOAUTH2 sign-in (or answers AUTH with `auth_reply`) and answers the first message with 451 and
    the next with 250."""

    def __init__(self, auth_reply=b"235 2.7.0 ok"):
        self.auth_reply = auth_reply
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        env_dir = os.path.dirname(ENV["TERN_CA_FILE"])
        self.context.load_cert_chain(os.path.join(env_dir, "server.pem"), os.path.join(env_dir, "server.key"))
        self.server = socket.socket()
        self.server.bind((HOST, 0))
        self.server.listen(8)
        self.port = self.server.getsockname()[1]
        self.refused, self.accepted, self.mechanisms, self.transcript = 0, [], [], []
        threading.Thread(target=self._serve, daemon=True).start()

    def stop(self):
        self.server.close()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        try:
            f = conn.makefile("rwb")

            def say(line):
                f.write(line + b"\r\n")
                f.flush()

            say(b"220 upstream.example.test ESMTP")
            while True:
                line = f.readline()
                self.transcript.append(line)
                if not line:
                    return
                verb = line.split(b" ", 1)[0].strip().upper()
                if verb == b"EHLO":
                    tls = isinstance(conn, ssl.SSLSocket)
                    say(b"250-upstream")
                    # As Dovecot and Exchange Online do, with more than XOAUTH2: vmime 0.9.2 asks GNU SASL
                    # to suggest a mechanism first, which fails when XOAUTH2 is the only one.
                    say(b"250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER" if tls else b"250-STARTTLS")
                    say(b"250 8BITMIME")
                elif verb == b"STARTTLS":
                    say(b"220 go ahead")
                    conn = self.context.wrap_socket(conn, server_side=True)
                    f = conn.makefile("rwb")
                elif verb == b"AUTH":
                    words = line.split()
                    self.mechanisms.append(words[1])
                    if len(words) == 2:  # no initial response: ask for it
                        say(b"334 ")
                        f.readline()
                    say(self.auth_reply)
                elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    say(b"250 ok")
                elif verb == b"DATA":
                    say(b"354 go")
                    data = b""
                    while True:
                        chunk = f.readline()
                        if chunk in (b".\r\n", b""):
                            break
                        data += chunk
                    if self.refused == 0:
                        self.refused += 1
                        say(b"451 4.3.0 Temporary local problem, try again later")
                    else:
                        self.accepted.append(data)
                        say(b"250 2.0.0 queued")
                elif verb == b"QUIT":
                    say(b"221 bye")
                    return
                else:
                    say(b"502 no")
        except (OSError, ssl.SSLError):
            return
        finally:
            conn.close()


class Proxy:
    """A TCP forwarder to `target` that listens only while started (connection refused otherwise)."""

    def __init__(self, target):
        self.target = target
        with socket.socket() as s:
            s.bind((HOST, 0))
            self.port = s.getsockname()[1]
        self.server = None

    def start(self):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((HOST, self.port))
        self.server.listen(16)
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def stop(self):
        if self.server:
            self.server.close()
            self.server = None

    def _accept(self, server):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection((HOST, self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def providers_with_smtp_port(home, smtp_port):
    """The environment's providers.json with every OAuth SMTP server moved to `smtp_port`."""
    with open(ENV["TERN_PROVIDERS"], encoding="utf-8") as f:
        text = f.read()
    text = text.replace(f":{ENV['SUBMISSION_PORT']}", f":{smtp_port}").replace(
        f'"port": {ENV["SUBMISSION_PORT"]}', f'"port": {smtp_port}')
    path = os.path.join(home, "providers-proxy.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


if __name__ == "__main__":
    unittest.main()
