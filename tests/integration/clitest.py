"""A tern-cli profile for the CLI tests: a private --home, the environment's providers.json and CA,
and the command run with its output captured."""
import json
import os
import re
import subprocess
import tempfile

from envtest import ENV, admin, admin_get

CLI = os.environ["TERN_CLI"]


class CliProfile:
    def __init__(self, prefix="tern-cli-"):
        self.home = tempfile.mkdtemp(prefix=prefix)
        self.env = dict(os.environ, TERN_CA_FILE=ENV["TERN_CA_FILE"])

    def command(self, *args):
        return [CLI, "--home", self.home, "--providers", ENV["TERN_PROVIDERS"], *args]

    def run(self, *args, stdin=None, timeout=180, check=True):
        proc = subprocess.run(self.command(*args), input=stdin, capture_output=True, text=True, env=self.env,
                              timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"tern-cli {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def json(self, *args, **kw):
        return json.loads(self.run("--json", *args, **kw).stdout)

    def assert_no_secret_left(self, test, user, *more):
        """No token the platform ever issued to `user` (nor `more`) in any file of the profile."""
        secrets = [t[:24] for t in every_token(user)] + list(more)
        test.assertTrue(secrets, "nothing to look for: the check would pass whatever the files hold")
        for root, _, files in os.walk(self.home):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                for secret in secrets:
                    test.assertNotIn(secret.encode(), data, os.path.join(root, name))

    def approved_by_device_code(self, test, user, *args):
        """Runs a command that signs in by device code, approves the code it shows on stderr for
        `user` through the fake platform's admin side, and checks that it succeeded. Returns
        (stdout, stderr after the code)."""
        proc = subprocess.Popen(self.command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env)
        code = None
        for line in proc.stderr:
            m = re.search(r"enter the code (\w+)", line)
            if m:
                code = m.group(1)
                break
        test.assertIsNotNone(code, "no device code on stderr")
        admin("/admin/device/approve", {"user_code": code, "user": user})
        # Not communicate(): the line iterator above may have buffered part of stderr already.
        out, err = proc.stdout.read(), proc.stderr.read()
        test.assertEqual(proc.wait(timeout=90), 0, err)
        return out, err

    def cleanup(self):
        subprocess.run(["rm", "-rf", self.home], check=True)


def every_token(user):
    """Every access and refresh token the fake platform issued to `user` since its last reset."""
    listed = admin_get("/admin/tokens", {"user": user})
    return [t["token"] for kind in ("access_tokens", "refresh_tokens") for t in listed.get(kind, [])]
