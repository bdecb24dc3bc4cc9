"""Helpers for test_fake_idp.py: throwaway certificates and a running fake-idp process."""
import json
import os
import select
import signal
import ssl
import subprocess
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER = os.path.join(HERE, "fake-idp")
CLIENT_ID = "9e5f94bc-e8a4-4e73-b8be-63364c29d753"
USERS = [
    {"email": "carol@example.test", "password": "carol-pw", "tenant": "organizations"},
    {"email": "dave@example.test", "password": "dave-pw", "tenant": "consumers"},
    {"email": "erin@example.test", "password": "erin-pw", "tenant": "common"},
]
SAN = "subjectAltName=DNS:localhost,IP:127.0.0.1"

# `openssl x509 -days` cannot go negative; `openssl ca` takes explicit dates, so the expired
# certificate comes from a minimal CA configuration.
_CA_CONF = """[ca]
default_ca = test_ca
[test_ca]
database = {d}/index.txt
new_certs_dir = {d}/newcerts
serial = {d}/serial
default_md = sha256
policy = any
unique_subject = no
x509_extensions = server
[any]
commonName = supplied
[server]
basicConstraints = CA:FALSE
subjectAltName = DNS:localhost,IP:127.0.0.1
"""


def _openssl(*args, cwd):
    subprocess.run(("openssl",) + args, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def _ec_key_and_csr(d, name):
    _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=localhost", cwd=d)


def _ca(d, name, subject):
    _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", subject, cwd=d)


def _sign(d, ca, name):
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write(SAN + "\n")
    _openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
             "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext", cwd=d)


def make_certificates(d):
    """ca.pem; server.pem signed by it; unknown-ca-server.pem by another CA; expired-server.pem."""
    _ca(d, "ca", "/CN=Tern Test CA")
    _ca(d, "other-ca", "/CN=Nobody Trusts Me CA")
    for name, ca in (("server", "ca"), ("unknown-ca-server", "other-ca")):
        _ec_key_and_csr(d, name)
        _sign(d, ca, name)
    os.makedirs(os.path.join(d, "newcerts"), exist_ok=True)
    open(os.path.join(d, "index.txt"), "w").close()
    with open(os.path.join(d, "serial"), "w") as f:
        f.write("1000\n")
    with open(os.path.join(d, "ca.cnf"), "w") as f:
        f.write(_CA_CONF.format(d=d))
    _ec_key_and_csr(d, "expired-server")
    _openssl("ca", "-batch", "-notext", "-config", "ca.cnf", "-cert", "ca.pem", "-keyfile", "ca.key",
             "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-in", "expired-server.csr",
             "-out", "expired-server.pem", cwd=d)


def start_server(d, extra=()):
    """Starts fake-idp on free ports; returns (process, https_port, admin_port)."""
    users = os.path.join(d, "users.json")
    with open(users, "w") as f:
        json.dump(USERS, f)
    cmd = [LAUNCHER, "--state-dir", os.path.join(d, "state"), "--port", "0", "--admin-port", "0",
           "--cert", os.path.join(d, "server.pem"), "--key", os.path.join(d, "server.key"),
           "--unknown-ca-cert", os.path.join(d, "unknown-ca-server.pem"),
           "--unknown-ca-key", os.path.join(d, "unknown-ca-server.key"),
           "--expired-cert", os.path.join(d, "expired-server.pem"),
           "--expired-key", os.path.join(d, "expired-server.key"),
           "--users", users, "--client-id", CLIENT_ID] + list(extra)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([proc.stdout], [], [], 15)
    line = proc.stdout.readline() if ready else ""
    if not line.startswith("ready "):
        proc.kill()
        raise RuntimeError("fake-idp did not start: %r %s" % (line, proc.stderr.read()))
    fields = dict(part.split("=") for part in line.split()[1:])
    return proc, int(fields["port"]), int(fields["admin_port"])


def stop_server(proc, timeout=5):
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test wants to see the 302 and its Location


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


def request(url, data=None, headers=None, context=None, timeout=5, method=None):
    """urllib without redirects and without exceptions for HTTP error statuses."""
    handlers = [_NoRedirect()]
    if context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=context))
    opener = urllib.request.build_opener(*handlers)
    if isinstance(data, dict):
        data = urllib.parse.urlencode(data).encode()
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with opener.open(req, timeout=timeout) as resp:
            return Response(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as err:
        with err:
            return Response(err.code, err.headers, err.read())


def trusting_context(cafile):
    return ssl.create_default_context(cafile=cafile)
