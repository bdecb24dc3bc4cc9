"""OAuth first, password fallback (DESIGN §4), end to end with tern-cli, the real keyring and the
real servers of tests/env: for each trigger the fake identity platform (or Dovecot) is made to
fail the way Microsoft does, and the account must go to password-fallback with that reason, sync
and send through the password-only listeners, and return to OAuth when the platform is healthy
again (by `account retry-oauth` or at the next start). For each non-trigger the mode must stay and
the guidance must be said. Run inside tests/env/with-keyring."""
import json
import os
import unittest
import uuid

from clitest import CliProfile
from envtest import ENV, admin, imap_search_subject, wait_for

CAROL, CAROL_PW = ENV["OAUTH_USER1"], ENV["OAUTH_USER1_PASSWORD"]
BOB, BOB_PW = ENV["PASSWORD_USER2"], ENV["PASSWORD_USER2_PASSWORD"]


class Profile(CliProfile):
    def __init__(self):
        super().__init__("tern-cli-fallback-")

    def run(self, *args, stdin="", **kw):
        return super().run(*args, stdin=stdin, **kw)

    def status(self):
        return json.loads(self.run("--json", "account", "status", CAROL).stdout)

    def add_oauth_account(self, test):
        """carol by device code: the code on stderr is approved through the platform's admin side."""
        self.approved_by_device_code(test, CAROL, "account", "add", CAROL, "--auth", "device")
        test.assertEqual(self.status()["mode"], "oauth")


class FallbackCase(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.environ.get("TERN_TEST_PRIVATE_KEYRING"), "run inside tests/env/with-keyring")
        admin("/admin/reset", {})
        admin("/admin/device/settings", {"interval": 1})
        self.p = Profile()
        self.p.add_oauth_account(self)

    def tearDown(self):
        admin("/admin/reset", {})
        self.p.cleanup()

    # ---- what every case checks ---------------------------------------------------------------
    def sync(self, stdin="", check=True):
        return self.p.run("--json", "sync", CAROL, "--folder", "INBOX", stdin=stdin, check=check)

    def assert_in_fallback(self, reason_words):
        status = self.p.status()
        self.assertEqual(status["mode"], "password-fallback", status)
        self.assertIn(reason_words, status["fallback_reason"])
        self.assertIsInstance(status["fallback_since"], int)
        self.assertTrue(status["password_stored"])
        return status

    def assert_works_on_fallback(self):
        """A sync and a send with the platform still broken: only the password listeners can serve them."""
        synced = json.loads(self.sync().stdout)[0]
        self.assertEqual(synced["mode"], "password-fallback", synced)
        token = "fallback-send-" + uuid.uuid4().hex[:8]
        self.p.run("send", CAROL, "--to", BOB, "--subject", token, "--body-file", "-", stdin="sent by password\n")
        wait_for("the message in bob's INBOX", lambda: imap_search_subject(BOB, BOB_PW, "INBOX", token))

    def assert_back_on_oauth(self):
        status = self.p.status()
        self.assertEqual(status["mode"], "oauth", status)
        self.assertIsNone(status["fallback_reason"])
        self.assertFalse(status["password_stored"])  # removed from the keyring on the way back
        self.assertIsInstance(status["last_oauth_attempt"], int)
        self.sync()  # and OAuth serves mail again

    def assert_no_secret_left(self):
        self.p.assert_no_secret_left(self, CAROL, CAROL_PW)

    def switch_by_one_sync(self, reason_words):
        proc = self.sync(stdin=CAROL_PW + "\n")
        self.assertIn("switches this account to password sign-in", proc.stderr)
        self.assertEqual(json.loads(proc.stdout)[0]["fallback"]["action"], "switch-to-fallback")
        return self.assert_in_fallback(reason_words)

    def retry_oauth_brings_it_back(self):
        proc = self.p.run("--json", "account", "retry-oauth", CAROL)
        self.assertEqual(json.loads(proc.stdout)["action"], "return-to-oauth")
        self.assert_back_on_oauth()


