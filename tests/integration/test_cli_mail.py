"""tern-cli as a person uses it for mail, against the real servers of tests/env and the real
keyring (run inside tests/env/with-keyring): add an account, sync, list, show, search, send to
another user who then finds the message, an OAuth account end to end, and a sync killed with
SIGKILL half-way that leaves a consistent store and resumes."""
import imaplib
import json
import os
import re
import signal
import sqlite3
import subprocess
import time
import unittest
import uuid

from clitest import CLI, CliProfile
from envtest import ENV, admin, imap_search_subject, imap_ssl, wait_for

ALICE, ALICE_PW = ENV["PASSWORD_USER1"], ENV["PASSWORD_USER1_PASSWORD"]
BOB, BOB_PW = ENV["PASSWORD_USER2"], ENV["PASSWORD_USER2_PASSWORD"]


class Profile(CliProfile):
    def __init__(self):
        super().__init__("tern-cli-mail-")

    def add_password_account(self, email, password):
        return self.run("account", "add", email, "--provider", "example", stdin=password + "\n")


def append(user, password, folder, count, subject_prefix, body="hello"):
    m = imap_ssl()
    m.login(user, password)
    m.create(f'"{folder}"')
    for i in range(count):
        msg = (f"From: Seeder <seed@example.test>\r\nTo: {user}\r\nSubject: {subject_prefix}-{i}\r\n"
               f"Message-ID: <{subject_prefix}-{i}@tern.test>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n"
               f"{body} {i}\r\n")
        m.append(f'"{folder}"', None, None, msg.encode())
    m.logout()


def delete_folder(user, password, folder):
    m = imap_ssl()
    m.login(user, password)
    m.delete(f'"{folder}"')
    m.logout()


def no_secret_in(test, home, secrets):
    for root, _, files in os.walk(home):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                data = f.read()
            for secret in secrets:
                test.assertNotIn(secret.encode(), data, os.path.join(root, name))


