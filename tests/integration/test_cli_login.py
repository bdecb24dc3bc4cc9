"""tern-cli login against the fake identity platform, with the real keyring (run inside
tests/env/with-keyring): the device code flow as a person meets it, the refresh token in the
keyring, and no token anywhere in the profile."""
import os
import re
import subprocess
import tempfile
import unittest

from envtest import ENV, admin

CLI = os.environ["TERN_CLI"]


class CliLogin(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.environ.get("TERN_TEST_PRIVATE_KEYRING"), "run inside tests/env/with-keyring")
        admin("/admin/reset", {})
        admin("/admin/device/settings", {"interval": 1})
        self.home = tempfile.mkdtemp(prefix="tern-cli-login-")
        self.env = dict(os.environ, TERN_CA_FILE=ENV["TERN_CA_FILE"])

    def tearDown(self):
        admin("/admin/reset", {})
        subprocess.run(["rm", "-rf", self.home], check=True)

    def cli(self, *args):
        return subprocess.Popen([CLI, "--home", self.home, "--providers", ENV["TERN_PROVIDERS"], *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env)

    def test_device_login_keeps_the_refresh_token_in_the_keyring_only(self):
        user = ENV["OAUTH_USER1"]
        proc = self.cli("login", user, "--device")
        line = proc.stderr.readline()  # the platform's sentence with the code, as a person sees it
        code = re.search(r"enter the code (\w+)", line)
        self.assertIsNotNone(code, line)
        admin("/admin/device/approve", {"user_code": code.group(1), "user": user})
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn(f"Signed in {user}", out)

        found = subprocess.run(["secret-tool", "search", "--all", "tern-account", user, "tern-kind", "refresh-token"],
                               capture_output=True, text=True, check=True)
        secret = re.search(r"^secret = (.+)$", found.stdout, re.M)
        self.assertIsNotNone(secret, found.stdout + found.stderr)
        token = secret.group(1).strip()
        self.assertGreater(len(token), 10)
        for root, _, files in os.walk(self.home):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    self.assertNotIn(token.encode(), f.read(), os.path.join(root, name))

    def test_a_declined_login_exits_1_with_the_reason(self):
        user = ENV["OAUTH_USER1"]
        proc = self.cli("login", user, "--device")
        code = re.search(r"enter the code (\w+)", proc.stderr.readline())
        self.assertIsNotNone(code)
        admin("/admin/device/decline", {"user_code": code.group(1)})
        out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 1, out + err)
        self.assertIn("[cancelled]", err)
        self.assertIn("declined", err)

    def test_an_address_no_provider_claims_is_not_found(self):
        proc = self.cli("login", "someone@unknown-provider.test", "--device")
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("[not-found]", err)
        self.assertIn("account add", err)


if __name__ == "__main__":
    unittest.main()
