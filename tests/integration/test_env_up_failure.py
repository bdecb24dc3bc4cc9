"""tests/env/up says which server failed, cleans up after itself; down refuses foreign folders.

Runs its own environments (no fixture) in ${TERN_ENV_SCRATCH} (CTest: the build tree).
"""
import os
import shutil
import subprocess
import tempfile
import unittest

ENV_TOOLS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "env")
SCRATCH = os.environ.get("TERN_ENV_SCRATCH") or tempfile.gettempdir()


def server_processes():
    """pid -> command line of every Dovecot / Postfix master / forwarder / fake-idp process."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm == "dovecot" or "postfix/sbin/master" in cmd or "forward.py" in cmd or "fake-idp" in cmd:
            found[int(pid)] = cmd
    return found


class UpFailure(unittest.TestCase):
    def setUp(self):
        self.dir = os.path.join(SCRATCH, "tern-env-failure")
        subprocess.run([os.path.join(ENV_TOOLS, "down"), self.dir], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_broken_identity_platform(self):
        broken = os.path.join(SCRATCH, "broken-fake-idp")
        with open(broken, "w") as f:
            f.write("#!/bin/sh\necho 'fake-idp: cannot start: the test broke me' >&2\nexit 2\n")
        os.chmod(broken, 0o755)
        self.addCleanup(os.unlink, broken)
        before = server_processes()
        done = subprocess.run([os.path.join(ENV_TOOLS, "up"), self.dir], capture_output=True, text=True,
                              env=dict(os.environ, TERN_FAKE_IDP=broken), timeout=120)
        self.assertNotEqual(done.returncode, 0)
        self.assertEqual(done.stdout, "", "no KEY=VALUE lines after a failure")
        self.assertIn("fake-idp failed to start", done.stderr)
        self.assertIn("the test broke me", done.stderr)  # the tail of its log
        self.assertFalse(os.path.exists(self.dir), "up left its folder behind")
        left = {pid: cmd for pid, cmd in server_processes().items()
                if pid not in before and self.dir in cmd}
        self.assertEqual(left, {}, "up left servers running")

    def test_refuses_a_folder_in_use(self):
        os.makedirs(self.dir)
        keep = os.path.join(self.dir, "precious")
        open(keep, "w").close()
        done = subprocess.run([os.path.join(ENV_TOOLS, "up"), self.dir], capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("not empty", done.stderr)
        done = subprocess.run([os.path.join(ENV_TOOLS, "down"), self.dir], capture_output=True, text=True)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("not made by tests/env/up", done.stderr)
        self.assertTrue(os.path.exists(keep), "a foreign folder was touched")


if __name__ == "__main__":
    unittest.main()