class CliMail(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.environ.get("TERN_TEST_PRIVATE_KEYRING"), "run inside tests/env/with-keyring")
        self.profiles = []

    def tearDown(self):
        for p in self.profiles:
            p.cleanup()

    def profile(self):
        p = Profile()
        self.profiles.append(p)
        return p

    def test_a_wrong_password_adds_nothing(self):
        p = self.profile()
        proc = p.run("account", "add", ALICE, "--provider", "example", stdin="not-the-password\n", check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("[auth-rejected]", proc.stderr)
        self.assertEqual(p.json("account", "list"), [])
        no_secret_in(self, p.home, ["not-the-password"])

    def test_sync_list_show_search_and_send_to_another_user(self):
        folder = "cli-" + uuid.uuid4().hex[:8]
        append(ALICE, ALICE_PW, folder, 12, "cli-msg", body="osprey")
        try:
            alice = self.profile()
            alice.add_password_account(ALICE, ALICE_PW)
            synced = alice.run("sync", ALICE, "--folder", folder)
            self.assertIn(f"{folder}: headers", synced.stderr)  # progress on stderr
            listed = alice.json("list", ALICE, "--folder", folder)
            self.assertEqual(sorted(m["subject"] for m in listed), sorted(f"cli-msg-{i}" for i in range(12)))
            self.assertTrue(all(m["unread"] for m in listed))
            uid = str(listed[0]["uid"])
            shown = alice.run("show", ALICE, uid, "--folder", folder).stdout
            self.assertIn("Subject: " + listed[0]["subject"], shown)
            self.assertIn("osprey", shown)
            found = alice.json("search", ALICE, "osprey subject:cli-msg-3")
            self.assertEqual([h["subject"] for h in found["hits"]], ["cli-msg-3"])

            token = "send-" + uuid.uuid4().hex[:8]
            sent = alice.run("send", ALICE, "--to", BOB, "--subject", token, "--body-file", "-",
                             stdin="Grüße from the command line\n")
            self.assertIn("Sent", sent.stdout)
            self.assertEqual(alice.json("outbox"), [])
            # A password account of a provider that does not keep sent mail: Tern saved the copy.
            wait_for("the copy in alice's Sent", lambda: imap_search_subject(ALICE, ALICE_PW, "Sent", token))

            bob = self.profile()
            bob.add_password_account(BOB, BOB_PW)

            def bob_has_it():
                bob.run("sync", BOB, "--folder", "INBOX")
                return [m for m in bob.json("list", BOB, "--limit", "500") if m["subject"] == token]
            message = wait_for("the message in bob's INBOX", bob_has_it)[0]
            self.assertIn("Grüße from the command line", bob.run("show", BOB, str(message["uid"])).stdout)
            no_secret_in(self, alice.home, [ALICE_PW])
            no_secret_in(self, bob.home, [BOB_PW])
        finally:
            delete_folder(ALICE, ALICE_PW, folder)

    def test_status_shows_how_an_account_signs_in_and_remove_takes_its_mail_and_secrets(self):
        folder = "rm-" + uuid.uuid4().hex[:8]
        append(ALICE, ALICE_PW, folder, 3, "rm-msg")
        try:
            p = self.profile()
            p.add_password_account(ALICE, ALICE_PW)
            status = p.json("account", "status", ALICE)
            for field in ("email", "provider", "mode", "fallback_reason", "fallback_since", "last_oauth_attempt",
                          "token_state"):
                self.assertIn(field, status)
            self.assertEqual((status["email"], status["provider"], status["mode"]), (ALICE, "example", "password"))
            self.assertIsNone(status["fallback_reason"])
            db = sqlite3.connect(os.path.join(p.home, "tern.db"))
            profile_id = db.execute("SELECT value FROM settings WHERE key = 'profile_id'").fetchone()[0]
            db.close()

            def stored_password():  # this profile's entry only: other tests' profiles keep theirs
                return subprocess.run(["secret-tool", "search", "--all", "tern-profile", profile_id, "tern-account",
                                       ALICE, "tern-kind", "password"], capture_output=True, text=True,
                                      env=p.env).stdout
            self.assertIn(ALICE_PW, stored_password())

            p.run("sync", ALICE, "--folder", folder)
            removed = p.json("account", "remove", ALICE)
            self.assertEqual(removed["removed"], ALICE)
            self.assertEqual(removed["messages"], 3)
            self.assertEqual(p.json("account", "list"), [])
            db = sqlite3.connect(os.path.join(p.home, "tern.db"))
            self.assertEqual(db.execute("SELECT count(*) FROM messages").fetchone()[0], 0)
            self.assertEqual(db.execute("SELECT count(*) FROM folders").fetchone()[0], 0)
            db.close()
            self.assertNotIn(ALICE_PW, stored_password())
            # The mail on the server is untouched.
            self.assertEqual(len(imap_search_subject(ALICE, ALICE_PW, folder, "rm-msg")), 3)
        finally:
            delete_folder(ALICE, ALICE_PW, folder)

    def test_a_sync_killed_half_way_leaves_a_consistent_store_and_resumes(self):
        folder = "kill-" + uuid.uuid4().hex[:8]
        append(ALICE, ALICE_PW, folder, 600, "kill-msg", body="x" * 3000)
        try:
            p = self.profile()
            p.add_password_account(ALICE, ALICE_PW)
            proc = subprocess.Popen([CLI, "--home", p.home, "--providers", ENV["TERN_PROVIDERS"], "sync", ALICE,
                                     "--folder", folder], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=p.env)
            # Kill it once bodies are arriving: headers are in, bodies half-way.
            for line in proc.stderr:
                m = re.search(r"bodies (\d+)", line)
                if m and int(m.group(1)) >= 100:
                    break
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            self.assertEqual(proc.returncode, -signal.SIGKILL)

            db = sqlite3.connect(os.path.join(p.home, "tern.db"))
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            # Both search indexes agree with their content table (raises if not).
            db.execute("INSERT INTO message_index(message_index, rank) VALUES('integrity-check', 1)")
            db.execute("INSERT INTO message_header_index(message_header_index, rank) VALUES('integrity-check', 1)")
            stored = db.execute("SELECT count(*) FROM messages").fetchone()[0]
            bodies = db.execute("SELECT count(*) FROM bodies").fetchone()[0]
            self.assertGreaterEqual(bodies, 100)
            self.assertLess(bodies, 600)
            db.close()

            p.run("sync", ALICE, "--folder", folder, timeout=600)  # one round trip per body: slow on a busy machine
            db = sqlite3.connect(os.path.join(p.home, "tern.db"))
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            db.execute("INSERT INTO message_index(message_index, rank) VALUES('integrity-check', 1)")
            db.execute("INSERT INTO message_header_index(message_header_index, rank) VALUES('integrity-check', 1)")
            self.assertEqual(db.execute("SELECT count(*), count(DISTINCT uid) FROM messages m JOIN folders f "
                                        "ON f.id = m.folder_id WHERE f.path = ?", (folder,)).fetchone(), (600, 600))
            self.assertEqual(db.execute("SELECT count(*) FROM bodies b JOIN messages m ON m.id = b.message_id "
                                        "JOIN folders f ON f.id = m.folder_id WHERE f.path = ?", (folder,)).fetchone()[0],
                             600)
            db.close()
            self.assertGreaterEqual(stored, 1)
            self.assertEqual(p.json("search", ALICE, "subject:kill-msg-599")["hits"][0]["subject"], "kill-msg-599")
        finally:
            delete_folder(ALICE, ALICE_PW, folder)

    def test_a_certificate_trusted_by_fingerprint_and_the_account_settings(self):
        """Without the test CA the server is unknown: refused, until the person pins its certificate."""
        import hashlib
        import ssl
        p = self.profile()
        p.add_password_account(ALICE, ALICE_PW)
        p.env.pop("TERN_CA_FILE")
        proc = p.run("--json", "sync", ALICE, "--folder", "INBOX", check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(json.loads(proc.stdout)[0]["error"]["category"], "tls-certificate")
        with open(os.path.join(ENV["TERN_ENV_DIR"], "server.pem"), encoding="ascii") as f:
            fingerprint = hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest().upper()
        server = json.loads(p.run("--json", "account", "status", ALICE).stdout)["servers"][0].split()[1]
        host_port = server.rsplit(":", 1)[0]  # "imap 127.0.0.1:PORT:starttls" -> 127.0.0.1:PORT
        settings = p.json("account", "set", ALICE, "--trust-certificate", f"{host_port}={fingerprint}",
                          "--body-policy", "on-demand")["settings"]
        self.assertEqual(settings["trusted_certificates"][0]["server"], host_port)
        self.assertEqual(settings["body_policy"], "on-demand")
        synced = p.json("sync", ALICE, "--folder", "INBOX")[0]
        self.assertNotIn("error", synced)
        self.assertEqual(sum(f["bodies"] for f in synced["folders"]), 0)  # on demand: headers only
        # Without the pin it is refused again, and a fingerprint that is not one is refused with a reason.
        p.run("account", "set", ALICE, "--untrust-certificate", host_port)
        self.assertEqual(json.loads(p.run("--json", "sync", ALICE, check=False).stdout)[0]["error"]["category"],
                         "tls-certificate")
        proc = p.run("account", "set", ALICE, "--trust-certificate", host_port + "=12:34", check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("[bad-input]", proc.stderr)

    def test_an_oauth_account_signs_in_by_device_code_syncs_and_sends(self):
        admin("/admin/reset", {})
        admin("/admin/device/settings", {"interval": 1})
        carol = ENV["OAUTH_USER1"]
        p = self.profile()
        p.approved_by_device_code(self, carol, "account", "add", carol, "--auth", "device")
        self.assertEqual(p.json("account", "list")[0]["mode"], "oauth")

        p.run("sync", carol, "--folder", "INBOX")
        token = "oauth-send-" + uuid.uuid4().hex[:8]
        p.run("send", carol, "--to", BOB, "--subject", token, "--body-file", "-", stdin="by XOAUTH2\n")
        # The provider keeps sent mail itself: exactly one copy in Sent, none made by Tern.
        carol_pw = ENV["OAUTH_USER1_PASSWORD"]
        copies = wait_for("carol's Sent copy",
                          lambda: imap_search_subject(carol, carol_pw, "Sent", token, port_key="FALLBACK_IMAPS_PORT"))
        time.sleep(1)
        self.assertEqual(len(imap_search_subject(carol, carol_pw, "Sent", token, port_key="FALLBACK_IMAPS_PORT")), 1)
        tokens = admin_tokens(carol)
        no_secret_in(self, p.home, [t[:24] for t in tokens])
        admin("/admin/reset", {})


def admin_tokens(user):
    from envtest import admin_get
    listed = admin_get("/admin/tokens", {"user": user})
    out = []
    for kind in ("access_tokens", "refresh_tokens"):
        for t in listed.get(kind, []):
            out.append(t["token"] if isinstance(t, dict) else t)
    return out


if __name__ == "__main__":
    unittest.main()
