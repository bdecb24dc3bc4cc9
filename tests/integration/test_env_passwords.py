"""Password sign-in on both Dovecot instances, and what they refuse."""
import base64
import imaplib
import poplib
import smtplib
import unittest

from envtest import ENV, imap_ssl, imap_starttls, pop3_ssl, smtp_starttls, port, HOST, TIMEOUT

ALICE, ALICE_PW = ENV["PASSWORD_USER1"], ENV["PASSWORD_USER1_PASSWORD"]
BOB, BOB_PW = ENV["PASSWORD_USER2"], ENV["PASSWORD_USER2_PASSWORD"]
CAROL, CAROL_PW = ENV["OAUTH_USER1"], ENV["OAUTH_USER1_PASSWORD"]
DAVE, DAVE_PW = ENV["OAUTH_USER2"], ENV["OAUTH_USER2_PASSWORD"]


def imap_login_works(m, user, password):
    try:
        typ, _ = m.login(user, password)
        typ, data = m.select("INBOX", readonly=True)
        return typ == "OK" and data[0].isdigit()
    finally:
        m.logout()


class MainInstance(unittest.TestCase):
    """outlook.office365.com: passwords for the password users only."""

    def test_imap_starttls(self):
        self.assertTrue(imap_login_works(imap_starttls(), ALICE, ALICE_PW))

    def test_imaps(self):
        self.assertTrue(imap_login_works(imap_ssl(), BOB, BOB_PW))

    def test_pop3s(self):
        p = pop3_ssl()
        p.user(ALICE)
        self.assertTrue(p.pass_(ALICE_PW).startswith(b"+OK"))
        count, _ = p.stat()
        self.assertGreaterEqual(count, 0)
        p.quit()

    def test_submission_starttls_then_auth_plain(self):
        s = smtp_starttls()
        code, _ = s.docmd("AUTH", "PLAIN " + base64.b64encode(f"\0{ALICE}\0{ALICE_PW}".encode()).decode())
        self.assertEqual(code, 235)
        s.quit()

    def test_submission_auth_login(self):
        s = smtp_starttls()
        s.login(BOB, BOB_PW)  # smtplib picks a mechanism Dovecot offers; raises on failure
        s.quit()

    def test_wrong_password_refused(self):
        m = imap_ssl()
        self.addCleanup(m.shutdown)
        with self.assertRaisesRegex(imaplib.IMAP4.error, "AUTHENTICATIONFAILED"):
            m.login(ALICE, ALICE_PW + "x")

    def test_oauth_users_password_refused(self):
        # Basic auth is off for the OAuth users here, as on Exchange Online.
        for user, password in ((CAROL, CAROL_PW), (DAVE, DAVE_PW)):
            m = imap_ssl()
            self.addCleanup(m.shutdown)
            with self.assertRaisesRegex(imaplib.IMAP4.error, "AUTHENTICATIONFAILED"):
                m.login(user, password)
        s = smtp_starttls()
        self.addCleanup(s.close)
        with self.assertRaises(smtplib.SMTPAuthenticationError):
            s.login(CAROL, CAROL_PW)

    def test_imap_login_before_starttls_refused(self):
        m = imaplib.IMAP4(HOST, port("IMAP_PORT"), timeout=TIMEOUT)
        self.addCleanup(m.shutdown)
        self.assertIn("LOGINDISABLED", m.capabilities)
        self.assertFalse([c for c in m.capabilities if c.startswith("AUTH=")])
        with self.assertRaisesRegex(imaplib.IMAP4.error, "PRIVACYREQUIRED"):
            m.login(ALICE, ALICE_PW)

    def test_submission_auth_before_starttls_refused(self):
        for key in ("SUBMISSION_PORT", "FALLBACK_SUBMISSION_PORT"):
            with self.subTest(port=key):
                s = smtplib.SMTP(HOST, port(key), timeout=TIMEOUT)
                s.ehlo()
                self.assertTrue(s.has_extn("starttls"))
                self.assertFalse(s.has_extn("auth"), "AUTH offered before STARTTLS")
                code, text = s.docmd("AUTH", "PLAIN " + base64.b64encode(f"\0{ALICE}\0{ALICE_PW}".encode()).decode())
                self.assertEqual(code, 530, text)
                code, _ = s.docmd("MAIL", f"FROM:<{ALICE}>")
                self.assertGreaterEqual(code, 500, "mail accepted without authentication")
                s.close()


class FallbackInstance(unittest.TestCase):
    """imap-mail / pop-mail / smtp-mail.outlook.com: every user's password works."""

    def test_imaps_every_user(self):
        for user, password in ((ALICE, ALICE_PW), (CAROL, CAROL_PW), (DAVE, DAVE_PW)):
            with self.subTest(user=user):
                self.assertTrue(imap_login_works(imap_ssl("FALLBACK_IMAPS_PORT"), user, password))

    def test_pop3s(self):
        p = pop3_ssl("FALLBACK_POP3S_PORT")
        p.user(CAROL)
        self.assertTrue(p.pass_(CAROL_PW).startswith(b"+OK"))
        p.quit()

    def test_submission_starttls_then_auth_plain(self):
        for user, password in ((BOB, BOB_PW), (DAVE, DAVE_PW)):
            with self.subTest(user=user):
                s = smtp_starttls("FALLBACK_SUBMISSION_PORT")
                code, _ = s.docmd("AUTH", "PLAIN " + base64.b64encode(f"\0{user}\0{password}".encode()).decode())
                self.assertEqual(code, 235)
                s.quit()

    def test_wrong_password_refused(self):
        p = pop3_ssl("FALLBACK_POP3S_PORT")
        self.addCleanup(p.close)
        p.user(DAVE)
        with self.assertRaises(poplib.error_proto):
            p.pass_("not" + DAVE_PW)

    def test_same_mailboxes_as_main(self):
        main = imap_ssl()
        main.login(ALICE, ALICE_PW)
        fallback = imap_ssl("FALLBACK_IMAPS_PORT")
        fallback.login(ALICE, ALICE_PW)
        try:
            self.assertEqual(main.status("INBOX", "(UIDVALIDITY)")[1], fallback.status("INBOX", "(UIDVALIDITY)")[1])
        finally:
            main.logout()
            fallback.logout()

    def test_only_password_mechanisms(self):
        m = imap_ssl("FALLBACK_IMAPS_PORT")
        mechanisms = {c for c in m.capabilities if c.startswith("AUTH=")}
        self.assertEqual(mechanisms, {"AUTH=PLAIN", "AUTH=LOGIN"})
        m.logout()


if __name__ == "__main__":
    unittest.main()
