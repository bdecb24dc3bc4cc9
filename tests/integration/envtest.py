"""What the environment tests share: the KEY=VALUE env, TLS contexts, SASL strings, tokens.

The clients are Python's own imaplib, smtplib and poplib: written by nobody here, so they check
the servers rather than our understanding of them. The env comes from TERN_ENV_FILE (CTest sets
it to the fixture's DIR/env) or TERN_ENV_DIR.
"""
import base64
import imaplib
import json
import os
import poplib
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request

HOST = "127.0.0.1"
OUTLOOK = "https://outlook.office.com/"
ALL_SCOPES = (f"{OUTLOOK}IMAP.AccessAsUser.All {OUTLOOK}POP.AccessAsUser.All {OUTLOOK}SMTP.Send "
              "offline_access")
TIMEOUT = 30  # seconds for any one network operation


def load_env():
    path = os.environ.get("TERN_ENV_FILE")
    if not path and os.environ.get("TERN_ENV_DIR"):
        path = os.path.join(os.environ["TERN_ENV_DIR"], "env")
    if not path or not os.path.exists(path):
        raise RuntimeError(f"no test environment: TERN_ENV_FILE={path!r} (start one with tests/env/up)")
    with open(path, encoding="utf-8") as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


ENV = load_env()


def port(key):
    return int(ENV[key])


def trusting_context():
    """Trusts the environment's CA only (and checks host names, as every client must)."""
    return ssl.create_default_context(cafile=ENV["TERN_CA_FILE"])


def system_context():
    """A client that does not know the throwaway CA: the system store only."""
    return ssl.create_default_context()


# ---- logins ---------------------------------------------------------------------------------

def imap_starttls(port_key="IMAP_PORT", context=None):
    m = imaplib.IMAP4(HOST, port(port_key), timeout=TIMEOUT)
    m.starttls(context or trusting_context())
    return m


def imap_ssl(port_key="IMAPS_PORT", context=None):
    return imaplib.IMAP4_SSL(HOST, port(port_key), ssl_context=context or trusting_context(), timeout=TIMEOUT)


def smtp_starttls(port_key="SUBMISSION_PORT"):
    s = smtplib.SMTP(HOST, port(port_key), timeout=TIMEOUT)
    s.starttls(context=trusting_context())
    s.ehlo()  # the session starts over after STARTTLS
    return s


def pop3_ssl(port_key="POP3S_PORT"):
    return poplib.POP3_SSL(HOST, port(port_key), context=trusting_context(), timeout=TIMEOUT)


def xoauth2(user, token):
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def oauthbearer(user, token, port_key):
    return f"n,a={user},\x01host={HOST}\x01port={port(port_key)}\x01auth=Bearer {token}\x01\x01"


def sasl_once(initial):
    """A SASL answer for imaplib/smtplib: the initial response, then an empty line to whatever
    the server says back (the XOAUTH2 error challenge must be answered that way)."""
    calls = []

    def answer(challenge=None):
        calls.append(challenge)
        return initial if len(calls) == 1 else ""

    return answer


def imap_authenticate(m, mechanism, initial):
    answer = sasl_once(initial)
    return m.authenticate(mechanism, lambda challenge: answer(challenge).encode())


def pop3_authenticate(p, mechanism, initial):
    """poplib has no AUTH: SASL-IR by hand, then the empty answer to a failure challenge."""
    p._putcmd(f"AUTH {mechanism} " + base64.b64encode(initial.encode()).decode())
    line = p._getline()[0]
    if line == b"+" or line.startswith(b"+ "):  # a challenge (the failure JSON), not +OK
        p._putcmd("")
        line = p._getline()[0]
    if not line.startswith(b"+OK"):
        raise poplib.error_proto(line)
    return line


# ---- the fake identity platform ---------------------------------------------------------------

def _request(url, data, as_json, context):
    body = json.dumps(data).encode() if as_json else urllib.parse.urlencode(data).encode()
    kind = "application/json" if as_json else "application/x-www-form-urlencoded"
    req = urllib.request.Request(url, body, {"Content-Type": kind})
    try:
        with urllib.request.urlopen(req, context=context, timeout=TIMEOUT) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def admin(path, body):
    status, answer = _request(ENV["IDP_ADMIN_URL"] + path, body, True, None)
    if status != 200:
        raise AssertionError(f"admin {path} {body} answered {status}: {answer}")
    return answer


def admin_get(path, query=None):
    """GET on the admin interface, e.g. admin_get("/admin/tokens", {"user": EMAIL})."""
    url = ENV["IDP_ADMIN_URL"] + path + ("?" + urllib.parse.urlencode(query) if query else "")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        raise AssertionError(f"admin GET {path} {query} answered {e.code}: {e.read()!r}") from None


def idp(path, form):
    return _request(ENV["IDP_URL"] + path, form, False, trusting_context())


def device_code_token(user, scope=ALL_SCOPES, tenant="common"):
    """An access token for USER by the device code flow: ask for a code, have the admin interface
    approve it for USER (the person at the verification page), poll the token endpoint."""
    base = f"/{tenant}/oauth2/v2.0/"
    status, code = idp(base + "devicecode", {"client_id": ENV["IDP_CLIENT_ID"], "scope": scope})
    assert status == 200, code
    first = poll_device_code(base, code["device_code"])
    assert first[1].get("error") == "authorization_pending", first
    admin("/admin/device/approve", {"user_code": code["user_code"], "user": user})
    status, token = poll_device_code(base, code["device_code"])
    assert status == 200, token
    return token["access_token"]


def poll_device_code(base, device_code):
    return idp(base + "token", {"grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                                "client_id": ENV["IDP_CLIENT_ID"], "device_code": device_code})


# ---- waiting ------------------------------------------------------------------------------

def wait_for(what, probe, deadline=30, interval=0.2):
    """Calls probe() until it returns something true; fails after DEADLINE seconds."""
    end = time.monotonic() + deadline
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > end:
            raise AssertionError(f"after {deadline} s still no {what}")
        time.sleep(interval)  # poll interval


def imap_search_subject(user, password, folder, subject_token, port_key="IMAPS_PORT"):
    """UIDs in FOLDER whose Subject contains SUBJECT_TOKEN (ASCII), over IMAPS."""
    m = imap_ssl(port_key)
    try:
        m.login(user, password)
        typ, _ = m.select(f'"{folder}"', readonly=True)
        assert typ == "OK", folder
        typ, data = m.uid("SEARCH", "SUBJECT", f'"{subject_token}"')
        return data[0].split()
    finally:
        m.logout()
