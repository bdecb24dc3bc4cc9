"""tern-cli's device registry with the real keyring (run inside tests/env/with-keyring): a relayed
device gets a relay user and a generated password that is shown once, kept only in the keyring (never
in the profile), and removed with the device."""
import json
import os
import subprocess
import tempfile
import unittest

CLI = os.environ["TERN_CLI"]


class CliDevices(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.environ.get("TERN_TEST_PRIVATE_KEYRING"), "run inside tests/env/with-keyring")
        self.home = tempfile.mkdtemp(prefix="tern-cli-devices-")

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.home], check=True)

    def run_cli(self, *args, check=True):
        proc = subprocess.run([CLI, "--home", self.home, *args], capture_output=True, text=True, timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(f"tern-cli {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def keyring_has(self, device, kind):
        proc = subprocess.run(["secret-tool", "search", "--all", "tern-account", "device:" + device, "tern-kind", kind],
                              capture_output=True, text=True, timeout=30)
        return "secret = " in proc.stdout

    def test_a_relayed_device_gets_relay_credentials_kept_only_in_the_keyring(self):
        added = json.loads(self.run_cli("--json", "device", "add", "2nd floor MFP", "--mailbox",
                                        "mfp@contoso.example", "--kind", "relayed").stdout)
        self.assertEqual(added["relay_user"], "relay-2nd-floor-mfp")
        password = added["relay_password"]
        self.assertEqual(len(password), 24)
        self.assertEqual((added["spooled"], added["delivered"], added["failed"]), (0, 0, 0))
        listed = json.loads(self.run_cli("--json", "device", "list").stdout)
        self.assertEqual(listed[0]["token_state"], "not-acquired")
        self.assertNotIn("relay_password", listed[0])  # shown once, at add
        for root, _, files in os.walk(self.home):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    self.assertNotIn(password.encode(), f.read(), name)
        self.assertTrue(self.keyring_has("2nd floor MFP", "relay-password"))
        self.run_cli("device", "remove", "2nd floor MFP")
        self.assertFalse(self.keyring_has("2nd floor MFP", "relay-password"))
        self.assertEqual(json.loads(self.run_cli("--json", "device", "list").stdout), [])


if __name__ == "__main__":
    unittest.main()
