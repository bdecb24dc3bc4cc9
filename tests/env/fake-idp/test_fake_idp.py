#!/usr/bin/env python3
"""Black-box tests of the fake Microsoft identity platform: a real process on free loopback ports,
throwaway certificates from the openssl CLI, and HTTPS clients that trust only the test CA."""
import base64
import hashlib
import os
import secrets
import shutil
import socket
import ssl
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testsupport as ts  # noqa: E402

IMAP = "https://outlook.office.com/IMAP.AccessAsUser.All"
SMTP = "https://outlook.office.com/SMTP.Send"
SCOPE = "%s %s offline_access" % (IMAP, SMTP)
REDIRECT = "http://127.0.0.1:53682/"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def pkce():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


SERVER = {}


def setUpModule():
    """One server for all tests (each test starts from /admin/reset): keeps the run short."""
    d = tempfile.mkdtemp(prefix="fake-idp-test.")
    SERVER["dir"] = d
    ts.make_certificates(d)
    SERVER["proc"], SERVER["port"], SERVER["admin_port"] = ts.start_server(d, ["--device-interval", "1"])


def tearDownModule():
    rc = ts.stop_server(SERVER["proc"])
    shutil.rmtree(SERVER["dir"], ignore_errors=True)
    if rc != 0:
        raise AssertionError("fake-idp exited with %s after SIGTERM" % rc)


