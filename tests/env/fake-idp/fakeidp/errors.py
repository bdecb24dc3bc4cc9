"""Every error the fake platform can answer, as data, and the JSON Microsoft wraps them in.

Texts follow what login.microsoftonline.com sends (AADSTS code, then prose, then trace lines), so the
client's classifier is exercised against realistic strings. `{name}` placeholders are filled from the
request context; a missing one becomes a plausible default instead of failing.
"""
import datetime
import uuid

# AADSTS code -> (default error, default HTTP status, suberror or None, text)
AADSTS = {
    50000: ("server_error", 500, None,
            "There was an error issuing a token or an issue with our sign-in service."),
    50011: ("invalid_request", 400, None,
            "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs "
            "configured for the application '{client_id}'. Make sure the redirect URI sent in the request "
            "matches one added to your application in the Azure portal. Navigate to "
            "https://aka.ms/redirectUriMismatchError to learn more about how to fix this."),
    50058: ("interaction_required", 400, None,
            "A silent sign-in request was sent but no user is signed in."),
    50076: ("invalid_grant", 400, "basic_action",
            "Due to a configuration change made by your administrator, or because you moved to a new "
            "location, you must use multi-factor authentication to access '{resource}'."),
    50079: ("invalid_grant", 400, "basic_action",
            "Due to a configuration change made by your administrator, or because you moved to a new "
            "location, you must enroll in multi-factor authentication to access '{resource}'."),
    50126: ("invalid_grant", 400, None,
            "Error validating credentials due to invalid username or password."),
    50173: ("invalid_grant", 400, "bad_token",
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user "
            "might have changed or reset their password. The grant was issued on '{issued}' and the "
            "TokensValidFrom date (before which tokens are not valid) for this user is '{valid_from}'."),
    53003: ("invalid_grant", 400, None,
            "Access has been blocked by Conditional Access policies. The access policy does not allow "
            "token issuance."),
    54005: ("invalid_grant", 400, None,
            "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an "
            "existing refresh token."),
    65001: ("invalid_grant", 400, "consent_required",
            "The user or administrator has not consented to use the application with ID '{client_id}' "
            "named '{app_name}'. Send an interactive authorization request for this user and resource."),
    65004: ("access_denied", 400, None, "User declined to consent to access the app."),
    70000: ("invalid_grant", 400, None, "Provided grant is invalid or malformed."),
    70003: ("unsupported_grant_type", 400, None,
            "The app requested an unsupported grant type '{grant_type}'."),
    70005: ("unsupported_response_type", 400, None,
            "response_type '{response_type}' is not enabled for the application."),
    70008: ("invalid_grant", 400, None,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new "
            "interactive authorization request for this user and resource."),
    70011: ("invalid_scope", 400, None,
            "The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is not "
            "valid."),
    70016: ("authorization_pending", 400, None,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling."),
    70019: ("expired_token", 400, None, "Verification code expired."),
    70043: ("invalid_grant", 400, "bad_token",
            "The refresh token has expired or is invalid due to sign-in frequency checks by conditional "
            "access. The token was issued on {issued} and the maximum allowed lifetime for this request is "
            "{max_lifetime}."),
    90002: ("invalid_request", 400, None,
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
            "into the correct cloud. Check with your subscription administrator, this may happen if there "
            "are no active subscriptions for the tenant."),
    90033: ("temporarily_unavailable", 503, None, "A transient error has occurred. Please try again."),
    90072: ("invalid_grant", 400, None,
            "User account '{user}' from identity provider '{idp}' does not exist in tenant '{tenant_name}' "
            "and cannot access the application '{client_id}'({app_name}) in that tenant. The account needs "
            "to be added as an external user in the tenant first. Sign out and sign in again with a "
            "different Azure Active Directory user account."),
    500011: ("invalid_resource", 400, None,
             "The resource principal named {resource} was not found in the tenant named {tenant_name}."),
    501481: ("invalid_grant", 400, None,
             "The Code_Verifier does not match the code_challenge supplied in the authorization request."),
    700016: ("unauthorized_client", 400, None,
             "Application with identifier '{client_id}' was not found in the directory '{directory}'. This "
             "can happen if the application has not been installed by the administrator of the tenant or "
             "consented to by any user in the tenant. You may have sent your authentication request to the "
             "wrong tenant."),
    700025: ("invalid_client", 401, None,
             "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."),
    700082: ("invalid_grant", 400, "bad_token",
             "The refresh token has expired due to inactivity. The token was issued on {issued} and was "
             "inactive for {inactive}."),
    700084: ("invalid_grant", 400, "bad_token",
             "The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited "
             "lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request "
             "must be sent by the SPA to the sign in page. The token was issued on {issued}."),
    900144: ("invalid_request", 400, None,
             "The request body must contain the following parameter: '{param}'."),
    900561: ("invalid_request", 400, None, "The endpoint only accepts POST requests. Received a GET request."),
    7000012: ("invalid_grant", 400, None, "The grant was obtained for a different tenant."),
    7000218: ("invalid_client", 401, None,
              "The request body must contain the following parameter: 'client_assertion' or "
              "'client_secret'."),
    9002313: ("invalid_request", 400, None, "Invalid request. Request is malformed or invalid."),
}

# Error name -> AADSTS code used when the admin (or the code) names only the error.
DEFAULT_CODE = {
    "invalid_grant": 70000,
    "invalid_client": 7000218,
    "unauthorized_client": 700016,
    "invalid_request": 9002313,
    "invalid_scope": 70011,
    "unsupported_grant_type": 70003,
    "server_error": 50000,
    "temporarily_unavailable": 90033,
    "interaction_required": 50076,
    "consent_required": 65001,
    "access_denied": 65004,
    "authorization_pending": 70016,
    "slow_down": 70016,
    "authorization_declined": 65004,
    "expired_token": 70019,
    "bad_verification_code": 70000,
    "login_required": 50058,
    "invalid_resource": 500011,
    "unsupported_response_type": 70005,
}

# HTTP status by error name, for errors whose table entry was written for another error name.
STATUS_BY_ERROR = {"invalid_client": 401, "server_error": 500, "temporarily_unavailable": 503}

# Text variants for codes Microsoft reuses with a different sentence.
VARIANTS = {
    "slow_down": "OAuth 2.0 device flow error. Polling too frequently; slow down and add 5 seconds to the "
                 "polling interval.",
    "bad_device_code": "The provided value for the 'device_code' parameter is not valid.",
    "code_other_client": "The provided authorization code was issued to a different client.",
    "reply_mismatch": "The reply address '{redirect_uri}' does not match the reply address "
                      "'{expected_redirect_uri}' provided when requesting Authorization code.",
    "missing_scope": "The provided request must include a 'scope' input parameter.",
}

_DEFAULTS = {
    "client_id": "00000000-0000-0000-0000-000000000000", "app_name": "Tern", "tenant": "common",
    "tenant_name": "Tern Test Organization", "directory": "Microsoft Accounts", "user": "user@example.test",
    "idp": "live.com", "resource": "00000002-0000-0ff1-ce00-000000000000", "scope": "",
    "redirect_uri": "", "expected_redirect_uri": "", "grant_type": "", "param": "",
    "inactive": "90.00:00:00", "max_lifetime": "1.00:00:00",
}


class _Context(dict):
    def __missing__(self, key):
        if key in ("issued", "valid_from"):
            return timestamp()
        return _DEFAULTS.get(key, key)


def timestamp(when=None):
    """Microsoft's format: '2024-05-02 10:11:12Z'."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%SZ")


def known_code(code):
    return code in AADSTS


def build(error=None, aadsts=None, status=None, variant=None, description=None, correlation_id=None,
          **context):
    """Returns (http_status, json_body) shaped like a Microsoft token endpoint error."""
    if aadsts is None:
        aadsts = DEFAULT_CODE.get(error, 9002313 if error is None else None)
    entry = AADSTS.get(aadsts) if aadsts is not None else None
    if error is None:
        error = entry[0] if entry else "invalid_request"
    if status is None:
        status = STATUS_BY_ERROR.get(error) or (entry[1] if entry and entry[0] == error else 400)
    if description is None:
        text = VARIANTS.get(variant) or (entry[3] if entry else "The request could not be completed.")
        description = text.format_map(_Context(context))
    trace_id = str(uuid.uuid4())
    correlation_id = correlation_id or str(uuid.uuid4())
    ts = timestamp()
    prefix = "AADSTS%d: " % aadsts if aadsts is not None else ""
    body = {
        "error": error,
        "error_description": "%s%s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s"
                             % (prefix, description, trace_id, correlation_id, ts),
        "error_codes": [aadsts] if aadsts is not None else [],
        "timestamp": ts,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
    }
    if aadsts is not None:
        body["error_uri"] = "https://login.microsoftonline.com/error?code=%d" % aadsts
    if entry and entry[2] and entry[0] == error:
        body["suberror"] = entry[2]
    return status, body
