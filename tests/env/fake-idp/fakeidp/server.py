"""The HTTPS listener whose behaviour the admin can change while it runs.

The listening socket is plain TCP; each accepted connection is wrapped with the SSL context that is
current at that moment, so switching the certificate takes effect on the very next connection. The
same hook implements "hang" (hold the raw connection, never even answer the TLS handshake). "down"
closes the listener so the kernel refuses connections, and "normal" binds the same port again.
"""
import socket
import ssl
import threading
from http.server import ThreadingHTTPServer

MODES = ("normal", "hang", "down")
HANG_LIMIT = 600      # seconds a hung connection is held at most
HANDSHAKE_TIMEOUT = 10
REQUEST_TIMEOUT = 30


class Switchboard:
    """Current certificate and mode, shared by the HTTPS listener and the admin interface."""

    def __init__(self, contexts):
        self.contexts = contexts  # name -> ssl.SSLContext
        self.cond = threading.Condition()
        self.tls = "good"
        self.mode = "normal"
        self.stopping = False
        self.listener = None

    def context(self):
        with self.cond:
            return self.contexts[self.tls]

    def set_tls(self, name):
        if name not in self.contexts:
            raise ValueError("cert must be one of %s" % ", ".join(sorted(self.contexts)))
        with self.cond:
            self.tls = name

    def set_mode(self, mode):
        if mode not in MODES:
            raise ValueError("mode must be one of %s" % ", ".join(MODES))
        with self.cond:
            previous, self.mode = self.mode, mode
            self.cond.notify_all()  # releases hung connections
        if mode == "down" and previous != "down":
            self.listener.close()
        elif mode != "down" and previous == "down":
            self.listener.open()

    def hold(self, sock):
        """Keeps an accepted connection open and silent until the mode changes (or we stop)."""
        with self.cond:
            self.cond.wait_for(lambda: self.mode != "hang" or self.stopping, timeout=HANG_LIMIT)
        sock.close()

    def stop(self):
        with self.cond:
            self.stopping = True
            self.cond.notify_all()


class _HttpsServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # never wait for hung connections on close

    def __init__(self, address, handler, app):
        self.app = app
        super().__init__(address, handler)

    def finish_request(self, request, client_address):
        board = self.app.board
        if board.mode == "hang":
            board.hold(request)
            return
        request.settimeout(HANDSHAKE_TIMEOUT)
        try:
            tls = board.context().wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            # The client refused our certificate (the point of unknown-ca / expired) or went away.
            request.close()
            return
        try:
            tls.settimeout(REQUEST_TIMEOUT)
            self.RequestHandlerClass(tls, client_address, self)
        except (ssl.SSLError, OSError):
            pass
        finally:
            try:
                tls.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            tls.close()

    def handle_error(self, request, client_address):
        self.app.log_exception("HTTPS connection from %s" % (client_address,))


class Listener:
    """Owns the HTTPS server object so it can be closed and bound again on the same port."""

    def __init__(self, host, port, handler, app):
        self.host, self.port, self.handler, self.app = host, port, handler, app
        self.lock = threading.Lock()
        self.server = None
        self.thread = None

    def open(self):
        with self.lock:
            if self.server is not None:
                return
            self.server = _HttpsServer((self.host, self.port), self.handler, self.app)
            self.port = self.server.server_address[1]  # keeps the port chosen for --port 0
            self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                           name="https-accept", daemon=True)
            self.thread.start()

    def close(self):
        with self.lock:
            server, self.server = self.server, None
        if server is not None:
            server.shutdown()
            server.server_close()


class AdminServer(ThreadingHTTPServer):
    """Plain HTTP on loopback for the test harness; never affected by the modes above."""
    daemon_threads = True
    block_on_close = False

    def __init__(self, address, handler, app):
        self.app = app
        super().__init__(address, handler)

    def handle_error(self, request, client_address):
        self.app.log_exception("admin connection from %s" % (client_address,))
