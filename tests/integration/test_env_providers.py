"""providers.json points Tern at this environment, and what it names answers."""
import imaplib
import json
import smtplib
import unittest

from envtest import ENV, HOST, TIMEOUT, idp, port, trusting_context

with open(ENV["TERN_PROVIDERS"], encoding="utf-8") as f:
    PROVIDERS = {p["id"]: p for p in json.load(f)["providers"]}
MS = PROVIDERS["microsoft"]


def server(host, port_key, tls):
    return {"host": host, "port": port(port_key), "tls": tls}


class ProvidersFile(unittest.TestCase):
    def test_microsoft_like_provider(self):
        oauth = MS["oauth"]
        base = ENV["IDP_URL"] + "/{tenant}/oauth2/v2.0/"
        self.assertEqual(oauth["authorize_url"], base + "authorize")
        self.assertEqual(oauth["token_url"], base + "token")
        self.assertEqual(oauth["device_code_url"], base + "devicecode")
        self.assertEqual(oauth["admin_consent_url"], ENV["IDP_URL"] + "/{tenant}/adminconsent?client_id={client_id}")
        self.assertEqual(oauth["client_id"], ENV["IDP_CLIENT_ID"])
        self.assertEqual(oauth["tenant"], "common")
        scopes = {s for lst in oauth["scopes"].values() for s in lst}
        self.assertEqual(scopes, {"https://outlook.office.com/IMAP.AccessAsUser.All",
                                  "https://outlook.office.com/POP.AccessAsUser.All",
                                  "https://outlook.office.com/SMTP.Send", "offline_access"})
        self.assertEqual(MS["servers"], {"imap": server(HOST, "IMAPS_PORT", "ssl"),
                                         "pop3": server(HOST, "POP3S_PORT", "ssl"),
                                         "smtp": server(HOST, "SUBMISSION_PORT", "starttls")})
        self.assertEqual(MS["fallback_servers"], {"imap": server(HOST, "FALLBACK_IMAPS_PORT", "ssl"),
                                                  "pop3": server(HOST, "FALLBACK_POP3S_PORT", "ssl"),
                                                  "smtp": server(HOST, "FALLBACK_SUBMISSION_PORT", "starttls")})
        self.assertIs(MS["server_saves_sent"], True)
        self.assertIs(PROVIDERS["example"]["server_saves_sent"], False)

    def test_device_code_url_answers(self):
        url = MS["oauth"]["device_code_url"].replace("{tenant}", MS["oauth"]["tenant"])
        status, answer = idp(url[len(ENV["IDP_URL"]):], {"client_id": MS["oauth"]["client_id"],
                                                           "scope": " ".join(MS["oauth"]["scopes"]["imap"])})
        self.assertEqual(status, 200, answer)
        self.assertTrue(answer["verification_uri"].startswith(ENV["IDP_URL"]))

    def test_example_provider_servers_take_a_password(self):
        # Connect where the file says, not where the env says: the file is what Tern reads.
        servers = PROVIDERS["example"]["servers"]
        self.assertEqual(servers["imap"]["tls"], "starttls")
        m = imaplib.IMAP4(servers["imap"]["host"], servers["imap"]["port"], timeout=TIMEOUT)
        m.starttls(trusting_context())
        m.login(ENV["PASSWORD_USER1"], ENV["PASSWORD_USER1_PASSWORD"])
        m.logout()
        self.assertEqual(servers["smtp"]["tls"], "starttls")
        s = smtplib.SMTP(servers["smtp"]["host"], servers["smtp"]["port"], timeout=TIMEOUT)
        s.starttls(context=trusting_context())
        s.login(ENV["PASSWORD_USER1"], ENV["PASSWORD_USER1_PASSWORD"])
        s.quit()


if __name__ == "__main__":
    unittest.main()