class FakeIdpTestCase(unittest.TestCase):
    def setUp(self):
        self.dir, self.proc = SERVER["dir"], SERVER["proc"]
        self.port, self.admin_port = SERVER["port"], SERVER["admin_port"]
        self.ctx = ts.trusting_context(os.path.join(self.dir, "ca.pem"))
        self.base = "https://127.0.0.1:%d" % self.port
        self.admin("/admin/reset")

    # ---- helpers -------------------------------------------------------------------------------
    def admin(self, path, body=None, expect=200):
        get = body is None and (path.endswith("/state") or path.startswith("/admin/tokens"))
        data = None if get else ts.json.dumps(body or {}).encode()
        r = ts.request("http://127.0.0.1:%d%s" % (self.admin_port, path), data=data,
                       headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, expect, r.text)
        return r.json()

    def https(self, path, form=None, **kwargs):
        kwargs.setdefault("context", self.ctx)
        return ts.request(self.base + path, data=form, **kwargs)

    def token(self, form, tenant="common", **kwargs):
        return self.https("/%s/oauth2/v2.0/token" % tenant, dict({"client_id": ts.CLIENT_ID}, **form), **kwargs)

    def authorize_params(self, challenge, **extra):
        params = {"client_id": ts.CLIENT_ID, "response_type": "code", "redirect_uri": REDIRECT,
                  "scope": SCOPE, "state": "st-42", "code_challenge": challenge, "code_challenge_method": "S256"}
        params.update(extra)
        return params

    def sign_in(self, challenge, user="carol@example.test", password="carol-pw", action="accept",
                tenant="common", **extra):
        form = dict(self.authorize_params(challenge, **extra), login=user, passwd=password, action=action)
        return self.https("/%s/oauth2/v2.0/authorize" % tenant, form)

    def redirect_query(self, r):
        self.assertEqual(r.status, 302, r.text)
        location = r.headers["Location"]
        self.assertTrue(location.startswith(REDIRECT), location)
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    def code_for(self, user="carol@example.test", password="carol-pw", scope=SCOPE, tenant="common"):
        verifier, challenge = pkce()
        query = self.redirect_query(self.sign_in(challenge, user, password, scope=scope, tenant=tenant))
        self.assertEqual(query["state"], "st-42")
        return query["code"], verifier

    def tokens_for(self, user="carol@example.test", password="carol-pw", scope=SCOPE, tenant="common"):
        code, verifier = self.code_for(user, password, scope, tenant)
        r = self.token({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                        "code_verifier": verifier}, tenant=tenant)
        self.assertEqual(r.status, 200, r.text)
        return r.json()

    def introspect(self, token):
        r = self.https("/introspect", {"token": token})
        self.assertEqual(r.status, 200)
        return r.json()

    def assertMsError(self, r, error, code, status=400):
        """The shape Microsoft sends: error, 'AADSTSnnn: ...' description with trace lines, ids."""
        self.assertEqual(r.status, status, r.text)
        self.assertTrue(r.headers["Content-Type"].startswith("application/json"))
        body = r.json()
        self.assertEqual(body["error"], error, body)
        self.assertEqual(body["error_codes"], [code])
        self.assertTrue(body["error_description"].startswith("AADSTS%d: " % code), body["error_description"])
        for line in ("\r\nTrace ID: ", "\r\nCorrelation ID: ", "\r\nTimestamp: "):
            self.assertIn(line, body["error_description"])
        self.assertRegex(body["timestamp"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$")
        self.assertRegex(body["trace_id"], r"^[0-9a-f-]{36}$")
        self.assertRegex(body["correlation_id"], r"^[0-9a-f-]{36}$")
        self.assertEqual(body["error_uri"], "https://login.microsoftonline.com/error?code=%d" % code)
        return body

    def device_start(self, scope=SCOPE, tenant="common"):
        r = self.https("/%s/oauth2/v2.0/devicecode" % tenant, {"client_id": ts.CLIENT_ID, "scope": scope})
        self.assertEqual(r.status, 200, r.text)
        return r.json()

    def poll(self, device_code, tenant="common"):
        return self.token({"grant_type": DEVICE_GRANT, "device_code": device_code}, tenant=tenant)


class StartupTest(FakeIdpTestCase):
    def test_pid_file_names_the_process(self):
        with open(os.path.join(self.dir, "state", "fake-idp.pid")) as f:
            self.assertEqual(int(f.read()), self.proc.pid)

    def test_sigterm_closes_both_ports_and_removes_pid_file(self):
        d = os.path.join(self.dir, "second")
        os.makedirs(d)
        for name in os.listdir(self.dir):
            if name.endswith((".pem", ".key")):
                shutil.copy(os.path.join(self.dir, name), d)
        proc, port, admin_port = ts.start_server(d)
        self.assertNotEqual(port, self.port)
        started = time.monotonic()
        self.assertEqual(ts.stop_server(proc), 0)
        self.assertLess(time.monotonic() - started, 3)
        for p in (port, admin_port):
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", p), timeout=2)
        self.assertFalse(os.path.exists(os.path.join(d, "state", "fake-idp.pid")))

    def test_discovery_document_points_at_this_server(self):
        r = self.https("/organizations/v2.0/.well-known/openid-configuration")
        self.assertEqual(r.json()["token_endpoint"], self.base + "/organizations/oauth2/v2.0/token")


class AuthorizationCodeTest(FakeIdpTestCase):
    def test_page_then_code_then_tokens(self):
        verifier, challenge = pkce()
        page = self.https("/common/oauth2/v2.0/authorize?" + urllib.parse.urlencode(
            self.authorize_params(challenge, login_hint="dave@example.test")))
        self.assertEqual(page.status, 200)
        self.assertIn('<option value="dave@example.test" selected>', page.text)
        self.assertIn('name="passwd"', page.text)
        self.assertIn(IMAP, page.text)
        query = self.redirect_query(self.sign_in(challenge))
        self.assertEqual(query["state"], "st-42")
        r = self.token({"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT,
                        "code_verifier": verifier, "scope": SCOPE})
        self.assertEqual(r.status, 200, r.text)
        body = r.json()
        self.assertEqual(body["token_type"], "Bearer")
        self.assertEqual(body["scope"], "%s %s" % (IMAP, SMTP))
        self.assertEqual(body["expires_in"], 3600)
        self.assertEqual(body["ext_expires_in"], 3600)
        self.assertTrue(body["refresh_token"])
        self.assertNotIn("id_token", body)
        info = self.introspect(body["access_token"])
        self.assertEqual(info["active"], True)
        self.assertEqual(info["email"], "carol@example.test")
        self.assertAlmostEqual(info["exp"], time.time() + 3600, delta=10)

    def test_bad_verifier_refused_then_good_one_works_then_reuse_refused(self):
        code, verifier = self.code_for()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        self.assertMsError(self.token(dict(form, code_verifier=pkce()[0])), "invalid_grant", 501481)
        self.assertMsError(self.token(form), "invalid_request", 900144)
        self.assertEqual(self.token(dict(form, code_verifier=verifier)).status, 200)
        body = self.assertMsError(self.token(dict(form, code_verifier=verifier)), "invalid_grant", 54005)
        self.assertIn("already redeemed", body["error_description"])

    def test_wrong_redirect_uri_refused(self):
        code, verifier = self.code_for()
        r = self.token({"grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:1/",
                        "code_verifier": verifier})
        self.assertIn("does not match the reply address", self.assertMsError(r, "invalid_grant", 50011)
                      ["error_description"])

    def test_unknown_code(self):
        self.assertMsError(self.token({"grant_type": "authorization_code", "code": "nope", "redirect_uri": REDIRECT,
                                       "code_verifier": "x"}), "invalid_grant", 70000)

    def test_decline_redirects_access_denied(self):
        query = self.redirect_query(self.sign_in(pkce()[1], action="decline"))
        self.assertEqual(query["error"], "access_denied")
        self.assertTrue(query["error_description"].startswith("AADSTS65004:"))
        self.assertEqual(query["state"], "st-42")

    def test_wrong_password_shows_the_page_again(self):
        r = self.sign_in(pkce()[1], password="wrong")
        self.assertEqual(r.status, 200)
        self.assertIn("Your account or password is incorrect", r.text)

    def test_unregistered_redirect_uri_is_an_error_page_not_a_redirect(self):
        r = self.https("/common/oauth2/v2.0/authorize?" + urllib.parse.urlencode(
            self.authorize_params(pkce()[1], redirect_uri="https://evil.example/cb")))
        self.assertEqual(r.status, 400)
        self.assertIn("AADSTS50011", r.text)

    def test_missing_pkce_and_bad_scope_redirect_with_errors(self):
        q = self.redirect_query(self.sign_in("", code_challenge_method=""))
        self.assertEqual(q["error"], "invalid_request")
        q = self.redirect_query(self.sign_in(pkce()[1], scope="openid offline_access"))
        self.assertEqual(q["error"], "invalid_scope")
        self.assertTrue(q["error_description"].startswith("AADSTS70011:"))

    def test_auto_approve_redirects_at_once(self):
        verifier, challenge = pkce()
        url = "/common/oauth2/v2.0/authorize?" + urllib.parse.urlencode(
            self.authorize_params(challenge, login_hint="erin@example.test"))
        self.assertEqual(self.https(url).status, 200)
        self.admin("/admin/auto-approve", {"user": "erin@example.test"})
        code = self.redirect_query(self.https(url))["code"]
        r = self.token({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                        "code_verifier": verifier})
        self.assertEqual(self.introspect(r.json()["access_token"])["email"], "erin@example.test")

    def test_no_offline_access_no_refresh_token_and_openid_adds_id_token(self):
        body = self.tokens_for(scope=IMAP + " openid profile")
        self.assertNotIn("refresh_token", body)
        claims = body["id_token"].split(".")[1]
        claims = ts.json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
        self.assertEqual(claims["preferred_username"], "carol@example.test")
        self.assertEqual(claims["aud"], ts.CLIENT_ID)


class RefreshAndIntrospectionTest(FakeIdpTestCase):
    def test_refresh_rotates_and_the_old_token_dies(self):
        first = self.tokens_for()
        r = self.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"], "scope": SCOPE})
        self.assertEqual(r.status, 200, r.text)
        second = r.json()
        self.assertNotEqual(second["refresh_token"], first["refresh_token"])
        self.assertEqual(second["scope"], "%s %s" % (IMAP, SMTP))
        self.assertMsError(self.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}),
                           "invalid_grant", 70000)
        third = self.token({"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
        self.assertEqual(third.status, 200)
        self.assertMsError(self.token({"grant_type": "refresh_token", "refresh_token": "garbage"}),
                           "invalid_grant", 9002313)

    def test_revoke_kills_access_and_refresh_tokens(self):
        body = self.tokens_for()
        other = self.tokens_for("erin@example.test", "erin-pw")
        self.assertEqual(self.admin("/admin/revoke", {"user": "carol@example.test"})["revoked"], 2)
        self.assertEqual(self.introspect(body["access_token"]), {"active": False})
        self.assertTrue(self.introspect(other["access_token"])["active"])
        r = self.token({"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
        self.assertIn("revoked", self.assertMsError(r, "invalid_grant", 50173)["error_description"])

    def test_refresh_token_dies_after_inactivity_unless_used(self):
        self.assertEqual(self.admin("/admin/refresh-token-inactivity", {"seconds": 2})["seconds"], 2)
        token = self.tokens_for()["refresh_token"]
        for _ in range(2):  # used inside the limit each time: alive 2.4 s after the first grant
            time.sleep(1.2)
            r = self.token({"grant_type": "refresh_token", "refresh_token": token})
            self.assertEqual(r.status, 200, r.text)
            token = r.json()["refresh_token"]
        time.sleep(2.3)
        body = self.assertMsError(self.token({"grant_type": "refresh_token", "refresh_token": token}),
                                  "invalid_grant", 700082)
        self.assertIn("expired due to inactivity", body["error_description"])
        self.assertIn("inactive for 0.00:00:02", body["error_description"])
        listed = self.admin("/admin/tokens?user=carol@example.test")["refresh_tokens"]
        self.assertEqual({t["token"]: t["state"] for t in listed}[token], "expired")
        self.assertEqual(self.admin("/admin/state")["refresh_token_inactivity"], 2)
        self.admin("/admin/refresh-token-inactivity", {"seconds": -1}, expect=400)
        self.admin("/admin/reset")
        self.assertEqual(self.admin("/admin/state")["refresh_token_inactivity"], 0)

    def test_access_token_expires_after_the_configured_lifetime(self):
        self.admin("/admin/access-token-lifetime", {"seconds": 1})
        body = self.tokens_for()
        self.assertEqual(body["expires_in"], 1)
        self.assertTrue(self.introspect(body["access_token"])["active"])
        time.sleep(1.1)
        self.assertEqual(self.introspect(body["access_token"]), {"active": False})
        self.assertEqual(self.introspect("never-issued"), {"active": False})

    def test_introspection_by_get_bearer_and_admin_port(self):
        access = self.tokens_for()["access_token"]
        self.assertTrue(self.https("/introspect?token=" + access).json()["active"])
        r = self.https("/introspect", b"", headers={"Authorization": "Bearer " + access})
        self.assertTrue(r.json()["active"])
        r = ts.request("http://127.0.0.1:%d/introspect" % self.admin_port, {"token": access})
        self.assertEqual(r.json()["email"], "carol@example.test")

    def test_state_counts_requests_and_live_tokens(self):
        self.tokens_for()
        self.introspect("x")
        state = self.admin("/admin/state")
        self.assertEqual(state["requests"]["token"], 1)
        self.assertEqual(state["requests"]["authorize"], 1)
        self.assertEqual(state["token_grants"], {"authorization_code": 1})
        self.assertEqual(state["tokens"], {"carol@example.test": {"access_tokens": 1, "refresh_tokens": 1}})
        self.assertEqual(state["introspections"], {"active": 0, "inactive": 1})
        self.admin("/admin/reset")
        self.assertEqual(self.admin("/admin/state")["tokens"], {})

    def test_tokens_lists_every_token_issued_to_the_user_with_its_state(self):
        first = self.tokens_for()
        second = self.token({"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).json()
        other = self.tokens_for("erin@example.test", "erin-pw")
        listed = self.admin("/admin/tokens?user=CAROL@example.test")
        self.assertEqual(listed["user"], "carol@example.test")
        self.assertEqual([(t["token"], t["state"]) for t in listed["access_tokens"]],
                         [(first["access_token"], "live"), (second["access_token"], "live")])
        self.assertEqual([(t["token"], t["state"]) for t in listed["refresh_tokens"]],
                         [(first["refresh_token"], "rotated"), (second["refresh_token"], "live")])
        self.assertRegex(listed["access_tokens"][0]["issued"], r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$")
        self.assertNotIn(other["access_token"], str(listed))
        self.admin("/admin/revoke", {"user": "carol@example.test"})
        listed = self.admin("/admin/tokens?user=carol@example.test")
        self.assertEqual([t["state"] for t in listed["access_tokens"] + listed["refresh_tokens"]],
                         ["revoked", "revoked", "rotated", "revoked"])
        self.assertEqual(self.admin("/admin/tokens?user=dave@example.test"),
                         {"ok": True, "user": "dave@example.test", "access_tokens": [], "refresh_tokens": []})
        self.assertIn("unknown user", self.admin("/admin/tokens?user=nobody@example.test", expect=404)["error"])
        self.assertIn("required", self.admin("/admin/tokens", expect=400)["error"])


class DeviceCodeTest(FakeIdpTestCase):
    def test_pending_then_admin_approval_then_tokens(self):
        start = self.device_start()
        self.assertRegex(start["user_code"], r"^[A-Z2-9]{9}$")
        self.assertEqual(start["verification_uri"], self.base + "/devicelogin")
        self.assertEqual((start["interval"], start["expires_in"]), (1, 900))
        self.assertIn(start["user_code"], start["message"])
        self.assertMsError(self.poll(start["device_code"]), "authorization_pending", 70016)
        self.admin("/admin/device/approve", {"user_code": start["user_code"], "user": "carol@example.test"})
        r = self.poll(start["device_code"])
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.introspect(r.json()["access_token"])["email"], "carol@example.test")
        self.assertMsError(self.poll(start["device_code"]), "invalid_grant", 54005)

    def test_devicelogin_page_with_password(self):
        start = self.device_start()
        self.assertIn('name="otc"', self.https("/devicelogin").text)
        typed = start["user_code"][:4].lower() + "-" + start["user_code"][4:]
        form = {"otc": typed, "login": "dave@example.test", "passwd": "bad", "action": "approve"}
        self.assertEqual(self.https("/devicelogin", form).status, 400)
        self.assertEqual(self.https("/devicelogin", dict(form, otc="ZZZZZZZZZ")).status, 400)
        r = self.https("/devicelogin", dict(form, passwd="dave-pw"))
        self.assertEqual(r.status, 200)
        self.assertIn("You have signed in", r.text)
        self.assertEqual(self.poll(start["device_code"]).status, 200)

    def test_decline_by_admin_and_by_page(self):
        for how in ("admin", "page"):
            start = self.device_start()
            if how == "admin":
                self.admin("/admin/device/decline", {"user_code": start["user_code"]})
            else:
                self.assertEqual(self.https("/devicelogin", {"otc": start["user_code"], "action": "decline"}).status,
                                 200)
            self.assertMsError(self.poll(start["device_code"]), "authorization_declined", 65004)

    def test_expiry_natural_and_forced(self):
        self.admin("/admin/device/settings", {"expires_in": 1})
        start = self.device_start()
        self.assertEqual(start["expires_in"], 1)
        time.sleep(1.1)
        self.assertMsError(self.poll(start["device_code"]), "expired_token", 70019)
        self.admin("/admin/device/approve", {"user_code": start["user_code"], "user": "carol@example.test"},
                   expect=409)
        self.admin("/admin/reset")
        start = self.device_start()
        self.admin("/admin/device/expire", {"user_code": start["user_code"]})
        self.assertMsError(self.poll(start["device_code"]), "expired_token", 70019)

    def test_slow_down_count(self):
        start = self.device_start()
        self.admin("/admin/slow-down", {"count": 2})
        for _ in range(2):
            self.assertMsError(self.poll(start["device_code"]), "slow_down", 70016)
        self.assertMsError(self.poll(start["device_code"]), "authorization_pending", 70016)

    def test_bad_verification_code(self):
        self.assertMsError(self.poll("DAQAnotacode"), "bad_verification_code", 70000)

    def test_user_outside_the_tenant_cannot_approve(self):
        start = self.device_start(tenant="organizations")
        body = self.admin("/admin/device/approve", {"user_code": start["user_code"], "user": "dave@example.test"},
                          expect=409)
        self.assertIn("AADSTS90072", body["error"])
        self.assertMsError(self.poll(start["device_code"], tenant="organizations"), "authorization_pending", 70016)

    def test_devicecode_scope_errors(self):
        r = self.https("/common/oauth2/v2.0/devicecode", {"client_id": ts.CLIENT_ID, "scope": "offline_access"})
        self.assertMsError(r, "invalid_scope", 70011)
        r = self.https("/common/oauth2/v2.0/devicecode", {"client_id": ts.CLIENT_ID})
        self.assertMsError(r, "invalid_request", 900144)


# Every answer DESIGN §3 names: (fail-next request, expected error, AADSTS code, HTTP status).
INJECTED = [
    ({"error": "invalid_grant", "aadsts": c}, "invalid_grant", c, 400)
    for c in (700082, 700084, 50173, 65001, 53003, 70043, 700016, 50076, 50079, 90072, 50011, 7000012, 54005)
] + [
    ({"error": "invalid_client"}, "invalid_client", 7000218, 401),
    ({"error": "invalid_client", "aadsts": 700016}, "invalid_client", 700016, 401),
    ({"error": "unauthorized_client"}, "unauthorized_client", 700016, 400),
    ({"error": "server_error"}, "server_error", 50000, 500),
    ({"error": "temporarily_unavailable"}, "temporarily_unavailable", 90033, 503),
    ({"error": "interaction_required"}, "interaction_required", 50076, 400),
    ({"error": "consent_required"}, "consent_required", 65001, 400),
    ({"error": "invalid_grant", "aadsts": 53003, "status": 401}, "invalid_grant", 53003, 401),
]


class InjectedFailureTest(FakeIdpTestCase):
    def test_each_error_of_the_design(self):
        refresh = self.tokens_for()["refresh_token"]
        for spec, error, code, status in INJECTED:
            with self.subTest(spec=spec):
                self.admin("/admin/fail-next", dict(spec, count=1))
                r = self.token({"grant_type": "refresh_token", "refresh_token": refresh})
                body = self.assertMsError(r, error, code, status)
                self.assertGreater(len(body["error_description"].split("\r\n")[0]), len("AADSTS0000: ") + 20)
        # The injected failures did not consume the grant: the refresh token still works.
        self.assertEqual(self.token({"grant_type": "refresh_token", "refresh_token": refresh}).status, 200)

    def test_count_retry_after_and_endpoints(self):
        self.admin("/admin/fail-next", {"count": 2, "error": "temporarily_unavailable", "retry_after": 7})
        for _ in range(2):
            r = self.token({"grant_type": "refresh_token", "refresh_token": "x"})
            self.assertEqual((r.status, r.headers["Retry-After"]), (503, "7"))
        self.assertMsError(self.token({"grant_type": "refresh_token", "refresh_token": "x"}), "invalid_grant",
                           9002313)
        self.admin("/admin/fail-next", {"endpoint": "devicecode", "error": "invalid_client"})
        r = self.https("/common/oauth2/v2.0/devicecode", {"client_id": ts.CLIENT_ID, "scope": SCOPE})
        self.assertMsError(r, "invalid_client", 7000218, 401)
        self.admin("/admin/fail-next", {"endpoint": "authorize", "error": "invalid_grant", "aadsts": 53003})
        q = self.redirect_query(self.sign_in(pkce()[1]))
        self.assertTrue(q["error_description"].startswith("AADSTS53003:"), q)
        self.assertEqual(self.admin("/admin/state")["fail_next"], {})

    def test_introspection_can_refuse_every_token(self):
        access = self.tokens_for()["access_token"]
        self.assertTrue(self.introspect(access)["active"])
        self.admin("/admin/introspection", {"refuse": True})
        self.assertEqual(self.introspect(access), {"active": False})
        # The token endpoint still issues tokens, and they are refused too.
        self.assertEqual(self.introspect(self.tokens_for()["access_token"]), {"active": False})
        self.assertTrue(self.admin("/admin/state")["introspection_refuses"])
        self.admin("/admin/reset")
        self.assertFalse(self.admin("/admin/state")["introspection_refuses"])

    def test_admin_refuses_what_it_cannot_inject(self):
        self.admin("/admin/fail-next", {"error": "no_such_error"}, expect=400)
        self.admin("/admin/fail-next", {"error": "invalid_grant", "aadsts": 12345}, expect=400)
        self.admin("/admin/tls", {"cert": "bogus"}, expect=400)
        self.admin("/admin/mode", {"mode": "sideways"}, expect=400)
        self.admin("/admin/introspection", {"refuse": "yes"}, expect=400)
        self.admin("/admin/revoke", {"user": "nobody@example.test"}, expect=404)


class RequestValidationTest(FakeIdpTestCase):
    def test_unknown_client_id(self):
        other = "11111111-2222-3333-4444-555555555555"
        r = self.token({"client_id": other, "grant_type": "refresh_token", "refresh_token": "x"})
        body = self.assertMsError(r, "invalid_client", 700016, 401)
        self.assertIn("Application with identifier '%s' was not found in the directory" % other,
                      body["error_description"])
        r = self.https("/common/oauth2/v2.0/authorize?" + urllib.parse.urlencode(
            self.authorize_params(pkce()[1], client_id=other)))
        self.assertEqual(r.status, 400)
        self.assertIn("AADSTS700016", r.text)

    def test_unknown_tenant(self):
        body = self.assertMsError(self.token({"grant_type": "refresh_token", "refresh_token": "x"},
                                             tenant="contoso.example"), "invalid_request", 90002)
        self.assertIn("Tenant 'contoso.example' not found", body["error_description"])
        r = self.https("/nope/oauth2/v2.0/authorize?" + urllib.parse.urlencode(self.authorize_params("c")))
        self.assertEqual(r.status, 400)
        self.assertIn("AADSTS90002", r.text)

    def test_tenants_accept_their_users_only(self):
        q = self.redirect_query(self.sign_in(pkce()[1], "dave@example.test", "dave-pw", tenant="organizations"))
        self.assertTrue(q["error_description"].startswith("AADSTS90072:"), q)
        self.tokens_for("dave@example.test", "dave-pw", tenant="consumers")
        self.tokens_for("erin@example.test", "erin-pw", tenant="organizations")
        refresh = self.tokens_for(tenant="organizations")["refresh_token"]
        self.assertMsError(self.token({"grant_type": "refresh_token", "refresh_token": refresh},
                                      tenant="consumers"), "invalid_grant", 7000012)

    def test_public_client_secret_grant_type_and_get(self):
        self.assertMsError(self.token({"grant_type": "refresh_token", "refresh_token": "x", "client_secret": "s"}),
                           "invalid_client", 700025, 401)
        self.assertMsError(self.token({"grant_type": "password"}), "unsupported_grant_type", 70003)
        self.assertMsError(self.token({}), "invalid_request", 900144)
        self.assertMsError(self.https("/common/oauth2/v2.0/token"), "invalid_request", 900561)

    def test_correlation_id_echoes_client_request_id(self):
        cid = "0c7d37c6-1b1a-4c2b-9f2e-1a2b3c4d5e6f"
        r = self.token({"grant_type": "refresh_token", "refresh_token": "x"}, headers={"client-request-id": cid})
        self.assertEqual(r.json()["correlation_id"], cid)


class TransportTest(FakeIdpTestCase):
    def reachable(self, timeout=5):
        return self.introspect("x") == {"active": False}

    def test_certificate_switch(self):
        for cert, reason in (("unknown-ca", "unable to get local issuer certificate"), ("expired", "expired")):
            with self.subTest(cert=cert):
                self.admin("/admin/tls", {"cert": cert})
                with self.assertRaises(urllib.error.URLError) as caught:
                    self.https("/introspect", {"token": "x"})
                self.assertIsInstance(caught.exception.reason, ssl.SSLCertVerificationError)
                self.assertIn(reason, caught.exception.reason.verify_message)
        # Without verification the expired certificate is still served: it is the one we configured.
        insecure = ssl._create_unverified_context()
        self.assertEqual(self.https("/introspect", {"token": "x"}, context=insecure).status, 200)
        self.admin("/admin/tls", {"cert": "good"})
        self.assertTrue(self.reachable())

    def test_down_refuses_connections_and_comes_back_on_the_same_port(self):
        self.admin("/admin/mode", {"mode": "down"})
        with self.assertRaises(urllib.error.URLError) as caught:
            self.https("/introspect", {"token": "x"})
        self.assertIsInstance(caught.exception.reason, ConnectionRefusedError)
        self.admin("/admin/mode", {"mode": "normal"})
        self.assertTrue(self.reachable())

    def test_hang_accepts_and_never_answers(self):
        self.admin("/admin/mode", {"mode": "hang"})
        started = time.monotonic()
        with self.assertRaises((TimeoutError, urllib.error.URLError)) as caught:
            self.https("/introspect", {"token": "x"}, timeout=1)
        if isinstance(caught.exception, urllib.error.URLError):
            self.assertIsInstance(caught.exception.reason, TimeoutError)
        self.assertLess(time.monotonic() - started, 3)
        self.assertEqual(self.admin("/admin/state")["mode"], "hang")  # the admin side is not blocked
        self.admin("/admin/mode", {"mode": "normal"})
        self.assertTrue(self.reachable())


if __name__ == "__main__":
    unittest.main()
