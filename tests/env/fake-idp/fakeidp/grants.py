"""Checks and answers shared by the authorize, token and device code endpoints."""
import base64
import json
import secrets
import time
import uuid

from . import errors
from .store import OAuthError

RESOURCE_PREFIXES = ("https://outlook.office.com/", "https://outlook.office365.com/")
RESOURCE_SCOPES = {"imap.accessasuser.all", "pop.accessasuser.all", "smtp.send"}
OIDC_SCOPES = {"openid", "profile", "email", "offline_access"}
CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"  # Microsoft's fixed id for personal accounts


def error_context(handler, tenant, client_id=None, **extra):
    """What the error texts may mention, plus the correlation id Microsoft echoes from the client."""
    ctx = dict(tenant=tenant, client_id=client_id or "",
               directory="Microsoft Accounts" if tenant == "consumers" else "Tern Test Organization",
               correlation_id=handler.headers.get("client-request-id"))
    ctx.update(extra)
    return ctx


def send_error(handler, exc, ctx):
    """Writes an OAuthError (or an injected failure) as Microsoft's JSON error."""
    kwargs = dict(ctx)
    kwargs.update(exc.kwargs)
    retry_after = kwargs.pop("retry_after", None)
    status, body = errors.build(**kwargs)
    headers = {"x-ms-request-id": body["trace_id"]}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    handler.send_json(status, body, headers)


def injected(spec):
    """Turns an admin fail-next entry into an OAuthError."""
    return OAuthError(**{k: v for k, v in spec.items() if k in
                         ("error", "aadsts", "status", "description", "retry_after")})


def check_tenant(store, tenant):
    if tenant.lower() not in store.tenants:
        raise OAuthError("invalid_request", 90002)


def check_client(store, client_id):
    if not client_id:
        raise OAuthError("invalid_request", 900144, param="client_id")
    if not store.known_client(client_id):
        raise OAuthError("invalid_client", 700016)


def parse_scopes(raw):
    """Returns (resource scopes as the client wrote them, set of OpenID scopes).

    Stricter than Microsoft on purpose: every scope must be one Tern may ask for, and at least one must
    be an Outlook scope, so a client that asks for the wrong thing fails here and not in production.
    """
    if not raw or not raw.strip():
        raise OAuthError("invalid_request", 900144, param="scope")
    resource, oidc = [], set()
    for scope in raw.split():
        lower = scope.lower()
        if lower in OIDC_SCOPES:
            oidc.add(lower)
            continue
        prefix = next((p for p in RESOURCE_PREFIXES if lower.startswith(p)), None)
        name = lower[len(prefix):] if prefix else None
        if name == ".default":
            resource.extend(scope[:len(prefix)] + s for s in ("IMAP.AccessAsUser.All", "POP.AccessAsUser.All",
                                                              "SMTP.Send"))
        elif name in RESOURCE_SCOPES:
            resource.append(scope)
        else:
            raise OAuthError("invalid_scope", 70011, scope=scope)
    if not resource:
        raise OAuthError("invalid_scope", 70011, scope=raw)
    return list(dict.fromkeys(resource)), oidc


def effective_tenant(grant_tenant, tenant):
    """A grant obtained through 'common' belongs to the specific tenant it is later used with."""
    return tenant if grant_tenant.lower() == "common" else grant_tenant


def tenant_id(tenant):
    if tenant == "consumers":
        return CONSUMERS_TENANT_ID
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, "tenant." + tenant.lower()))


def _b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def id_token(user_email, client_id, tenant, oidc, lifetime):
    """An unsigned-in-spirit JWT: the client may read claims but cannot verify it (nor should it)."""
    now = int(time.time())
    tid = tenant_id(tenant)
    claims = {"aud": client_id, "iss": "https://login.microsoftonline.com/%s/v2.0" % tid, "iat": now,
              "nbf": now, "exp": now + lifetime, "name": user_email.split("@")[0].title(),
              "preferred_username": user_email, "oid": str(uuid.uuid5(uuid.NAMESPACE_DNS, user_email.lower())),
              "sub": secrets.token_urlsafe(32), "tid": tid, "ver": "2.0"}
    if "email" in oidc:
        claims["email"] = user_email
    return "%s.%s.%s" % (_b64({"typ": "JWT", "alg": "RS256", "kid": "fake-idp"}), _b64(claims),
                         secrets.token_urlsafe(64))


def token_response(store, user_email, client_id, scopes, oidc, tenant):
    """Issues tokens and returns Microsoft's success body (refresh token only with offline_access)."""
    access, refresh, lifetime = store.issue_tokens(user_email, client_id, scopes, oidc, tenant)
    body = {"token_type": "Bearer", "scope": " ".join(scopes), "expires_in": lifetime,
            "ext_expires_in": lifetime, "access_token": access}
    if refresh:
        body["refresh_token"] = refresh
    if "openid" in oidc:
        body["id_token"] = id_token(user_email, client_id, tenant, oidc, lifetime)
    return body
