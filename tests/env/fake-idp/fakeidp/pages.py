"""The HTML a person (or a test driving the forms over HTTP) sees.

Field names are part of the interface (README.md): the sign-in form posts `login`, `passwd` and
`action=accept|decline` with the original authorize parameters as hidden fields; the device login form
posts `otc`, `login`, `passwd` and `action=approve|decline`.
"""
from html import escape

_STYLE = ("body{font-family:Segoe UI,sans-serif;background:#f2f2f2}main{background:#fff;max-width:440px;"
          "margin:60px auto;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}label{display:block;"
          "margin-top:12px}input,select{width:100%;padding:6px}.err{color:#e81123}button{margin:16px 8px 0 0;"
          "padding:6px 20px}")


def _page(title, body):
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title>"
            "<style>%s</style></head><body><main><div>Microsoft (test double)</div><h1>%s</h1>%s"
            "</main></body></html>" % (escape(title), _STYLE, escape(title), body))


def _user_select(users, selected):
    selected = (selected or "").lower()
    options = "".join("<option value=\"%s\"%s>%s</option>"
                      % (escape(u["email"]), " selected" if u["email"].lower() == selected else "",
                         escape(u["email"])) for u in users)
    return "<label>Account <select name=\"login\" id=\"login\">%s</select></label>" % options


def _error(message):
    return "<p class=\"err\" id=\"error\">%s</p>" % escape(message) if message else ""


def sign_in(action, params, users, login_hint, client_name, message=None):
    hidden = "".join("<input type=\"hidden\" name=\"%s\" value=\"%s\">" % (escape(k), escape(v))
                     for k, v in params.items() if k not in ("login", "passwd", "action"))
    scopes = "".join("<li>%s</li>" % escape(s) for s in params.get("scope", "").split())
    body = ("%s<p>%s wants to access your mailbox:</p><ul>%s</ul>"
            "<form method=\"post\" action=\"%s\">%s%s"
            "<label>Password <input type=\"password\" name=\"passwd\" id=\"passwd\"></label>"
            "<button type=\"submit\" name=\"action\" value=\"accept\" id=\"accept\">Accept</button>"
            "<button type=\"submit\" name=\"action\" value=\"decline\" id=\"decline\">Decline</button>"
            "</form>" % (_error(message), escape(client_name), scopes, escape(action), hidden,
                         _user_select(users, login_hint)))
    return _page("Sign in to your account", body)


def device_login(users, code="", message=None):
    body = ("%s<p>Enter the code displayed on your app or device.</p>"
            "<form method=\"post\" action=\"/devicelogin\">"
            "<label>Code <input name=\"otc\" id=\"otc\" value=\"%s\" autocomplete=\"off\"></label>%s"
            "<label>Password <input type=\"password\" name=\"passwd\" id=\"passwd\"></label>"
            "<button type=\"submit\" name=\"action\" value=\"approve\" id=\"approve\">Approve</button>"
            "<button type=\"submit\" name=\"action\" value=\"decline\" id=\"decline\">Decline</button>"
            "</form>" % (_error(message), escape(code), _user_select(users, None)))
    return _page("Enter code", body)


def message(title, text):
    return _page(title, "<p id=\"message\">%s</p>" % escape(text))