class Triggers(FallbackCase):
    def test_unknown_ca_certificate_on_the_identity_platform(self):
        admin("/admin/tls", {"cert": "unknown-ca"})
        self.switch_by_one_sync("certificate of Microsoft's sign-in service was not accepted")
        self.assert_works_on_fallback()
        # Still broken: retry-oauth says so and the account stays.
        proc = self.p.run("--json", "account", "retry-oauth", CAROL, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(json.loads(proc.stdout)["mode"], "password-fallback")
        admin("/admin/tls", {"cert": "good"})
        self.retry_oauth_brings_it_back()
        self.assert_no_secret_left()

    def test_identity_platform_stops_answering(self):
        admin("/admin/mode", {"mode": "down"})
        # Unreachable is a trigger only when it repeats: two syncs fail and keep OAuth.
        for attempt in (1, 2):
            proc = self.sync(stdin=CAROL_PW + "\n", check=False)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertEqual(json.loads(proc.stdout)[0]["error"]["category"], "network")
            self.assertEqual(self.p.status()["mode"], "oauth")
        self.switch_by_one_sync("cannot be reached (3 attempts)")
        self.assert_works_on_fallback()
        admin("/admin/mode", {"mode": "normal"})
        # The next start tries OAuth first and comes back by itself.
        synced = json.loads(self.sync().stdout)[0]
        self.assertEqual(synced["oauth_retry"]["action"], "return-to-oauth")
        self.assertEqual(synced["mode"], "oauth")
        self.assert_back_on_oauth()
        self.assert_no_secret_left()

    def test_server_error_again_and_again(self):
        admin("/admin/fail-next", {"error": "server_error", "count": 50})
        for attempt in (1, 2):
            proc = self.sync(check=False)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertEqual(self.p.status()["mode"], "oauth")
        self.switch_by_one_sync("keeps failing (3 attempts)")
        self.assert_works_on_fallback()
        admin("/admin/fail-next", {"error": "server_error", "count": 0})
        self.retry_oauth_brings_it_back()

    def test_the_app_is_rejected(self):
        # The fallback servers are editable (tenants differ): here the same listeners by another name,
        # which the sync and the send after the switch must then use.
        smtp = f"localhost:{ENV['FALLBACK_SUBMISSION_PORT']}:starttls"
        imap = f"localhost:{ENV['FALLBACK_IMAPS_PORT']}:ssl"
        changed = self.p.json("account", "set", CAROL, "--fallback-smtp", smtp, "--fallback-imap", imap)
        self.assertIn("smtp " + smtp, changed["fallback_servers"])
        self.assertIn("imap " + imap, changed["fallback_servers"])
        admin("/admin/fail-next", {"error": "invalid_client", "aadsts": 700016, "count": 50})
        status = self.switch_by_one_sync("rejected Tern as an application")
        self.assertIn("client id", status["fallback_reason"])
        self.assertIn("smtp " + smtp, status["fallback_servers"])
        self.assert_works_on_fallback()
        admin("/admin/fail-next", {"error": "invalid_client", "count": 0})
        self.retry_oauth_brings_it_back()

    def test_the_mail_server_refuses_a_fresh_token(self):
        admin("/admin/introspection", {"refuse": True})
        self.switch_by_one_sync("refused a freshly issued sign-in token")
        self.assert_works_on_fallback()
        admin("/admin/introspection", {"refuse": False})
        self.retry_oauth_brings_it_back()
        self.assert_no_secret_left()

    def test_a_refused_fallback_password_says_so_and_offers_device_code(self):
        admin("/admin/tls", {"cert": "unknown-ca"})
        proc = self.sync(stdin="not-carols-password\n", check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("password servers refused the password", proc.stderr)
        self.assertIn("tern-cli login " + CAROL + " --device", proc.stderr)  # device-code sign-in offered
        self.assertEqual(json.loads(proc.stdout)[0]["error"]["category"], "auth-rejected")
        status = self.p.status()
        self.assertEqual(status["mode"], "password-fallback")
        self.assertIn("the password was refused", status["fallback_reason"])
        self.assertFalse(status["password_stored"])  # a refused password is not kept
        # The right one later, entered with login --password, makes the account work.
        self.p.run("login", CAROL, "--password", stdin=CAROL_PW + "\n")
        self.assert_works_on_fallback()
        self.assert_no_secret_left()


class NonTriggers(FallbackCase):
    """The person or the admin can fix these, and the password servers would not help."""

    def assert_guidance(self, fail_next, category, words, hint=None):
        admin("/admin/fail-next", fail_next)
        proc = self.sync(stdin=CAROL_PW + "\n", check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        error = json.loads(proc.stdout)[0]["error"]
        self.assertEqual(error["category"], category, error)
        for w in words:
            self.assertIn(w, proc.stderr)  # said to the person
            self.assertIn(w, error["message"])  # and kept in the error
        if hint:
            self.assertIn(hint, proc.stderr)
        status = self.p.status()
        self.assertEqual(status["mode"], "oauth", status)
        self.assertIsNone(status["fallback_reason"])
        self.assertFalse(status["password_stored"])  # nobody was asked for a password
        self.sync()  # nothing is left broken

    def test_consent_missing(self):
        self.assert_guidance({"error": "invalid_grant", "aadsts": 65001}, "consent-required", ["adminconsent?client_id="])

    def test_conditional_access(self):
        self.assert_guidance({"error": "invalid_grant", "aadsts": 53003}, "policy-blocked", ["Conditional Access"])

    def test_mfa_required(self):
        self.assert_guidance({"error": "invalid_grant", "aadsts": 50076}, "policy-blocked", ["multi-factor"])

    def test_account_not_in_tenant(self):
        self.assert_guidance({"error": "invalid_grant", "aadsts": 90072}, "bad-input",
                             ["not in the organisation's directory"])

    def test_grant_revoked(self):
        self.assert_guidance({"error": "invalid_grant", "aadsts": 50173}, "token-revoked", ["Sign in again"],
                             hint="tern-cli login " + CAROL + " --device")


if __name__ == "__main__":
    unittest.main()
