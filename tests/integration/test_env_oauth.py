"""XOAUTH2 / OAUTHBEARER against the main instance with tokens from the fake platform.

Tokens come through the device code flow (code, admin approval, poll). Changes the platform's
state (revocation, certificate switch): CTest runs it under the tern_env_idp resource lock.
"""
import base64
import imaplib
import json
import poplib
import smtplib
import unittest

from envtest import (ENV, admin, device_code_token, imap_authenticate, imap_ssl, imap_starttls, oauthbearer,
                     pop3_authenticate, pop3_ssl, sasl_once, smtp_starttls, xoauth2)

CAROL, DAVE = ENV["OAUTH_USER1"], ENV["OAUTH_USER2"]


def imap_token_login(user, token, mechanism="XOAUTH2", connect=imap_ssl, port_key="IMAPS_PORT"):
    m = connect(port_key)
    initial = xoauth2(user, token) if mechanism == "XOAUTH2" else oauthbearer(user, token, port_key)
    try:
        typ, _ = imap_authenticate(m, mechanism, initial)
        typ, _ = m.select("INBOX", readonly=True)
        return typ == "OK"
    finally:
        m.logout()


def smtp_token_login(user, token, mechanism="XOAUTH2", port_key="SUBMISSION_PORT"):
    s = smtp_starttls(port_key)
    initial = xoauth2(user, token) if mechanism == "XOAUTH2" else oauthbearer(user, token, port_key)
    try:
        code, text = s.auth(mechanism, sasl_once(initial))
        return code
    finally:
        s.close()


class OAuthLogins(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.token = device_code_token(CAROL)

    def test_xoauth2_imaps(self):
        self.assertTrue(imap_token_login(CAROL, self.token))

    def test_xoauth2_imap_starttls(self):
        self.assertTrue(imap_token_login(CAROL, self.token, connect=imap_starttls, port_key="IMAP_PORT"))

    def test_oauthbearer_imaps(self):
        self.assertTrue(imap_token_login(CAROL, self.token, "OAUTHBEARER"))

    def test_xoauth2_submission(self):
        self.assertEqual(smtp_token_login(CAROL, self.token), 235)

    def test_oauthbearer_submission(self):
        self.assertEqual(smtp_token_login(CAROL, self.token, "OAUTHBEARER"), 235)

    def test_xoauth2_pop3s(self):
        p = pop3_ssl()
        self.assertTrue(pop3_authenticate(p, "XOAUTH2", xoauth2(CAROL, self.token)).startswith(b"+OK"))
        p.quit()

    def test_unknown_token_refused_with_json_challenge(self):
        s = smtp_starttls()
        code, text = s.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(CAROL, "forged").encode()).decode())
        self.assertEqual(code, 334, text)
        self.assertIn("status", json.loads(base64.b64decode(text)))  # the error challenge
        code, _ = s.docmd("")
        self.assertEqual(code, 535)
        s.close()
        with self.assertRaisesRegex(imaplib.IMAP4.error, "AUTHENTICATIONFAILED"):
            imap_token_login(CAROL, "forged")

    def test_token_of_another_user_refused(self):
        with self.assertRaisesRegex(imaplib.IMAP4.error, "AUTHENTICATIONFAILED"):
            imap_token_login(DAVE, self.token)

    def test_fallback_refuses_xoauth2(self):
        m = imap_ssl("FALLBACK_IMAPS_PORT")
        self.addCleanup(m.shutdown)
        self.assertNotIn("AUTH=XOAUTH2", m.capabilities)
        with self.assertRaises(imaplib.IMAP4.error):
            imap_authenticate(m, "XOAUTH2", xoauth2(CAROL, self.token))
        s = smtp_starttls("FALLBACK_SUBMISSION_PORT")
        s.ehlo()
        self.assertNotIn("XOAUTH2", s.esmtp_features.get("auth", ""))
        code, _ = s.docmd("AUTH", "XOAUTH2 " + base64.b64encode(xoauth2(CAROL, self.token).encode()).decode())
        self.assertGreaterEqual(code, 500)
        s.close()

    def test_dovecot_checks_the_platform_certificate(self):
        # Dovecot's introspection request must fail when the platform shows a certificate the
        # environment's CA did not sign; the same token works again with the good certificate.
        admin("/admin/tls", {"cert": "unknown-ca"})
        try:
            with self.assertRaises(imaplib.IMAP4.error):
                imap_token_login(CAROL, self.token)
        finally:
            admin("/admin/tls", {"cert": "good"})
        self.assertTrue(imap_token_login(CAROL, self.token))


class Revocation(unittest.TestCase):
    def test_revoked_token_refused(self):
        token = device_code_token(DAVE)
        self.assertTrue(imap_token_login(DAVE, token))
        self.assertEqual(smtp_token_login(DAVE, token), 235)
        admin("/admin/revoke", {"user": DAVE})
        with self.assertRaisesRegex(imaplib.IMAP4.error, "AUTHENTICATIONFAILED"):
            imap_token_login(DAVE, token)
        with self.assertRaises(smtplib.SMTPAuthenticationError):
            smtp_token_login(DAVE, token)
        p = pop3_ssl()
        self.addCleanup(p.close)
        with self.assertRaises(poplib.error_proto):
            pop3_authenticate(p, "XOAUTH2", xoauth2(DAVE, token))
        # A new sign-in gets a token that works again.
        self.assertTrue(imap_token_login(DAVE, device_code_token(DAVE)))


if __name__ == "__main__":
    unittest.main()
