"""The admin interface: plain HTTP on loopback, JSON in and out, used only by tests and the demo."""
from . import errors
from .httpbase import BaseHandler
from .oauth import introspect

FAIL_ENDPOINTS = ("token", "devicecode", "authorize")


class AdminError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class AdminHandler(BaseHandler):
    def do_GET(self):
        self.run(lambda: self._dispatch("GET"))

    def do_POST(self):
        self.run(lambda: self._dispatch("POST"))

    def _dispatch(self, method):
        path, query = self.split_path()
        if path == "/introspect":  # same answers as over HTTPS, but immune to tls/mode switches
            return introspect(self, self.form() if method == "POST" else query)
        route = ROUTES.get((method, path))
        if route is None:
            return self.send_json(404, {"error": "no such admin endpoint: %s %s" % (method, path)})
        try:
            body = self.json_body() if method == "POST" else query
            result = route(self.app, body)
        except ValueError as exc:  # includes bad JSON
            return self.send_json(400, {"error": str(exc)})
        except AdminError as exc:
            return self.send_json(exc.status, {"error": str(exc)})
        self.send_json(200, dict({"ok": True}, **(result or {})))


def _user(app, body):
    email = body.get("user")
    if not email:
        raise ValueError("'user' is required")
    user = app.store.user(email)
    if user is None:
        raise AdminError(404, "unknown user %s" % email)
    return user


def _int(body, key, default=None, minimum=0):
    value = body.get(key, default)
    if value is None:
        raise ValueError("'%s' is required" % key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError("'%s' must be an integer >= %d" % (key, minimum))
    return value


def device_approve(app, body):
    user = _user(app, body)
    reason = app.store.settle_user_code(body.get("user_code"), user=user)
    if reason:
        raise AdminError(404 if reason.startswith("unknown") else 409, reason)
    return {"user_code": body.get("user_code"), "user": user["email"]}


def device_decline(app, body):
    reason = app.store.settle_user_code(body.get("user_code"), approve=False)
    if reason:
        raise AdminError(404 if reason.startswith("unknown") else 409, reason)
    return {"user_code": body.get("user_code")}


def device_expire(app, body):
    if not app.store.expire_user_code(body.get("user_code")):
        raise AdminError(404, "unknown user_code")
    return {}


def device_settings(app, body):
    store = app.store
    with store.lock:
        if "interval" in body:
            store.device_interval = _int(body, "interval")
        if "expires_in" in body:
            store.device_expires_in = _int(body, "expires_in", minimum=1)
        return {"interval": store.device_interval, "expires_in": store.device_expires_in}


def fail_next(app, body):
    """Queues `count` failures; queued entries are used in order, per endpoint."""
    count = _int(body, "count", 1)
    endpoint = body.get("endpoint", "token")
    if endpoint not in FAIL_ENDPOINTS:
        raise ValueError("endpoint must be one of %s" % ", ".join(FAIL_ENDPOINTS))
    error, aadsts = body.get("error"), body.get("aadsts")
    if aadsts is not None:
        aadsts = _int(body, "aadsts")
        if not errors.known_code(aadsts) and not body.get("description"):
            raise ValueError("AADSTS%d is not in the error table; add it to errors.py or give a "
                             "'description'" % aadsts)
    if error is None and aadsts is None:
        raise ValueError("'error' or 'aadsts' is required")
    if error is not None and aadsts is None and error not in errors.DEFAULT_CODE:
        raise ValueError("unknown error %r; known: %s" % (error, ", ".join(sorted(errors.DEFAULT_CODE))))
    spec = {"error": error, "aadsts": aadsts}
    if body.get("status") is not None:
        spec["status"] = _int(body, "status", minimum=100)
    for key in ("description", "retry_after"):
        if body.get(key) is not None:
            spec[key] = body[key]
    store = app.store
    with store.lock:
        queue = store.fail_next.setdefault(endpoint, [])
        if count == 0:
            queue.clear()
        else:
            queue.append([count, spec])
        return {"queued": sum(n for n, _ in queue)}


def set_tls(app, body):
    app.board.set_tls(body.get("cert"))
    return {"cert": app.board.tls}


def set_mode(app, body):
    app.board.set_mode(body.get("mode"))
    return {"mode": app.board.mode}


def revoke(app, body):
    user = _user(app, body)
    return {"user": user["email"], "revoked": app.store.revoke_user(user["email"])}


def auto_approve(app, body):
    user = _user(app, body)
    with app.store.lock:
        if body.get("enabled", True):
            app.store.auto_approve.add(user["email"])
        else:
            app.store.auto_approve.discard(user["email"])
        return {"auto_approve": sorted(app.store.auto_approve)}


def token_lifetime(app, body):
    seconds = _int(body, "seconds", minimum=1)
    with app.store.lock:
        app.store.access_token_lifetime = seconds
    return {"seconds": seconds}


def refresh_token_inactivity(app, body):
    """{"seconds"}: a refresh token unused for longer dies with AADSTS700082, as Microsoft's do after
    90 days; 0 turns it off. /admin/reset restores the command line's value."""
    seconds = _int(body, "seconds")
    with app.store.lock:
        app.store.refresh_token_inactivity = seconds
    return {"seconds": seconds}


def slow_down(app, body):
    count = _int(body, "count", 1)
    with app.store.lock:
        app.store.slow_down = count
    return {"count": count}


def introspection(app, body):
    """{"refuse": true}: introspection calls every token inactive while the token endpoint keeps
    issuing them, as when a mail server refuses even freshly issued tokens (a fallback trigger)."""
    refuse = body.get("refuse")
    if not isinstance(refuse, bool):
        raise AdminError(400, '"refuse" must be true or false')
    with app.store.lock:
        app.store.introspection_refuses = refuse
    return {"refuse": refuse}


def state(app, body):
    snapshot = app.store.snapshot()
    snapshot.update(mode=app.board.mode, tls=app.board.tls, port=app.board.listener.port,
                    admin_port=app.admin_port)
    return snapshot


def tokens(app, body):
    """Every token issued to the user since the last reset, dead ones too: tests look for them where
    they must never be (files, logs)."""
    user = _user(app, body)
    return dict(user=user["email"], **app.store.tokens_of(user["email"]))


def reset(app, body):
    """Back to the state right after start: no tokens, no queued failures, good certificate, normal mode."""
    app.store.reset()
    app.board.set_tls("good")
    app.board.set_mode("normal")
    return {}


ROUTES = {
    ("POST", "/admin/device/approve"): device_approve,
    ("POST", "/admin/device/decline"): device_decline,
    ("POST", "/admin/device/expire"): device_expire,
    ("POST", "/admin/device/settings"): device_settings,
    ("POST", "/admin/fail-next"): fail_next,
    ("POST", "/admin/tls"): set_tls,
    ("POST", "/admin/mode"): set_mode,
    ("POST", "/admin/revoke"): revoke,
    ("POST", "/admin/auto-approve"): auto_approve,
    ("POST", "/admin/access-token-lifetime"): token_lifetime,
    ("POST", "/admin/refresh-token-inactivity"): refresh_token_inactivity,
    ("POST", "/admin/slow-down"): slow_down,
    ("POST", "/admin/introspection"): introspection,
    ("GET", "/admin/state"): state,
    ("GET", "/admin/tokens"): tokens,
    ("POST", "/admin/reset"): reset,
}
