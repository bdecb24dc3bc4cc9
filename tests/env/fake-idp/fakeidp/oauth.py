"""The HTTPS side: Microsoft's paths, the authorize page, the token endpoint and introspection."""
import re
import urllib.parse

from . import device, errors, grants, pages
from .httpbase import BaseHandler, add_query
from .store import OAuthError

_OAUTH_PATH = re.compile(r"/([^/]+)/oauth2/v2\.0/(authorize|token|devicecode)")
_DISCOVERY_PATH = re.compile(r"/([^/]+)/v2\.0/\.well-known/openid-configuration")
_ADMINCONSENT_PATH = re.compile(r"/([^/]+)/adminconsent")
_WRONG_PASSWORD = ("Your account or password is incorrect. If you don't remember your password, "
                   "reset it now.")
_NATIVE_CLIENT = "https://login.microsoftonline.com/common/oauth2/nativeclient"


class IdpHandler(BaseHandler):
    def do_GET(self):
        self.run(lambda: self._dispatch("GET"))

    def do_POST(self):
        self.run(lambda: self._dispatch("POST"))

    def base_url(self):
        host = self.headers.get("Host") or "%s:%d" % (self.app.host, self.app.board.listener.port)
        return "https://" + host

    def _dispatch(self, method):
        path, query = self.split_path()
        match = _OAUTH_PATH.fullmatch(path)
        if match:
            tenant, endpoint = match.group(1), match.group(2)
            if endpoint == "authorize":
                params = dict(query, **self.form()) if method == "POST" else query
                return authorize(self, tenant, params, submitted=method == "POST")
            if method != "POST":
                self.app.store.count(endpoint)
                return grants.send_error(self, OAuthError("invalid_request", 900561),
                                         grants.error_context(self, tenant))
            return token(self, tenant) if endpoint == "token" else device.devicecode(self, tenant)
        if path == "/devicelogin":
            return device.login_page(self, query) if method == "GET" else device.login_submit(self)
        if path == "/introspect":
            return introspect(self, self.form() if method == "POST" else query)
        match = _DISCOVERY_PATH.fullmatch(path)
        if match and method == "GET":
            return discovery(self, match.group(1))
        match = _ADMINCONSENT_PATH.fullmatch(path)
        if match and method == "GET":
            return self.send_html(200, pages.message("Permissions granted",
                                                     "The administrator consented for the organisation."))
        self.send_json(404, {"error": "not_found", "error_description": "No such endpoint: " + path})


# ---- authorize -------------------------------------------------------------------------------------
def redirect_allowed(uri):
    """Desktop app registrations accept loopback redirects on any port (RFC 8252), as Microsoft does."""
    if uri == _NATIVE_CLIENT:
        return True
    parts = urllib.parse.urlsplit(uri)
    try:
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme == "http" and host in ("127.0.0.1", "localhost", "::1")


def _error_page(handler, exc, ctx, status=400):
    """Errors before the redirect URI is trusted are shown as a page, never redirected."""
    kwargs = dict(ctx, **exc.kwargs)
    kwargs.pop("retry_after", None)
    _, body = errors.build(**kwargs)
    handler.send_html(status, pages.message("Sorry, but we're having trouble signing you in.",
                                            body["error_description"]))


def _redirect_error(handler, redirect_uri, state, exc, ctx):
    kwargs = dict(ctx, **exc.kwargs)
    kwargs.pop("retry_after", None)
    _, body = errors.build(**kwargs)
    handler.redirect(add_query(redirect_uri, {"error": body["error"],
                                              "error_description": body["error_description"],
                                              "error_uri": body.get("error_uri"), "state": state}))


def authorize(handler, tenant, params, submitted):
    store = handler.app.store
    store.count("authorize")
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    ctx = grants.error_context(handler, tenant, client_id, redirect_uri=redirect_uri,
                               response_type=params.get("response_type", ""))
    try:
        grants.check_tenant(store, tenant)
        grants.check_client(store, client_id)
        if not redirect_uri:
            raise OAuthError("invalid_request", 900144, param="redirect_uri")
        if not redirect_allowed(redirect_uri):
            raise OAuthError("invalid_request", 50011)
    except OAuthError as exc:
        return _error_page(handler, exc, ctx)

    state = params.get("state")
    try:
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", 70005)
        scopes, oidc = grants.parse_scopes(params.get("scope"))
        challenge = params.get("code_challenge")
        if not challenge:
            raise OAuthError("invalid_request", 900144, param="code_challenge")
        method = params.get("code_challenge_method") or "plain"
        if method != "S256":
            raise OAuthError("invalid_request", 9002313,
                             description="The code_challenge_method '%s' is not supported here; use S256."
                                         % method)
        if submitted:
            if params.get("action") == "decline":
                raise OAuthError("access_denied", 65004)
            user = store.user(params.get("login"))
            if user is None or params.get("passwd") != user["password"]:
                return _sign_in_page(handler, tenant, params, params.get("login"), _WRONG_PASSWORD)
        else:
            user = store.user(params.get("login_hint"))
            with store.lock:
                auto = user is not None and user["email"] in store.auto_approve
            if not auto:
                if params.get("prompt") == "none":
                    raise OAuthError("login_required", 50058)
                return _sign_in_page(handler, tenant, params, params.get("login_hint"))
        spec = store.take_failure("authorize")
        if spec:
            raise grants.injected(spec)
        store.check_user_tenant(user["email"], tenant)
        code = store.issue_code(user, client_id, redirect_uri, scopes, oidc, tenant, challenge, method)
        handler.redirect(add_query(redirect_uri, {"code": code, "state": state}))
    except OAuthError as exc:
        _redirect_error(handler, redirect_uri, state, exc, ctx)


