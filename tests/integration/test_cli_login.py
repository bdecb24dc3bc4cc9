"""tern-cli login against the fake identity platform, with the real keyring (run inside
tests/env/with-keyring): the browser sign-in through a real headless Chromium (started by tern-cli
through the BROWSER variable, as a person's own browser would be) and the device code flow, as a
person meets them; the refresh token in the keyring; and after every test no token the platform
issued anywhere in the profile, its log included."""
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from envtest import ENV, admin, admin_get

CLI = os.environ["TERN_CLI"]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PLATFORM_USERS = (ENV["OAUTH_USER1"], ENV["OAUTH_USER2"])
# A token counts as leaked when any stretch of it this long shows up: a shortened or split token
# in a log line is still found (any piece of 2 * FRAGMENT - 1 characters holds a whole fragment).
FRAGMENT = 24


def fragments(token):
    return [token[i:i + FRAGMENT] for i in range(0, max(len(token) - FRAGMENT, 0) + 1, FRAGMENT)]


def live_processes_in_group(pgid):
    """Processes of the group that are not zombies (Chromium's are reparented once its starter exits)."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        state, _ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            alive.append(int(entry))
    return alive


class HeadlessChromium:
    """The BROWSER command of the browser tests: a script that starts a headless Chromium on the URL
    in the background, in a process group of its own, and returns at once, as a desktop browser
    does. stop() ends the whole group."""

    def __init__(self, directory):
        self.dir = directory
        self.script = os.path.join(directory, "headless-browser")
        self.pid_file = os.path.join(directory, "chromium.pid")
        self.log_file = os.path.join(directory, "chromium.log")
        args = [CHROMIUM, "--headless", "--no-sandbox",  # runs as root in the test container
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--password-store=basic",  # leave the private keyring to Tern
                "--user-data-dir=" + os.path.join(directory, "profile"),
                # Chromium does not read TERN_CA_FILE. It stands in for a person clicking through;
                # only it skips certificate checks. tern-cli's own HTTPS still verifies the platform.
                "--ignore-certificate-errors"]
        with open(self.script, "w", encoding="utf-8") as f:
            f.write("#!/bin/sh\n"
                    "# The URL must arrive as exactly one argument.\n"
                    '[ "$#" -eq 1 ] || { echo "usage: $0 URL" >&2; exit 2; }\n'
                    # In the background of a shell without job control, setsid does not fork: $! is
                    # Chromium itself, the leader of its new process group.
                    # Off the private session bus: Chromium would have it start helpers (the
                    # accessibility bus) that outlive Chromium's own process group.
                    "DBUS_SESSION_BUS_ADDRESS=disabled: NO_AT_BRIDGE=1 "
                    f'setsid {" ".join(shlex.quote(a) for a in args)} "$1" '
                    f'>{shlex.quote(self.log_file)} 2>&1 </dev/null &\n'
                    f"echo $! >{shlex.quote(self.pid_file)}\n")
        os.chmod(self.script, 0o755)
        # xdg-open also reads BROWSER: this one, first on PATH, shows whether tern-cli itself used
        # BROWSER or fell back to xdg-open.
        self.bin = os.path.join(directory, "bin")
        self.xdg_open_called = os.path.join(directory, "xdg-open-called")
        os.mkdir(self.bin)
        with open(os.path.join(self.bin, "xdg-open"), "w", encoding="utf-8") as f:
            f.write(f"#!/bin/sh\necho \"$@\" >{shlex.quote(self.xdg_open_called)}\nexit 3\n")
        os.chmod(os.path.join(self.bin, "xdg-open"), 0o755)

    def browser_variable(self):
        # A list, as BROWSER may be: the first entry names no program, so tern-cli goes on to the
        # second, whose %s is the URL.
        return f"tern-test-no-such-browser:{self.script} %s"

    def environment(self, env):
        return dict(env, BROWSER=self.browser_variable(), PATH=self.bin + os.pathsep + env.get("PATH", os.defpath))

    def started(self):
        return os.path.exists(self.pid_file)

    def log(self):
        try:
            with open(self.log_file, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return "(Chromium was not started)"

    def stop(self):
        """SIGTERM to the group, SIGKILL after 5 s; fails if a process of it is still alive."""
        if not self.started():
            return
        with open(self.pid_file, encoding="utf-8") as f:
            group = int(f.read())
        signal_to_send, kill_at = signal.SIGTERM, time.monotonic() + 5
        while live_processes_in_group(group):
            try:
                os.killpg(group, signal_to_send)
            except ProcessLookupError:
                break
            if time.monotonic() > kill_at + 5:
                raise AssertionError(f"Chromium's processes {live_processes_in_group(group)} survived SIGKILL")
            if time.monotonic() > kill_at:
                signal_to_send = signal.SIGKILL
            time.sleep(0.05)


class CliLogin(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.environ.get("TERN_TEST_PRIVATE_KEYRING"), "run inside tests/env/with-keyring")
        admin("/admin/reset", {})
        admin("/admin/device/settings", {"interval": 1})
        self.home = tempfile.mkdtemp(prefix="tern-cli-login-")
        self.addCleanup(shutil.rmtree, self.home, True)
        self.env = dict(os.environ, TERN_CA_FILE=ENV["TERN_CA_FILE"])
        self.env.pop("BROWSER", None)
        for user in PLATFORM_USERS:  # one keyring serves every test of the run
            self.clear_keyring(user)

    def tearDown(self):
        admin("/admin/reset", {})
        for user in PLATFORM_USERS:
            self.clear_keyring(user)

    # ---- helpers -------------------------------------------------------------------------------
    def cli(self, *args, env=None):
        return subprocess.Popen([CLI, "--home", self.home, "--providers", ENV["TERN_PROVIDERS"], *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or self.env)

    def headless_chromium(self):
        directory = tempfile.mkdtemp(prefix="tern-cli-browser-")  # not in the profile: it is checked
        self.addCleanup(shutil.rmtree, directory, True)
        chromium = HeadlessChromium(directory)
        self.addCleanup(chromium.stop)
        return chromium

    def browser_login(self, user, chromium):
        proc = self.cli("login", user, env=chromium.environment(self.env))
        try:
            out, err = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            self.fail(f"tern-cli login still ran after 90 s\n{err}\nChromium said:\n{chromium.log()}")
        self.assertTrue(chromium.started(), f"tern-cli did not run the BROWSER command\n{err}")
        self.assertFalse(os.path.exists(chromium.xdg_open_called), "tern-cli fell back to xdg-open")
        return proc.returncode, out, err

    def keyring_refresh_tokens(self, user):
        found = subprocess.run(["secret-tool", "search", "--all", "tern-account", user, "tern-kind", "refresh-token"],
                               capture_output=True, text=True, check=False)
        return [s.strip() for s in re.findall(r"^secret = (.+)$", found.stdout, re.M)]

    def clear_keyring(self, user):
        subprocess.run(["secret-tool", "clear", "tern-account", user], capture_output=True, check=False)
        self.assertEqual(self.keyring_refresh_tokens(user), [], f"the keyring still holds {user}'s sign-in")

    def issued_tokens(self, user):
        """Every access and refresh token the platform issued to USER in this test, dead ones too."""
        listed = admin_get("/admin/tokens", {"user": user})
        return listed["access_tokens"], listed["refresh_tokens"]

    def assert_no_token_in(self, directory, tokens):
        """No piece of any of TOKENS in any file under DIRECTORY; the log files must be among them."""
        logs = []
        for root, _, files in os.walk(directory):
            for name in files:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    data = f.read()
                if os.path.relpath(path, directory).startswith("logs" + os.sep):
                    logs.append(path)
                for token in tokens:
                    for piece in fragments(token):
                        self.assertFalse(piece.encode() in data,
                                         f"{path} holds a piece of a token: ...{piece}...")
        self.assertTrue(logs, f"tern-cli wrote no log under {directory}/logs, so the logs went unchecked")
        self.assertTrue(any(os.path.getsize(p) for p in logs), f"the logs {logs} are empty")

    def assert_no_token_in_profile(self):
        """Secret hygiene, after every test: no access or refresh token the platform issued to any of
        its users during the test in any file of the profile (database, config, logs). Returns the
        tokens, as {user: (access tokens, refresh tokens)}."""
        issued = {user: self.issued_tokens(user) for user in PLATFORM_USERS}
        self.assert_no_token_in(self.home, [t["token"] for access, refresh in issued.values()
                                            for t in access + refresh])
        return issued

    def assert_refused(self, rc, out, err, category, words):
        """Exit 1, and the last line of stderr is the plain sentence for a person plus [category]."""
        self.assertEqual(rc, 1, out + err)
        last = err.strip().splitlines()[-1]
        match = re.fullmatch(r"tern-cli: (.+) \[([a-z-]+)\]", last)
        self.assertIsNotNone(match, err)
        message = match.group(1)
        self.assertEqual(match.group(2), category, err)
        self.assertIn(words, message)
        for raw in ("AADSTS", "Trace ID", "error_description", "access_denied", "consent_required"):
            self.assertNotIn(raw, err)
        return message

    # ---- browser sign-in -----------------------------------------------------------------------
    def test_browser_login_keeps_the_refresh_token_in_the_keyring_only(self):
        user = ENV["OAUTH_USER1"]
        # The page signs in the user named by login_hint at once, as a person already signed in
        # to Microsoft in their browser sees it.
        admin("/admin/auto-approve", {"user": user, "enabled": True})
        chromium = self.headless_chromium()
        rc, out, err = self.browser_login(user, chromium)
        self.assertEqual(rc, 0, f"{err}\nChromium said:\n{chromium.log()}")
        self.assertIn(f"Signed in {user}", out)
        self.assertIn("Opening the Microsoft sign-in page in your browser", err)

        # The browser's code was redeemed: authorization code + PKCE, not the device code flow.
        state = admin_get("/admin/state")
        self.assertEqual(state["token_grants"], {"authorization_code": 1})
        self.assertNotIn("devicecode", state["requests"])
        access, refresh = self.issued_tokens(user)
        self.assertEqual([t["state"] for t in access], ["live"])
        self.assertEqual([t["state"] for t in refresh], ["live"])
        self.assertEqual(self.keyring_refresh_tokens(user), [refresh[0]["token"]])
        self.assert_no_token_in_profile()

    def test_a_sign_in_declined_in_the_browser_exits_1_with_the_reason(self):
        user = ENV["OAUTH_USER1"]
        admin("/admin/auto-approve", {"user": user, "enabled": True})
        # The platform redirects back with access_denied, as when the person clicks Decline.
        admin("/admin/fail-next", {"count": 1, "endpoint": "authorize", "error": "access_denied"})
        chromium = self.headless_chromium()
        rc, out, err = self.browser_login(user, chromium)
        self.assert_refused(rc, out, err, "cancelled", "cancelled or declined")
        self.assertEqual(self.keyring_refresh_tokens(user), [])
        self.assertEqual(self.assert_no_token_in_profile()[user], ([], []))

    def test_a_browser_sign_in_without_consent_exits_1_with_the_admin_consent_link(self):
        user = ENV["OAUTH_USER1"]
        admin("/admin/auto-approve", {"user": user, "enabled": True})
        admin("/admin/fail-next", {"count": 1, "endpoint": "authorize", "error": "consent_required",
                                   "aadsts": 65001})
        chromium = self.headless_chromium()
        rc, out, err = self.browser_login(user, chromium)
        message = self.assert_refused(rc, out, err, "consent-required", "administrator must approve")
        self.assertIn(f"{ENV['IDP_URL']}/common/adminconsent?client_id={ENV['IDP_CLIENT_ID']}", message)
        self.assertEqual(self.keyring_refresh_tokens(user), [])
        self.assertEqual(self.assert_no_token_in_profile()[user], ([], []))

    # ---- device code ---------------------------------------------------------------------------
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

        access, refresh = self.issued_tokens(user)
        self.assertEqual([t["state"] for t in access], ["live"])
        self.assertEqual([t["state"] for t in refresh], ["live"])
        self.assertEqual(self.keyring_refresh_tokens(user), [refresh[0]["token"]])
        self.assert_no_token_in_profile()

    def test_a_declined_login_exits_1_with_the_reason(self):
        user = ENV["OAUTH_USER1"]
        proc = self.cli("login", user, "--device")
        code = re.search(r"enter the code (\w+)", proc.stderr.readline())
        self.assertIsNotNone(code)
        admin("/admin/device/decline", {"user_code": code.group(1)})
        out, err = proc.communicate(timeout=60)
        self.assert_refused(proc.returncode, out, err, "cancelled", "declined")
        self.assertEqual(self.keyring_refresh_tokens(user), [])
        self.assertEqual(self.assert_no_token_in_profile()[user], ([], []))

    def test_an_address_no_provider_claims_is_not_found(self):
        proc = self.cli("login", "someone@unknown-provider.test", "--device")
        out, err = proc.communicate(timeout=30)
        self.assert_refused(proc.returncode, out, err, "not-found", "account add")
        self.assertEqual(admin_get("/admin/state")["requests"], {})
        self.assert_no_token_in_profile()

    # ---- the hygiene check itself ----------------------------------------------------------------
    def test_the_hygiene_check_finds_a_piece_of_a_token_in_a_log(self):
        token = "0.AX" + secrets.token_urlsafe(160)
        logs = os.path.join(self.home, "logs")
        os.makedirs(logs)
        with open(os.path.join(logs, "tern.log"), "w", encoding="utf-8") as f:
            f.write("2026-01-01T00:00:00.000+0000 [info] [t1] a clean line\n")
        self.assert_no_token_in(self.home, [token])
        with open(os.path.join(logs, "tern.log"), "a", encoding="utf-8") as f:
            f.write(f"2026-01-01T00:00:01.000+0000 [debug] [t1] refresh_token={token[37:37 + 2 * FRAGMENT - 1]}\n")
        with self.assertRaises(AssertionError):
            self.assert_no_token_in(self.home, [token])
        os.remove(os.path.join(logs, "tern.log"))
        with self.assertRaises(AssertionError):  # no log at all: nothing was checked
            self.assert_no_token_in(self.home, [token])


if __name__ == "__main__":
    unittest.main()
