"""tern-cli's devices (DESIGN §5) with the real keyring and the real servers of tests/env (run inside
tests/env/with-keyring): the registry keeps relay credentials only in the keyring; a relayed device's
mailbox signs in by device code through the manuals' token states, approved, declined or expired
through the fake platform's admin side; a revoked grant or one left unused past the platform's
inactivity limit makes the device Invalid with the reason, while `device refresh` keeps it alive;
`device test` tries SMTP AUTH XOAUTH2 on Dovecot, and on a scripted server answering like Exchange
Online with SMTP AUTH disabled (5.7.139), which `device show` then explains."""
import json
import os
import re
import socketserver
import sqlite3
import subprocess
import threading
import time
import unittest

from clitest import CliProfile, every_token
from envtest import ENV, admin, port

CLI = os.environ["TERN_CLI"]
CAROL, CAROL_PW = ENV["OAUTH_USER1"], ENV["OAUTH_USER1_PASSWORD"]
RELAYED, SELF = "2nd floor MFP", "Lobby scanner"


class DeviceProfile(CliProfile):
    def __init__(self):
        super().__init__("tern-cli-devices-")

    def show(self, name):
        return self.json("device", "show", name)

    def keyring_has(self, device, kind):
        """This profile's entry only: other tests' profiles share the private keyring."""
        db = sqlite3.connect(os.path.join(self.home, "tern.db"))
        profile_id = db.execute("SELECT value FROM settings WHERE key = 'profile_id'").fetchone()[0]
        db.close()
        proc = subprocess.run(["secret-tool", "search", "--all", "tern-profile", profile_id, "tern-account",
                               "device:" + device, "tern-kind", kind], capture_output=True, text=True, timeout=30,
                              env=self.env)
        return "secret = " in proc.stdout

    def signed_in(self, test, settle, *args):
        """Runs a device command that shows a code on stderr, calls settle(code) and returns
        (returncode, stdout, stderr)."""
        proc = subprocess.Popen(self.command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env)
        seen, code = [], None
        for line in proc.stderr:
            seen.append(line)
            m = re.search(r"enter the code (\w+)", line)
            if m:
                code = m.group(1)
                break
        if code is None:
            proc.kill()
            out, err = proc.communicate()
            test.fail("no device code on stderr: " + "".join(seen) + err + out)
        settle(code)
        # Not communicate(): it reads the pipes' descriptors and would miss what the line iterator
        # above has buffered already (the QR code). stderr stays far below a pipe's buffer.
        out, err = proc.stdout.read(), proc.stderr.read()
        proc.wait(timeout=90)
        return proc.returncode, out, "".join(seen) + err


def approve(code):
    admin("/admin/device/approve", {"user_code": code, "user": CAROL})




