"""Mail submitted to either instance goes through Postfix and LMTP into the recipient's INBOX."""
import email
import email.policy
import smtplib
import unittest
import uuid
from email.message import EmailMessage

from envtest import ENV, imap_search_subject, imap_ssl, smtp_starttls, wait_for

ALICE, ALICE_PW = ENV["PASSWORD_USER1"], ENV["PASSWORD_USER1_PASSWORD"]
BOB, BOB_PW = ENV["PASSWORD_USER2"], ENV["PASSWORD_USER2_PASSWORD"]
CAROL, CAROL_PW = ENV["OAUTH_USER1"], ENV["OAUTH_USER1_PASSWORD"]
DEADLINE = 30


def send(port_key, user, password, to, tag, body):
    msg = EmailMessage()
    msg["From"], msg["To"] = user, to
    msg["Subject"] = f"Zpráva {tag} — Ελληνικά"  # non-ASCII: goes out RFC 2047 encoded
    msg.set_content(body)
    s = smtp_starttls(port_key)
    try:
        s.login(user, password)
        s.send_message(msg)
    finally:
        s.quit()


def fetch_body(user, password, folder, uid):
    m = imap_ssl()
    try:
        m.login(user, password)
        m.select(f'"{folder}"', readonly=True)
        typ, data = m.uid("FETCH", uid, "(BODY.PEEK[])")
        return email.message_from_bytes(data[0][1], policy=email.policy.default)
    finally:
        m.logout()


class Delivery(unittest.TestCase):
    def test_main_submission_reaches_inbox(self):
        tag = uuid.uuid4().hex
        send("SUBMISSION_PORT", ALICE, ALICE_PW, BOB, tag, "Dobrý den, tohle je zkouška.\n")
        uids = wait_for(f"message {tag} in {BOB}'s INBOX",
                        lambda: imap_search_subject(BOB, BOB_PW, "INBOX", tag), DEADLINE)
        self.assertEqual(len(uids), 1)
        msg = fetch_body(BOB, BOB_PW, "INBOX", uids[0])
        self.assertEqual(str(msg["Subject"]), f"Zpráva {tag} — Ελληνικά")
        self.assertEqual(msg.get_content().replace("\r\n", "\n"), "Dobrý den, tohle je zkouška.\n")
        self.assertIn(ALICE, str(msg["From"]))

    def test_fallback_submission_reaches_inbox(self):
        tag = uuid.uuid4().hex
        send("FALLBACK_SUBMISSION_PORT", CAROL, CAROL_PW, ALICE, tag, "Hej, det här är ett test.\n")
        wait_for(f"message {tag} in {ALICE}'s INBOX",
                 lambda: imap_search_subject(ALICE, ALICE_PW, "INBOX", tag), DEADLINE)

    def test_sent_copy_only_for_the_oauth_provider(self):
        # The microsoft-like provider saves submitted mail in Sent itself (providers.json:
        # server_saves_sent); the password provider does not.
        tag_carol, tag_alice = uuid.uuid4().hex, uuid.uuid4().hex
        send("FALLBACK_SUBMISSION_PORT", CAROL, CAROL_PW, BOB, tag_carol, "copy expected\n")
        send("SUBMISSION_PORT", ALICE, ALICE_PW, BOB, tag_alice, "no copy expected\n")
        wait_for("Sent copy for the OAuth user",
                 lambda: imap_search_subject(CAROL, CAROL_PW, "Sent", tag_carol, "FALLBACK_IMAPS_PORT"), DEADLINE)
        # The recipient's copy and a Sent copy travel in one LMTP transaction: once Bob has
        # Alice's message, a Sent copy for her would be there too.
        wait_for("Alice's message at Bob", lambda: imap_search_subject(BOB, BOB_PW, "INBOX", tag_alice), DEADLINE)
        self.assertEqual(imap_search_subject(ALICE, ALICE_PW, "Sent", tag_alice), [])

    def test_other_domains_refused(self):
        s = smtp_starttls()
        s.login(ALICE, ALICE_PW)
        with self.assertRaises(smtplib.SMTPRecipientsRefused):
            s.sendmail(ALICE, ["someone@example.com"], b"Subject: out\r\n\r\nnever leaves the machine\r\n")
        s.quit()


if __name__ == "__main__":
    unittest.main()
