"""Users, codes and tokens, all in memory behind one lock.

Nothing persists across restarts on purpose: a restarted platform is a new test situation. Tokens
are opaque random strings (Microsoft's consumer tokens are opaque too), so the client cannot cheat by
reading them; only /introspect says what a token is worth.
"""
import base64
import datetime
import hashlib
import json
import secrets
import threading
import time

from . import errors

BUILTIN_TENANTS = ("common", "consumers", "organizations")
DEVICE_CODE_TYPE = "urn:ietf:params:oauth:grant-type:device_code"
AUTH_CODE_LIFETIME = 600
# No 0/O, 1/I/L: people copy the code from a printer's small display.
USER_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class OAuthError(Exception):
    """Raised inside a grant handler; carries the arguments of errors.build()."""

    def __init__(self, error=None, aadsts=None, **kwargs):
        super().__init__(error or str(aadsts))
        self.kwargs = dict(kwargs, error=error, aadsts=aadsts)


def load_users(path):
    """users.json: [{"email", "password", "tenant": str or [str]}]; see README.md."""
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    users = {}
    for entry in raw:
        tenants = entry.get("tenant", "common")
        tenants = [tenants] if isinstance(tenants, str) else list(tenants)
        users[entry["email"].lower()] = {"email": entry["email"], "password": entry["password"],
                                         "tenants": tenants}
    return users


def _token(prefix, nbytes):
    return prefix + secrets.token_urlsafe(nbytes)


