"""Command line, start-up and shutdown."""
import argparse
import logging
import os
import signal
import ssl
import sys
import threading
import traceback

from . import admin, oauth, store as store_mod
from .server import AdminServer, Listener, Switchboard


def parse_args(argv):
    p = argparse.ArgumentParser(prog="fake-idp", description="Fake Microsoft identity platform for tests.")
    p.add_argument("--state-dir", required=True, help="pid file and log go here")
    p.add_argument("--host", default="127.0.0.1", help="HTTPS bind address (admin is always 127.0.0.1)")
    p.add_argument("--port", type=int, required=True, help="HTTPS port; 0 picks a free one")
    p.add_argument("--admin-port", type=int, required=True, help="admin HTTP port; 0 picks a free one")
    for name in ("cert", "key", "unknown-ca-cert", "unknown-ca-key", "expired-cert", "expired-key"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--users", required=True, help="users.json (see README.md)")
    p.add_argument("--client-id", required=True, action="append",
                   help="an application id the platform knows; repeat for more")
    p.add_argument("--access-token-lifetime", type=int, default=3600, metavar="SECONDS")
    p.add_argument("--device-interval", type=int, default=5, metavar="SECONDS")
    p.add_argument("--device-expires-in", type=int, default=900, metavar="SECONDS")
    p.add_argument("--refresh-token-inactivity", type=int, default=0, metavar="SECONDS",
                   help="a refresh token unused this long answers AADSTS700082 (default 0: never)")
    return p.parse_args(argv)


class App:
    """What every handler reaches through server.app."""

    def __init__(self, args, store, board, logger):
        self.args, self.store, self.board, self.logger = args, store, board, logger
        self.host = args.host
        self.admin_port = None

    def log(self, line):
        self.logger.info(line)

    def log_exception(self, where):
        self.logger.error("%s\n%s", where, traceback.format_exc())


def _context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def _logger(state_dir):
    logger = logging.getLogger("fake-idp")
    logger.setLevel(logging.INFO)
    handler = logging.FileHandler(os.path.join(state_dir, "fake-idp.log"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.makedirs(args.state_dir, exist_ok=True)
    try:
        contexts = {"good": _context(args.cert, args.key),
                    "unknown-ca": _context(args.unknown_ca_cert, args.unknown_ca_key),
                    "expired": _context(args.expired_cert, args.expired_key)}
        users = store_mod.load_users(args.users)
    except (OSError, ValueError, KeyError, ssl.SSLError) as exc:
        print("fake-idp: cannot start: %s" % exc, file=sys.stderr)
        return 2
    logger = _logger(args.state_dir)
    store = store_mod.Store(users, args.client_id, args.access_token_lifetime, args.device_interval,
                            args.device_expires_in, args.refresh_token_inactivity)
    board = Switchboard(contexts)
    app = App(args, store, board, logger)
    board.listener = Listener(args.host, args.port, oauth.IdpHandler, app)

    stop = threading.Event()
    # Handlers only set a flag: the main thread does the closing, outside signal context.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    try:
        board.listener.open()
        admin_server = AdminServer(("127.0.0.1", args.admin_port), admin.AdminHandler, app)
    except OSError as exc:
        print("fake-idp: cannot listen: %s" % exc, file=sys.stderr)
        board.listener.close()
        return 2
    app.admin_port = admin_server.server_address[1]
    threading.Thread(target=admin_server.serve_forever, kwargs={"poll_interval": 0.1},
                     name="admin-accept", daemon=True).start()

    pid_file = os.path.join(args.state_dir, "fake-idp.pid")
    with open(pid_file, "w") as f:
        f.write("%d\n" % os.getpid())
    logger.info("listening https=%s:%d admin=127.0.0.1:%d", args.host, board.listener.port, app.admin_port)
    print("ready port=%d admin_port=%d" % (board.listener.port, app.admin_port), flush=True)

    while not stop.wait(0.5):
        pass
    logger.info("stopping")
    board.stop()
    board.listener.close()
    admin_server.shutdown()
    admin_server.server_close()
    try:
        os.unlink(pid_file)
    except OSError:
        pass
    return 0
