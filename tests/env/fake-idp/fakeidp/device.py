"""Device code flow: the /devicecode endpoint, the polling grant and the /devicelogin page."""
from . import grants, pages
from .store import DEVICE_CODE_TYPE, OAuthError

GRANT_TYPE = DEVICE_CODE_TYPE


def devicecode(handler, tenant):
    store = handler.app.store
    store.count("devicecode")
    form = handler.form()
    client_id = form.get("client_id", "")
    ctx = grants.error_context(handler, tenant, client_id)
    try:
        spec = store.take_failure("devicecode")
        if spec:
            raise grants.injected(spec)
        grants.check_tenant(store, tenant)
        grants.check_client(store, client_id)
        scopes, oidc = grants.parse_scopes(form.get("scope"))
        device_code, rec = store.issue_device_code(client_id, scopes, oidc, tenant)
    except OAuthError as exc:
        return grants.send_error(handler, exc, ctx)
    uri = handler.base_url() + "/devicelogin"
    handler.send_json(200, {
        "user_code": rec["user_code"],
        "device_code": device_code,
        "verification_uri": uri,
        "expires_in": rec["expires_in"],
        "interval": rec["interval"],
        "message": "To sign in, use a web browser to open the page %s and enter the code %s to "
                   "authenticate." % (uri, rec["user_code"]),
    })


def device_grant(store, form, client_id, tenant):
    """One poll of the token endpoint; raises the polling errors until someone approved the code."""
    device_code = form.get("device_code") or form.get("code")  # 'code' is the older v1 spelling
    if not device_code:
        raise OAuthError("invalid_request", 900144, param="device_code")
    rec = store.poll_device_code(device_code, client_id, tenant)
    return grants.token_response(store, rec["user"], client_id, rec["scopes"], rec["oidc"],
                                 grants.effective_tenant(rec["tenant"], tenant))


def _users(store):
    return sorted(store.users.values(), key=lambda u: u["email"])


def login_page(handler, query):
    store = handler.app.store
    store.count("devicelogin")
    handler.send_html(200, pages.device_login(_users(store), query.get("otc") or query.get("code") or ""))


def login_submit(handler):
    """A person typed the code; 400 answers let a test tell a refused attempt from a success."""
    store = handler.app.store
    store.count("devicelogin")
    form = handler.form()
    code = form.get("otc") or form.get("code") or ""
    users = _users(store)
    rec = store.find_user_code(code)
    if rec is None:
        return handler.send_html(400, pages.device_login(
            users, code, "That code didn't work. Check the code and try again."))
    if form.get("action") == "decline":
        reason = store.settle_user_code(code, approve=False)
        if reason:
            return handler.send_html(400, pages.device_login(users, code, _explain(reason)))
        return handler.send_html(200, pages.message(
            "Sign-in cancelled", "You have declined to sign in to the application on your device. You may "
                                 "now close this window."))
    user = store.user(form.get("login"))
    if user is None or form.get("passwd") != user["password"]:
        return handler.send_html(400, pages.device_login(
            users, code, "Your account or password is incorrect. If you don't remember your password, "
                         "reset it now."))
    reason = store.settle_user_code(code, user=user)
    if reason:
        return handler.send_html(400, pages.device_login(users, code, _explain(reason)))
    handler.send_html(200, pages.message(
        "You're signed in", "You have signed in to the Tern application on your device. You may now "
                            "close this window."))


def _explain(reason):
    if reason == "code expired":
        return "That code has expired. Go back to the application or device and get a new code."
    return "This code can no longer be used (%s)." % reason
