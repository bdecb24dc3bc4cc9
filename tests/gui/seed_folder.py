#!/usr/bin/env python3
"""Puts test messages into a folder of a test-environment mailbox over IMAPS, for the GUI tests.

seed_folder.py USER PASSWORD FOLDER COUNT [--html-remote URL] | --delete
COUNT plain messages "FOLDER-<i>" (every third one with a PDF attachment), and with --html-remote
one HTML message "FOLDER-html" whose image and stylesheet live at URL and which carries a script.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from envtest import imap_ssl  # noqa: E402


def plain(user, folder, i):
    head = (f"From: Seeder {i} <seed{i}@example.test>\r\nTo: {user}\r\nSubject: {folder}-{i}\r\n"
            f"Message-ID: <{folder}-{i}@tern.test>\r\nDate: Mon, 23 Nov 2026 10:{i % 60:02d}:00 +0000\r\n"
            "MIME-Version: 1.0\r\n")
    text = f"Hello from message {i} of {folder}.\r\nSecond line.\r\n"
    if i % 3:
        return head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text
    return (head + 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
            "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text +
            '--b\r\nContent-Type: application/pdf; name="report.pdf"\r\n'
            'Content-Disposition: attachment; filename="report.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            "JVBERi0xLjQKJSBUZXJuIHRlc3QK\r\n--b--\r\n")


def html(user, folder, url):
    return (f"From: News <news@shop.example>\r\nTo: {user}\r\nSubject: {folder}-html\r\n"
            f"Message-ID: <{folder}-html@tern.test>\r\nDate: Tue, 24 Nov 2026 09:00:00 +0000\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            f'<html><head><link rel="stylesheet" href="{url}/style.css"></head><body>'
            f'<h1 id="title">Autumn sale</h1><p>Everything must go.</p><img src="{url}/pixel.gif" width="40" height="40">'
            f'<script>fetch("{url}/script-ran");document.getElementById("title").textContent="SCRIPT RAN";</script>'
            '<p><a href="https://shop.example/">Visit the shop</a></p></body></html>\r\n')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("user")
    parser.add_argument("password")
    parser.add_argument("folder")
    parser.add_argument("count", type=int)
    parser.add_argument("--html-remote")
    parser.add_argument("--delete", action="store_true", help="remove the folder instead")
    args = parser.parse_args()
    m = imap_ssl()
    m.login(args.user, args.password)
    if args.delete:
        m.delete(f'"{args.folder}"')
        m.logout()
        return
    m.create(f'"{args.folder}"')
    for i in range(args.count):
        flags = "(\\Seen)" if i % 2 else None
        m.append(f'"{args.folder}"', flags, None, plain(args.user, args.folder, i).encode())
    if args.html_remote:
        m.append(f'"{args.folder}"', None, None, html(args.user, args.folder, args.html_remote).encode())
    m.logout()


if __name__ == "__main__":
    main()
