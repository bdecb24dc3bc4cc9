"""The seeding tool makes mail that Dovecot serves and that decodes as it should."""
import email
import email.header
import email.policy
import os
import subprocess
import sys
import tempfile
import unittest

from envtest import ENV, imap_ssl

SEED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "env", "seed", "seed")
BOB, BOB_PW = ENV["PASSWORD_USER2"], ENV["PASSWORD_USER2_PASSWORD"]
FOLDER = "Archive/Seed smoke"
COUNT = 200

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(SEED))
from corpus import LANGUAGES  # noqa: E402 - the seeder's own word lists

ARABIC_SUBJECTS = LANGUAGES["ar"]["subjects"]


def run_seed(*args):
    done = subprocess.run([SEED, *args], capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise AssertionError(f"seed {' '.join(args)} failed: {done.stderr}")
    return done.stdout


class SeedSmoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        run_seed("--env", ENV["TERN_ENV_DIR"], "--user", BOB, "--count", str(COUNT), "--seed", "42",
                 "--folder", FOLDER)
        cls.imap = imap_ssl()
        cls.imap.login(BOB, BOB_PW)
        typ, data = cls.imap.select(f'"{FOLDER}"', readonly=True)
        assert typ == "OK", data
        cls.exists = int(data[0])

    @classmethod
    def tearDownClass(cls):
        cls.imap.logout()

    def fetch(self, uid, items):
        typ, data = self.imap.uid("FETCH", uid, items)
        self.assertEqual(typ, "OK")
        return data

    def test_dovecot_counts_every_message(self):
        self.assertEqual(self.exists, COUNT)

    def test_arabic_subject_decodes(self):
        typ, data = self.imap.uid("SEARCH", "HEADER", "Content-Language", "ar")
        uids = data[0].split()
        self.assertTrue(uids, "no Arabic message among the seeded ones")
        raw = self.fetch(uids[0], "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[0][1]
        self.assertIn(b"=?UTF-8?", raw)  # RFC 2047 on the wire
        subject = str(email.message_from_bytes(raw, policy=email.policy.default)["Subject"])
        self.assertTrue(any(subject.endswith(s) for s in ARABIC_SUBJECTS), subject)
        self.assertTrue(any("\u0600" <= ch <= "\u06ff" for ch in subject), subject)

    def test_sizes_match_what_dovecot_serves(self):
        # The Maildir names carry S= and W=, which Dovecot trusts; a wrong W= would break clients.
        for uid in (b"1", str(COUNT // 2).encode(), str(COUNT).encode()):
            data = self.fetch(uid, "(RFC822.SIZE BODY.PEEK[])")
            size = int(data[0][0].split(b"RFC822.SIZE ")[1].split()[0])
            self.assertEqual(size, len(data[0][1]), uid)

    def test_threads_and_attachments(self):
        typ, data = self.imap.uid("SEARCH", "HEADER", "In-Reply-To", "@")
        self.assertGreater(len(data[0].split()), COUNT // 10, "too few replies")
        reply = data[0].split()[-1]
        header = self.fetch(reply, "(BODY.PEEK[HEADER.FIELDS (IN-REPLY-TO)])")[0][1]
        parent_id = header.split(b":", 1)[1].strip().decode()
        typ, found = self.imap.uid("SEARCH", "HEADER", "Message-ID", parent_id)
        self.assertEqual(len(found[0].split()), 1, f"parent {parent_id} not in the folder")

        typ, data = self.imap.uid("SEARCH", "HEADER", "Content-Type", "multipart/mixed")
        uid = data[0].split()[0]
        msg = email.message_from_bytes(self.fetch(uid, "(BODY.PEEK[])")[0][1], policy=email.policy.default)
        attachments = list(msg.iter_attachments())
        self.assertTrue(attachments)
        for part in attachments:
            body = part.get_content()
            magic = b"%PDF-" if part.get_content_type() == "application/pdf" else b"\x89PNG"
            self.assertTrue(body.startswith(magic), part.get_filename())

    def test_same_seed_same_mail(self):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            for d in (a, b):
                os.chmod(d, 0o711)  # the seeder writes as the mail user (uid 5000)
            for d, seed in ((a, "5"), (b, "5")):
                run_seed("--maildir", os.path.join(d, "Maildir"), "--user", BOB, "--count", "50", "--seed", seed)
            names = sorted(os.listdir(os.path.join(a, "Maildir", "cur")))
            self.assertEqual(names, sorted(os.listdir(os.path.join(b, "Maildir", "cur"))))
            for n in names:
                with open(os.path.join(a, "Maildir", "cur", n), "rb") as x, \
                        open(os.path.join(b, "Maildir", "cur", n), "rb") as y:
                    self.assertEqual(x.read(), y.read(), n)
            run_seed("--maildir", os.path.join(a, "Other"), "--user", BOB, "--count", "50", "--seed", "6")
            self.assertNotEqual(names, sorted(os.listdir(os.path.join(a, "Other", "cur"))))


if __name__ == "__main__":
    unittest.main()