class ScriptedSmtp(socketserver.ThreadingTCPServer):
    """Answers AUTH like Exchange Online with SMTP AUTH turned off for the tenant or mailbox."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, auth_reply):
        self.auth_reply = auth_reply
        self.auth_lines = []
        super().__init__(("127.0.0.1", 0), ScriptedSmtpSession)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()


class ScriptedSmtpSession(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 scripted.example.test ESMTP\r\n")
        for raw in self.rfile:
            line = raw.decode("ascii", "replace").strip()
            verb = line.split(" ")[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-scripted.example.test\r\n250 AUTH LOGIN XOAUTH2\r\n")
            elif verb == "AUTH":
                self.server.auth_lines.append(line)
                self.wfile.write(self.server.auth_reply.encode() + b"\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 2.0.0 Bye\r\n")
                return
            else:
                self.wfile.write(b"503 5.5.1 Bad sequence of commands\r\n")


class DeviceCase(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.environ.get("TERN_TEST_PRIVATE_KEYRING"), "run inside tests/env/with-keyring")
        admin("/admin/reset", {})
        admin("/admin/device/settings", {"interval": 1})
        self.p = DeviceProfile()

    def tearDown(self):
        admin("/admin/reset", {})
        for device in self.p.json("device", "list"):  # their secrets leave the shared keyring
            self.p.run("device", "remove", device["name"])
        self.p.cleanup()

    def add(self, name, kind):
        return self.p.json("device", "add", name, "--mailbox", CAROL, "--kind", kind)

    def login(self, name, settle=approve):
        return self.p.signed_in(self, settle, "--json", "device", "login", name)

    def assert_no_secret_left(self):
        self.assertTrue(every_token(CAROL), "the platform issued no token: nothing would be checked")
        self.p.assert_no_secret_left(self, CAROL, CAROL_PW)


class Registry(DeviceCase):
    def test_a_relayed_device_gets_relay_credentials_kept_only_in_the_keyring(self):
        added = self.p.json("device", "add", RELAYED, "--mailbox", "mfp@contoso.example", "--kind", "relayed")
        self.assertEqual(added["relay_user"], "relay-2nd-floor-mfp")
        password = added["relay_password"]
        self.assertEqual(len(password), 24)
        self.assertEqual((added["spooled"], added["delivered"], added["failed"]), (0, 0, 0))
        listed = self.p.json("device", "list")
        self.assertEqual(listed[0]["token_state"], "not-acquired")
        self.assertNotIn("relay_password", listed[0])  # shown once, at add
        for root, _, files in os.walk(self.p.home):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    self.assertNotIn(password.encode(), f.read(), name)
        self.assertTrue(self.p.keyring_has(RELAYED, "relay-password"))
        self.p.run("device", "remove", RELAYED)
        self.assertFalse(self.p.keyring_has(RELAYED, "relay-password"))
        self.assertEqual(self.p.json("device", "list"), [])


class RelayedSignIn(DeviceCase):
    def setUp(self):
        super().setUp()
        self.add(RELAYED, "relayed")

    def test_approved_sign_in_is_acquired_and_the_token_is_only_in_the_keyring(self):
        states = []
        rc, out, err = self.login(RELAYED, lambda code: (states.append(self.p.show(RELAYED)["token_state"]),
                                                         approve(code)))
        self.assertEqual(rc, 0, err)
        self.assertEqual(states, ["waiting-for-authorization"])
        device = json.loads(out)
        self.assertEqual(device["token_state"], "acquired")
        self.assertIsInstance(device["last_refresh"], int)
        self.assertIsNone(device["last_error"])
        self.assertIn(ENV["IDP_URL"], err)            # the verification link
        self.assertIn("\u2588", err)                   # its QR code
        self.assertIn("Waiting for authorization:", err)  # the countdown
        self.assertTrue(self.p.keyring_has(RELAYED, "refresh-token"))
        self.assert_no_secret_left()
        self.p.run("device", "delete-token", RELAYED)
        self.assertEqual(self.p.show(RELAYED)["token_state"], "not-acquired")
        self.assertFalse(self.p.keyring_has(RELAYED, "refresh-token"))

    def assert_not_acquired_after(self, admin_path, reason_words):
        rc, out, err = self.login(RELAYED, lambda code: admin(admin_path, {"user_code": code}))
        self.assertEqual(rc, 1, err)
        self.assertIn(reason_words, json.loads(out)["error"]["message"])  # said to the admin
        device = self.p.show(RELAYED)
        self.assertEqual(device["token_state"], "not-acquired")
        self.assertIn(reason_words, device["token_reason"])  # and kept in the registry
        self.assertFalse(self.p.keyring_has(RELAYED, "refresh-token"))

    def test_declined_sign_in_is_not_acquired_with_the_reason(self):
        self.assert_not_acquired_after("/admin/device/decline", "declined")

    def test_expired_code_is_not_acquired_with_the_reason(self):
        self.assert_not_acquired_after("/admin/device/expire", "expired")

    def test_revoked_grant_makes_the_device_invalid_at_the_next_refresh(self):
        self.assertEqual(self.login(RELAYED)[0], 0)
        first = self.p.json("device", "refresh", RELAYED)["devices"][0]
        self.assertEqual((first["refreshed"], first["token_state"]), (True, "acquired"))
        admin("/admin/revoke", {"user": CAROL})
        proc = self.p.run("--json", "device", "refresh", RELAYED, check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        outcome = json.loads(proc.stdout)["devices"][0]
        self.assertEqual(outcome["token_state"], "invalid")
        self.assertEqual(outcome["error"]["category"], "token-revoked")
        device = self.p.show(RELAYED)
        self.assertEqual(device["token_state"], "invalid")
        self.assertIn("was revoked", device["token_reason"])
        self.assertEqual(device["last_error_advice"]["code"], "AADSTS50173")
        shown = self.p.run("device", "show", RELAYED).stdout
        self.assertIn("token:   Invalid (The sign-in for " + CAROL + " was revoked", shown)
        self.assertIn("AADSTS50173: The sign-in was revoked", shown)
        self.assert_no_secret_left()


class KeepAlive(DeviceCase):
    LIMIT = 4  # seconds a refresh token may lie unused on the platform

    def test_refreshing_inside_the_limit_keeps_a_device_signed_in_and_one_left_alone_goes_invalid(self):
        kept, alone = RELAYED, "Basement MFP"
        self.add(kept, "relayed")
        self.add(alone, "relayed")
        admin("/admin/refresh-token-inactivity", {"seconds": self.LIMIT})
        self.assertEqual(self.login(alone)[0], 0)
        self.assertEqual(self.login(kept)[0], 0)
        signed_in = time.monotonic()
        refreshes = []
        # Refresh the kept one every ~1.5 s until well past the limit: time passing is the point.
        while time.monotonic() - signed_in < self.LIMIT + 2.5:
            time.sleep(1.5)
            outcome = self.p.json("device", "refresh", kept)["devices"][0]
            refreshes.append(outcome["token_state"])
            self.assertTrue(outcome["refreshed"], outcome)
        self.assertGreaterEqual(len(refreshes), 4)
        self.assertEqual(set(refreshes), {"acquired"})
        before = self.p.show(kept)["last_refresh"]
        self.assertEqual(self.p.show(kept)["token_state"], "acquired")

        proc = self.p.run("--json", "device", "refresh", alone, check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        device = self.p.show(alone)
        self.assertEqual(device["token_state"], "invalid")
        self.assertIn("not used for a long time", device["token_reason"])
        self.assertEqual(device["last_error_advice"]["code"], "AADSTS700082")
        self.assertIn("did not use it for a long time", self.p.run("device", "show", alone).stdout)
        # Nothing is due under the default week-long interval: refresh without a name leaves both.
        self.assertEqual(self.p.json("device", "refresh")["devices"], [])
        self.assertEqual(self.p.show(kept)["last_refresh"], before)
        self.assert_no_secret_left()


class MailboxTest(DeviceCase):
    def setUp(self):
        super().setUp()
        self.add(SELF, "self")

    def test_the_mailbox_signs_in_to_smtp_with_xoauth2_and_keeps_no_token(self):
        rc, out, err = self.p.signed_in(self, approve, "--json", "device", "test", SELF)
        self.assertEqual(rc, 0, err)
        result = json.loads(out)
        self.assertTrue(result["ok"], result)
        self.assertEqual(result["server"], "127.0.0.1:%d:starttls" % port("SUBMISSION_PORT"))
        self.assertIsNone(self.p.show(SELF)["last_error"])
        self.assertFalse(self.p.keyring_has(SELF, "refresh-token"))  # the token lived only in memory
        self.assert_no_secret_left()

    def test_smtp_auth_disabled_is_recognised_and_explained_by_device_show(self):
        server = ScriptedSmtp("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for "
                              "the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.")
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        rc, out, err = self.p.signed_in(self, approve, "device", "test", SELF, "--smtp",
                                        "127.0.0.1:%d:none" % server.server_address[1])
        self.assertEqual(rc, 1, err)
        self.assertTrue(server.auth_lines and server.auth_lines[0].startswith("AUTH XOAUTH2 "), server.auth_lines)
        self.assertIn("SMTP AUTH is disabled for this tenant or mailbox", err)
        self.assertIn("5.7.139: Exchange Online refused SMTP AUTH", err)
        device = self.p.show(SELF)
        self.assertIn("5.7.139", device["last_error"])
        self.assertEqual(device["last_error_advice"]["code"], "5.7.139")
        self.assertEqual([c["code"] for c in device["device_error_codes"]], ["360", "361", "370"])
        shown = self.p.run("device", "show", SELF).stdout
        for words in ("5.7.139: Exchange Online refused SMTP AUTH: it is turned off for the tenant or for this mailbox.",
                      "turn on Authenticated SMTP",
                      "360: The device has no connection to the cloud or mail service.",
                      "361: The device's connection to the cloud or mail service has expired",
                      "370: The device must sign in to the cloud service again."):
            self.assertIn(words, shown)
        self.assert_no_secret_left()


if __name__ == "__main__":
    unittest.main()
