"""The throwaway CA verifies every server; a client that does not trust it is refused.

Switches the fake platform's certificate: CTest runs it under the tern_env_idp resource lock.
"""
import imaplib
import smtplib
import socket
import ssl
import unittest

from envtest import ENV, HOST, TIMEOUT, admin, port, system_context, trusting_context

IMPLICIT_TLS = ["IMAPS_PORT", "POP3S_PORT", "FALLBACK_IMAPS_PORT", "FALLBACK_POP3S_PORT"]


def idp_port():
    return int(ENV["IDP_URL"].rsplit(":", 1)[1])


def handshake(port_number, context, server_hostname):
    """The DER certificate the server shows after a verified handshake."""
    with socket.create_connection((HOST, port_number), timeout=TIMEOUT) as raw:
        with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
            return tls.getpeercert(binary_form=True)


def env_cert(name):
    with open(f"{ENV['TERN_ENV_DIR']}/{name}") as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class TrustedCA(unittest.TestCase):
    def test_every_tls_port_verifies_for_localhost_and_ip(self):
        server = env_cert("server.pem")
        for key in IMPLICIT_TLS + ["IDP"]:
            number = idp_port() if key == "IDP" else port(key)
            for name in ("localhost", "127.0.0.1"):
                with self.subTest(port=key, name=name):
                    self.assertEqual(handshake(number, trusting_context(), name), server)

    def test_starttls_ports_verify(self):
        m = imaplib.IMAP4(HOST, port("IMAP_PORT"), timeout=TIMEOUT)
        m.starttls(trusting_context())
        m.logout()
        for key in ("SUBMISSION_PORT", "FALLBACK_SUBMISSION_PORT"):
            with self.subTest(port=key):
                s = smtplib.SMTP(HOST, port(key), timeout=TIMEOUT)
                code, _ = s.starttls(context=trusting_context())
                self.assertEqual(code, 220)
                s.quit()


class UntrustedClient(unittest.TestCase):
    def test_implicit_tls_refused(self):
        for key in IMPLICIT_TLS + ["IDP"]:
            number = idp_port() if key == "IDP" else port(key)
            with self.subTest(port=key):
                with self.assertRaises(ssl.SSLCertVerificationError):
                    handshake(number, system_context(), "localhost")

    def test_starttls_refused(self):
        m = imaplib.IMAP4(HOST, port("IMAP_PORT"), timeout=TIMEOUT)
        self.addCleanup(lambda: m.sock.close())  # the failed handshake left a plain socket
        with self.assertRaises(ssl.SSLCertVerificationError):
            m.starttls(system_context())
        for key in ("SUBMISSION_PORT", "FALLBACK_SUBMISSION_PORT"):
            with self.subTest(port=key):
                s = smtplib.SMTP(HOST, port(key), timeout=TIMEOUT)
                self.addCleanup(s.close)
                with self.assertRaises(ssl.SSLCertVerificationError):
                    s.starttls(context=system_context())

    def test_wrong_host_name_refused(self):
        with self.assertRaises(ssl.SSLCertVerificationError):
            handshake(port("IMAPS_PORT"), trusting_context(), "outlook.office365.com")


class BadCertificates(unittest.TestCase):
    """unknown-ca-server.pem and expired-server.pem, as the fake platform shows them."""

    def tearDown(self):
        admin("/admin/tls", {"cert": "good"})

    def check(self, which, expected_file, reason):
        admin("/admin/tls", {"cert": which})
        with self.assertRaisesRegex(ssl.SSLCertVerificationError, reason):
            handshake(idp_port(), trusting_context(), "localhost")
        unverified = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        unverified.check_hostname, unverified.verify_mode = False, ssl.CERT_NONE
        self.assertEqual(handshake(idp_port(), unverified, "localhost"), env_cert(expected_file))

    def test_unknown_ca(self):
        self.check("unknown-ca", "unknown-ca-server.pem", "unable to get local issuer certificate")

    def test_expired(self):
        self.check("expired", "expired-server.pem", "certificate has expired")


if __name__ == "__main__":
    unittest.main()
