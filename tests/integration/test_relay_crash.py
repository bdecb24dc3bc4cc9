"""The relay's promise under crashes (issue 8): a load of 500 messages from five printers at once
while `tern-cli relay` is killed with SIGKILL at random moments and started again; every message
that got 250 must reach the recipient's INBOX (duplicates are allowed and counted, loss is not),
asserted by Message-ID. Run inside tests/env/with-keyring."""
import os
import random
import signal
import smtplib
import sqlite3
import threading
import time
import unittest
import uuid

from envtest import ENV, admin
from relaytest import RelayProfile, inbox_message_id_counts, scan_message, wait_delivered

PRINTERS = 5
MESSAGES_EACH = 100
SEED = int(os.environ.get("TERN_RELAY_CRASH_SEED", "0")) or random.randrange(1, 1 << 30)


class RelayCrash(unittest.TestCase):
    def setUp(self):
        self.assertTrue(os.environ.get("TERN_TEST_PRIVATE_KEYRING"), "run inside tests/env/with-keyring")
        admin("/admin/reset", {})
        admin("/admin/device/settings", {"interval": 1})
        self.p = RelayProfile(self)
        self.p.start_relay()
        self.accepted = []  # Message-IDs that got 250
        self.lock = threading.Lock()
        self.failures = []

    def tearDown(self):
        self.p.cleanup()
        admin("/admin/reset", {})

    def printer(self, number, done):
        """Sends MESSAGES_EACH messages, each until it gets a 250, reconnecting after every crash."""
        sent = 0
        smtp = None
        deadline = time.monotonic() + 240
        while sent < MESSAGES_EACH and time.monotonic() < deadline:
            msg = scan_message(f"crash {number}-{sent} {uuid.uuid4().hex[:6]}", attachment_bytes=2048)
            while time.monotonic() < deadline:
                try:
                    if smtp is None:
                        smtp = self.p.printer()
                    smtp.send_message(msg)
                    break
                except (OSError, smtplib.SMTPException):
                    # No 250 seen: the message is sent again (a duplicate at worst).
                    try:
                        if smtp:
                            smtp.close()
                    except OSError:
                        pass
                    smtp = None
                    time.sleep(0.05)
            else:
                break
            with self.lock:
                self.accepted.append(msg["Message-ID"])
            sent += 1
        if smtp:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
        if sent < MESSAGES_EACH:
            self.failures.append(f"printer {number} got only {sent} messages accepted in time")
        done.set()

    def test_no_accepted_message_is_lost_when_the_relay_is_killed(self):
        rng = random.Random(SEED)
        print(f"seed {SEED} (TERN_RELAY_CRASH_SEED repeats it)", flush=True)
        done = [threading.Event() for _ in range(PRINTERS)]
        threads = [threading.Thread(target=self.printer, args=(i, done[i]), daemon=True) for i in range(PRINTERS)]
        for t in threads:
            t.start()
        kills = 0
        while not all(d.is_set() for d in done):
            time.sleep(rng.uniform(0.05, 0.4))
            if all(d.is_set() for d in done):
                break
            self.assertEqual(self.p.stop_relay(signal.SIGKILL), -signal.SIGKILL)
            kills += 1
            time.sleep(rng.uniform(0.0, 0.2))
            self.p.start_relay()
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(self.failures, [])
        self.assertEqual(len(self.accepted), PRINTERS * MESSAGES_EACH)
        self.assertGreaterEqual(kills, 3, "the load ended before the relay was killed a few times")

        # The spool survived every kill intact.
        db = sqlite3.connect(os.path.join(self.p.home, "relay", "spool.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        db.close()
        wait_delivered(set(self.accepted), deadline=300)
        self.assertEqual(self.p.spool()[1], 0, "no message failed for good")
        counts = inbox_message_id_counts()
        duplicates = sum(counts[m] - 1 for m in self.accepted if counts[m] > 1)
        print(f"{len(self.accepted)} messages accepted, {kills} kills, all delivered, {duplicates} duplicate(s)",
              flush=True)


if __name__ == "__main__":
    unittest.main()