def _sign_in_page(handler, tenant, params, login, message=None):
    users = sorted(handler.app.store.users.values(), key=lambda u: u["email"])
    action = "/%s/oauth2/v2.0/authorize" % urllib.parse.quote(tenant)
    handler.send_html(200, pages.sign_in(action, params, users, login, "Tern", message))


# ---- token -----------------------------------------------------------------------------------------
def token(handler, tenant):
    store = handler.app.store
    form = handler.form()
    grant_type = form.get("grant_type")
    store.count("token", grant_type)
    client_id = form.get("client_id", "")
    ctx = grants.error_context(handler, tenant, client_id, grant_type=grant_type or "")
    try:
        spec = store.take_failure("token")
        if spec:
            raise grants.injected(spec)
        grants.check_tenant(store, tenant)
        grants.check_client(store, client_id)
        if form.get("client_secret") or form.get("client_assertion"):
            raise OAuthError("invalid_client", 700025)
        if not grant_type:
            raise OAuthError("invalid_request", 900144, param="grant_type")
        if grant_type == "authorization_code":
            body = _code_grant(store, form, client_id, tenant)
        elif grant_type == "refresh_token":
            body = _refresh_grant(store, form, client_id, tenant)
        elif grant_type == device.GRANT_TYPE:
            body = device.device_grant(store, form, client_id, tenant)
        else:
            raise OAuthError("unsupported_grant_type", 70003)
        handler.send_json(200, body)
    except OAuthError as exc:
        grants.send_error(handler, exc, ctx)


def _code_grant(store, form, client_id, tenant):
    code = form.get("code")
    if not code:
        raise OAuthError("invalid_request", 900144, param="code")
    rec = store.redeem_code(code, client_id, form.get("redirect_uri"), form.get("code_verifier"), tenant)
    return grants.token_response(store, rec["user"], client_id, rec["scopes"], rec["oidc"],
                                 grants.effective_tenant(rec["tenant"], tenant))


def _refresh_grant(store, form, client_id, tenant):
    refresh = form.get("refresh_token")
    if not refresh:
        raise OAuthError("invalid_request", 900144, param="refresh_token")
    scopes = oidc = None
    if form.get("scope"):
        scopes, oidc = grants.parse_scopes(form.get("scope"))  # before the old token dies
    rec = store.use_refresh_token(refresh, client_id, tenant)
    if scopes is None:
        scopes, oidc = rec["scopes"], rec["oidc"]
    # The grant is offline already: every refresh answers with the next refresh token.
    return grants.token_response(store, rec["user"], client_id, scopes, set(oidc) | {"offline_access"},
                                 grants.effective_tenant(rec["tenant"], tenant))


# ---- introspection and discovery ---------------------------------------------------------------------
def introspect(handler, params):
    """RFC 7662-style answer for Dovecot's oauth2 passdb (introspection_mode = post, get or auth)."""
    store = handler.app.store
    store.count("introspect")
    value = params.get("token")
    auth = handler.headers.get("Authorization") or ""
    if not value and auth.lower().startswith("bearer "):
        value = auth[7:].strip()
    rec = store.introspect(value or "")
    if rec is None:
        return handler.send_json(200, {"active": False})
    handler.send_json(200, {"active": True, "email": rec["user"], "username": rec["user"],
                            "exp": int(rec["expires"]), "iat": int(rec["issued"]),
                            "client_id": rec["client_id"], "scope": " ".join(rec["scopes"])})


def discovery(handler, tenant):
    store = handler.app.store
    try:
        grants.check_tenant(store, tenant)
    except OAuthError as exc:
        return grants.send_error(handler, exc, grants.error_context(handler, tenant))
    base = "%s/%s" % (handler.base_url(), tenant)
    handler.send_json(200, {
        "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0",
        "authorization_endpoint": base + "/oauth2/v2.0/authorize",
        "token_endpoint": base + "/oauth2/v2.0/token",
        "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
        "introspection_endpoint": handler.base_url() + "/introspect",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token", device.GRANT_TYPE],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "token_endpoint_auth_methods_supported": ["none"],
        "tenant_region_scope": None, "cloud_instance_name": "microsoftonline.com",
    })
