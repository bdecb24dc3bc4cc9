"""Request parsing and response writing shared by the HTTPS and the admin handlers."""
import json
import urllib.parse
from http.server import BaseHTTPRequestHandler

MAX_BODY = 1 << 20


class BaseHandler(BaseHTTPRequestHandler):
    # HTTP/1.0 closes every connection after one answer, so a certificate or mode switch reaches the
    # client's next request instead of hiding behind a kept-alive connection.
    protocol_version = "HTTP/1.0"
    server_version = "fake-idp"

    def version_string(self):
        return self.server_version

    @property
    def app(self):
        return self.server.app

    def log_message(self, fmt, *args):
        self.app.log("%s %s" % (self.address_string(), fmt % args))

    # ---- reading -------------------------------------------------------------------------------
    def split_path(self):
        parts = urllib.parse.urlsplit(self.path)
        return parts.path, _first_values(urllib.parse.parse_qs(parts.query, keep_blank_values=True))

    def body(self):
        if not hasattr(self, "_body"):
            length = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(min(length, MAX_BODY)) if length > 0 else b""
        return self._body

    def form(self):
        text = self.body().decode("utf-8", "replace")
        return _first_values(urllib.parse.parse_qs(text, keep_blank_values=True))

    def json_body(self):
        raw = self.body()
        if not raw.strip():
            return {}
        value = json.loads(raw.decode("utf-8"))
        if not isinstance(value, dict):
            raise ValueError("a JSON object is expected")
        return value

    # ---- writing -------------------------------------------------------------------------------
    def send_bytes(self, status, content_type, data, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store, no-cache")
        self.send_header("Pragma", "no-cache")
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json(self, status, obj, headers=None):
        data = json.dumps(obj, indent=None).encode("utf-8")
        self.send_bytes(status, "application/json; charset=utf-8", data, headers)

    def send_html(self, status, html):
        self.send_bytes(status, "text/html; charset=utf-8", html.encode("utf-8"))

    def redirect(self, location):
        self.send_bytes(302, "text/html; charset=utf-8", b"", {"Location": location})

    def run(self, dispatch):
        """Calls dispatch(); a bug in the fake answers 500 with the reason instead of a dead socket."""
        try:
            dispatch()
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception as exc:  # noqa: BLE001 - report every bug to the test that hit it
            self.app.log_exception("%s %s" % (self.command, self.path))
            try:
                self.send_json(500, {"error": "fake_idp_bug", "error_description": repr(exc)})
            except OSError:
                pass


def _first_values(multi):
    return {k: v[0] for k, v in multi.items()}


def add_query(url, params):
    """Appends params to url, keeping any query it already has (redirect URIs may carry one)."""
    parts = urllib.parse.urlsplit(url)
    extra = urllib.parse.urlencode([(k, v) for k, v in params.items() if v is not None])
    query = parts.query + ("&" if parts.query and extra else "") + extra
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
