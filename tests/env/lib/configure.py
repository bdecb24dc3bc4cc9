#!/usr/bin/python3
"""Writes the users, the fake platform's users.json, providers.json and DIR/env.pending.

usage: configure.py DIR   (DIR/ports holds NAME=PORT lines from ports.py)

Users: two password users (alice, bob) and two OAuth users (carol, dave). Every user has a
password; on the main instance only the password users may use it (Exchange Online has basic
auth off), the fallback instance takes everyone's password. Mail folders belong to uid 5000.
"""
import grp
import json
import os
import secrets
import sys
import uuid

MAIL_UID = MAIL_GID = 5000
DOMAIN = "example.test"
PASSWORD_USERS = ["alice", "bob"]
# The OAuth users sit in different tenants, as a work account and a personal account would.
OAUTH_USERS = [("carol", "organizations"), ("dave", "consumers")]
OUTLOOK = "https://outlook.office.com/"
SCOPES = {
    "imap": [OUTLOOK + "IMAP.AccessAsUser.All", "offline_access"],
    "pop3": [OUTLOOK + "POP.AccessAsUser.All", "offline_access"],
    "smtp": [OUTLOOK + "SMTP.Send", "offline_access"],
}


def write(path, text, mode=0o644, group=None):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, mode)
    if group is not None:
        os.chown(path, 0, group)


def server(port, tls):
    return {"host": "127.0.0.1", "port": int(port), "tls": tls}


def providers(ports, idp_url, client_id):
    base = idp_url + "/{tenant}/oauth2/v2.0/"
    return {
        "format": 1,
        "providers": [
            {
                "id": "microsoft",
                "display_name": "Microsoft (test environment)",
                "domains": [DOMAIN],
                "oauth": {
                    "authorize_url": base + "authorize",
                    "token_url": base + "token",
                    "device_code_url": base + "devicecode",
                    "admin_consent_url": idp_url + "/{tenant}/adminconsent?client_id={client_id}",
                    "tenant": "common",
                    "client_id": client_id,
                    "scopes": SCOPES,
                    "sasl_mechanism": "XOAUTH2",
                },
                "servers": {
                    "imap": server(ports["IMAPS_PORT"], "ssl"),
                    "pop3": server(ports["POP3S_PORT"], "ssl"),
                    "smtp": server(ports["SUBMISSION_PORT"], "starttls"),
                },
                "fallback_servers": {
                    "imap": server(ports["FALLBACK_IMAPS_PORT"], "ssl"),
                    "pop3": server(ports["FALLBACK_POP3S_PORT"], "ssl"),
                    "smtp": server(ports["FALLBACK_SUBMISSION_PORT"], "starttls"),
                },
                "server_saves_sent": True,
            },
            {
                "id": "example",
                "display_name": "Example Mail (password)",
                "domains": [],
                "servers": {
                    "imap": server(ports["IMAP_PORT"], "starttls"),
                    "pop3": server(ports["POP3S_PORT"], "ssl"),
                    "smtp": server(ports["SUBMISSION_PORT"], "starttls"),
                },
                "server_saves_sent": False,
            },
        ],
    }


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: configure.py DIR")
    d = os.path.abspath(argv[1])
    with open(os.path.join(d, "ports"), encoding="utf-8") as f:
        ports = dict(line.strip().split("=", 1) for line in f if "=" in line)
    dovecot_gid = grp.getgrnam("dovecot").gr_gid

    users = []  # (key prefix, email, password, tenant or None)
    for i, name in enumerate(PASSWORD_USERS, 1):
        users.append((f"PASSWORD_USER{i}", f"{name}@{DOMAIN}", secrets.token_urlsafe(12), None))
    for i, (name, tenant) in enumerate(OAUTH_USERS, 1):
        users.append((f"OAUTH_USER{i}", f"{name}@{DOMAIN}", secrets.token_urlsafe(12), tenant))

    os.makedirs(os.path.join(d, "mail"), exist_ok=True)
    lines, password_lines = [], []
    for _, email, password, tenant in users:
        home = os.path.join(d, "mail", email.split("@")[0])
        os.makedirs(home, mode=0o700, exist_ok=True)
        os.chown(home, MAIL_UID, MAIL_GID)
        line = f"{email}:{password}:{MAIL_UID}:{MAIL_GID}::{home}::\n"
        lines.append(line)
        if tenant is None:
            password_lines.append(line)
    # Read by Dovecot's auth process (user dovecot): root-owned, group dovecot, no world access.
    write(os.path.join(d, "users"), "".join(lines), 0o640, dovecot_gid)
    write(os.path.join(d, "users-password"), "".join(password_lines), 0o640, dovecot_gid)
    idp_users = [{"email": e, "password": p, "tenant": t} for _, e, p, t in users if t]
    write(os.path.join(d, "users.json"), json.dumps(idp_users, indent=2) + "\n", 0o600)

    idp_url = f"https://127.0.0.1:{ports['IDP_PORT']}"
    client_id = str(uuid.uuid4())
    write(os.path.join(d, "providers.json"),
          json.dumps(providers(ports, idp_url, client_id), indent=2) + "\n")

    env = [
        ("TERN_ENV_DIR", d),
        ("TERN_CA_FILE", os.path.join(d, "ca.pem")),
        ("TERN_PROVIDERS", os.path.join(d, "providers.json")),
        ("IDP_URL", idp_url),
        ("IDP_ADMIN_URL", f"http://127.0.0.1:{ports['IDP_ADMIN_PORT']}"),
    ]
    env += [(k, ports[k]) for k in ("IMAP_PORT", "IMAPS_PORT", "POP3S_PORT", "SUBMISSION_PORT",
                                    "FALLBACK_IMAPS_PORT", "FALLBACK_POP3S_PORT",
                                    "FALLBACK_SUBMISSION_PORT", "MTA_PORT", "LMTP_PORT")]
    for key, email, password, _ in users:
        env += [(key, email), (key + "_PASSWORD", password)]
    env.append(("IDP_CLIENT_ID", client_id))
    write(os.path.join(d, "env.pending"), "".join(f"{k}={v}\n" for k, v in env), 0o600)


if __name__ == "__main__":
    main(sys.argv)