def pkce_s256(verifier):
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Store:
    def __init__(self, users, client_ids, access_token_lifetime, device_interval, device_expires_in,
                 refresh_token_inactivity=0):
        self.lock = threading.RLock()
        self.users = users
        self.client_ids = {c.lower() for c in client_ids}
        self.defaults = dict(access_token_lifetime=access_token_lifetime, device_interval=device_interval,
                             device_expires_in=device_expires_in, refresh_token_inactivity=refresh_token_inactivity)
        self.tenants = set(BUILTIN_TENANTS)
        for user in users.values():
            self.tenants.update(t.lower() for t in user["tenants"])
        self.reset()

    def reset(self):
        with self.lock:
            self.access_token_lifetime = self.defaults["access_token_lifetime"]
            self.device_interval = self.defaults["device_interval"]
            self.device_expires_in = self.defaults["device_expires_in"]
            # Seconds a refresh token may lie unused before it dies (AADSTS700082); 0: never.
            self.refresh_token_inactivity = self.defaults["refresh_token_inactivity"]
            self.codes = {}           # authorization code -> record
            self.device_codes = {}    # device_code -> record
            self.refresh_tokens = {}  # refresh token -> record (also dead ones, to say why they died)
            self.access_tokens = {}   # access token -> record
            self.revoked_at = {}      # user -> time of the last revocation (TokensValidFrom)
            self.auto_approve = set()
            self.fail_next = {}       # endpoint -> list of [remaining, spec]
            self.slow_down = 0
            self.requests = {}
            self.grants = {}
            self.introspections = {"active": 0, "inactive": 0}
            self.introspection_refuses = False  # every token inactive: the mail server refuses even fresh ones

    # ---- lookups -------------------------------------------------------------------------------
    def user(self, login):
        return self.users.get((login or "").strip().lower())

    def user_in_tenant(self, user, tenant):
        """'common' in the request accepts everyone; a user listed with 'common' is accepted anywhere."""
        tenant = tenant.lower()
        wanted = [t.lower() for t in user["tenants"]]
        if tenant == "common" or "common" in wanted or tenant in wanted:
            return True
        # A work account signs in through 'organizations' whatever its own tenant is called.
        return tenant == "organizations" and any(t not in BUILTIN_TENANTS for t in wanted)

    def known_client(self, client_id):
        return (client_id or "").lower() in self.client_ids

    def count(self, endpoint, grant_type=None):
        with self.lock:
            self.requests[endpoint] = self.requests.get(endpoint, 0) + 1
            if grant_type:
                self.grants[grant_type] = self.grants.get(grant_type, 0) + 1

    def take_failure(self, endpoint):
        """Pops one injected failure for this endpoint, if the admin queued any."""
        with self.lock:
            queue = self.fail_next.get(endpoint) or []
            if not queue:
                return None
            queue[0][0] -= 1
            spec = queue[0][1]
            if queue[0][0] <= 0:
                queue.pop(0)
            return spec

    # ---- authorization codes -------------------------------------------------------------------
    def issue_code(self, user, client_id, redirect_uri, scopes, oidc, tenant, challenge, method):
        code = _token("M.C5" if tenant == "consumers" else "0.A", 48)
        with self.lock:
            self.codes[code] = dict(user=user["email"], client_id=client_id, redirect_uri=redirect_uri,
                                    scopes=scopes, oidc=oidc, tenant=tenant, challenge=challenge, method=method,
                                    expires=time.time() + AUTH_CODE_LIFETIME, redeemed=False)
        return code

    def redeem_code(self, code, client_id, redirect_uri, verifier, tenant):
        with self.lock:
            rec = self.codes.get(code)
            if rec is None:
                raise OAuthError("invalid_grant", 70000)
            if rec["redeemed"]:
                raise OAuthError("invalid_grant", 54005)
            if time.time() > rec["expires"]:
                raise OAuthError("invalid_grant", 70008)
            if rec["client_id"].lower() != client_id.lower():
                raise OAuthError("invalid_grant", 70000, variant="code_other_client")
            if not redirect_uri:
                raise OAuthError("invalid_request", 900144, param="redirect_uri")
            if redirect_uri != rec["redirect_uri"]:
                raise OAuthError("invalid_grant", 50011, variant="reply_mismatch", redirect_uri=redirect_uri,
                                 expected_redirect_uri=rec["redirect_uri"])
            if rec["challenge"]:
                if not verifier:
                    raise OAuthError("invalid_request", 900144, param="code_verifier")
                if pkce_s256(verifier) != rec["challenge"]:
                    raise OAuthError("invalid_grant", 501481)
            self._check_tenant(rec["tenant"], tenant)
            self.check_user_tenant(rec["user"], tenant)
            rec["redeemed"] = True
            return rec

    def check_user_tenant(self, email, tenant):
        """AADSTS90072 when the tenant in the URL does not accept this account."""
        user = self.user(email)
        if not self.user_in_tenant(user, tenant):
            raise OAuthError("invalid_grant", 90072, user=user["email"], tenant_name=tenant,
                             idp="live.com" if "consumers" in user["tenants"] else "https://sts.windows.net/")

    @staticmethod
    def _check_tenant(grant_tenant, tenant):
        specific = lambda t: t.lower() != "common"
        if specific(grant_tenant) and specific(tenant) and grant_tenant.lower() != tenant.lower():
            raise OAuthError("invalid_grant", 7000012)

    # ---- tokens --------------------------------------------------------------------------------
    def issue_tokens(self, user_email, client_id, scopes, oidc, tenant):
        """Returns (access_token, refresh_token or None, lifetime); offline_access earns a refresh token."""
        now = time.time()
        with self.lock:
            lifetime = self.access_token_lifetime
            access = _token("EwB", 96)
            self.access_tokens[access] = dict(user=user_email, client_id=client_id, scopes=scopes,
                                              tenant=tenant, issued=now, expires=now + lifetime,
                                              revoked=False)
            refresh = None
            if "offline_access" in oidc:
                refresh = _token("M.C5_BAY.0.U.-" if tenant == "consumers" else "0.AX", 160)
                self.refresh_tokens[refresh] = dict(user=user_email, client_id=client_id, scopes=scopes, oidc=oidc,
                                                    tenant=tenant, issued=now, state="live")
        return access, refresh, lifetime

    def use_refresh_token(self, token, client_id, tenant):
        """Checks and kills a refresh token (rotation); returns its record for the new tokens."""
        with self.lock:
            rec = self.refresh_tokens.get(token)
            if rec is None:
                raise OAuthError("invalid_grant", 9002313)
            if rec["state"] == "revoked":
                raise OAuthError("invalid_grant", 50173, issued=errors.timestamp(_utc(rec["issued"])),
                                 valid_from=errors.timestamp(_utc(self.revoked_at.get(rec["user"]))))
            if rec["state"] == "rotated":
                raise OAuthError("invalid_grant", 70000)
            # A refresh token is used once (rotation), so its age is how long the grant lay unused.
            idle = time.time() - rec["issued"]
            if rec["state"] == "expired" or (self.refresh_token_inactivity and idle > self.refresh_token_inactivity):
                rec["state"] = "expired"
                raise OAuthError("invalid_grant", 700082, issued=errors.timestamp(_utc(rec["issued"])),
                                 inactive=_duration(idle))
            if rec["client_id"].lower() != client_id.lower():
                raise OAuthError("invalid_grant", 70000)
            self._check_tenant(rec["tenant"], tenant)
            self.check_user_tenant(rec["user"], tenant)
            rec["state"] = "rotated"
            return rec

    def introspect(self, token):
        with self.lock:
            rec = self.access_tokens.get(token)
            active = (bool(rec) and not rec["revoked"] and time.time() < rec["expires"]
                      and not self.introspection_refuses)
            self.introspections["active" if active else "inactive"] += 1
            return rec if active else None

    def revoke_user(self, email):
        with self.lock:
            self.revoked_at[email] = time.time()
            n = 0
            for rec in self.refresh_tokens.values():
                if rec["user"] == email and rec["state"] == "live":
                    rec["state"] = "revoked"
                    n += 1
            for rec in self.access_tokens.values():
                if rec["user"] == email and not rec["revoked"]:
                    rec["revoked"] = True
                    n += 1
            return n

    # ---- device codes --------------------------------------------------------------------------
    def issue_device_code(self, client_id, scopes, oidc, tenant):
        with self.lock:
            while True:
                user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(9))
                if not any(d["user_code"] == user_code for d in self.device_codes.values()):
                    break
            device_code = _token("DAQABAAEAAAD", 96)
            rec = dict(user_code=user_code, client_id=client_id, scopes=scopes, oidc=oidc, tenant=tenant,
                       expires=time.time() + self.device_expires_in, interval=self.device_interval,
                       expires_in=self.device_expires_in, state="pending", user=None)
            self.device_codes[device_code] = rec
            return device_code, rec

    def find_user_code(self, user_code):
        """Returns the record for a code as a person types it (any case, spaces or dashes)."""
        wanted = "".join(ch for ch in (user_code or "").upper() if ch.isalnum())
        with self.lock:
            for rec in self.device_codes.values():
                if rec["user_code"] == wanted:
                    return rec
        return None

    def settle_user_code(self, user_code, user=None, approve=True):
        """Approve (with a user) or decline a pending code. Returns None or a reason it cannot."""
        with self.lock:
            rec = self.find_user_code(user_code)
            if rec is None:
                return "unknown user_code"
            if time.time() > rec["expires"]:
                return "code expired"
            if rec["state"] != "pending":
                return "code already %s" % rec["state"]
            if approve:
                if not self.user_in_tenant(user, rec["tenant"]):
                    return "AADSTS90072: user %s is not accepted by tenant '%s'" % (user["email"], rec["tenant"])
                rec["state"], rec["user"] = "approved", user["email"]
            else:
                rec["state"] = "declined"
            return None

    def expire_user_code(self, user_code):
        with self.lock:
            rec = self.find_user_code(user_code)
            if rec is not None:
                rec["expires"] = time.time() - 1
            return rec is not None

    def poll_device_code(self, device_code, client_id, tenant):
        """Returns the approved record, or raises the polling error Microsoft would send."""
        with self.lock:
            rec = self.device_codes.get(device_code)
            if rec is None or rec["client_id"].lower() != client_id.lower():
                raise OAuthError("bad_verification_code", 70000, variant="bad_device_code")
            if rec["state"] == "redeemed":
                raise OAuthError("invalid_grant", 54005)
            if time.time() > rec["expires"]:
                raise OAuthError("expired_token", 70019)
            if rec["state"] == "declined":
                raise OAuthError("authorization_declined", 65004)
            if self.slow_down > 0:
                self.slow_down -= 1
                raise OAuthError("slow_down", 70016, variant="slow_down")
            if rec["state"] == "pending":
                raise OAuthError("authorization_pending", 70016)
            self._check_tenant(rec["tenant"], tenant)
            self.check_user_tenant(rec["user"], tenant)
            rec["state"] = "redeemed"
            return rec

    # ---- admin view ----------------------------------------------------------------------------
    def tokens_of(self, email):
        """The user's access and refresh tokens in the order they were issued, with their state."""
        now = time.time()
        with self.lock:
            access = [dict(token=token, state="revoked" if rec["revoked"] else
                           "expired" if now >= rec["expires"] else "live",
                           issued=errors.timestamp(_utc(rec["issued"])), client_id=rec["client_id"],
                           tenant=rec["tenant"])
                      for token, rec in self.access_tokens.items() if rec["user"] == email]
            refresh = [dict(token=token, state=rec["state"], issued=errors.timestamp(_utc(rec["issued"])),
                            client_id=rec["client_id"], tenant=rec["tenant"])
                       for token, rec in self.refresh_tokens.items() if rec["user"] == email]
            return {"access_tokens": access, "refresh_tokens": refresh}

    def snapshot(self):
        now = time.time()
        with self.lock:
            tokens = {}
            for rec in self.access_tokens.values():
                if not rec["revoked"] and now < rec["expires"]:
                    tokens.setdefault(rec["user"], {"access_tokens": 0, "refresh_tokens": 0})["access_tokens"] += 1
            for rec in self.refresh_tokens.values():
                if rec["state"] == "live":
                    tokens.setdefault(rec["user"], {"access_tokens": 0, "refresh_tokens": 0})["refresh_tokens"] += 1
            devices = [dict(user_code=d["user_code"], client_id=d["client_id"], scope=" ".join(d["scopes"]),
                            tenant=d["tenant"], user=d["user"],
                            state="expired" if d["state"] == "pending" and now > d["expires"] else d["state"],
                            expires_in=max(0, int(d["expires"] - now)))
                       for d in self.device_codes.values()]
            return {
                "requests": dict(self.requests), "token_grants": dict(self.grants),
                "introspections": dict(self.introspections), "introspection_refuses": self.introspection_refuses,
                "tokens": tokens, "device_codes": devices,
                "access_token_lifetime": self.access_token_lifetime,
                "refresh_token_inactivity": self.refresh_token_inactivity,
                "device": {"interval": self.device_interval, "expires_in": self.device_expires_in},
                "auto_approve": sorted(self.auto_approve), "slow_down": self.slow_down,
                "fail_next": {ep: [dict(spec, remaining=n) for n, spec in q] for ep, q in self.fail_next.items() if q},
            }


def _duration(seconds):
    """Microsoft's TimeSpan format: '90.00:00:00' (days.hours:minutes:seconds)."""
    seconds = int(seconds)
    return "%d.%02d:%02d:%02d" % (seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60, seconds % 60)


def _utc(epoch):
    return datetime.datetime.fromtimestamp(epoch or time.time(), datetime.timezone.utc)
