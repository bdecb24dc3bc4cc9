"""Builds generated message number i: headers, MIME structure and the Maildir file name.

Everything comes from (seed, i) and the thread plan, so any worker process can build any message
and the same seed gives the same mailbox. Text is assembled by hand, not with the email package:
it is several times faster and the output is plain RFC 5322 / MIME that any parser reads.
"""
import base64
import html
import quopri
import random
import time
from array import array

from corpus import DOMAINS, LANGUAGES, MAILERS, TIMEZONES, local_part

LANG_CODES = list(LANGUAGES)
LANG_WEIGHTS = [LANGUAGES[c]["weight"] for c in LANG_CODES]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
B_ENCODED = {"ar", "el"}  # scripts where base64 is shorter than quoted-printable
MAX_DEPTH = 12


def plan(count, seed):
    """parent[i] (-1 for a thread start): about a third of the mail continues an open thread."""
    rng = random.Random(f"plan:{seed}")
    parent = array("i", [-1]) * count
    depth = array("b", [0]) * count
    open_threads = []  # last message of each thread that may still get replies
    for i in range(count):
        if open_threads and rng.random() < 0.35:
            k = rng.randrange(len(open_threads))
            parent[i] = open_threads[k]
            depth[i] = depth[parent[i]] + 1
            if depth[i] >= MAX_DEPTH or rng.random() < 0.25:
                open_threads.pop(k)
            else:
                open_threads[k] = i
        else:
            open_threads.append(i)
            if len(open_threads) > 40:
                open_threads.pop(0)
    return parent


def encoded_words(text, lang):
    """RFC 2047: ASCII stays as it is, anything else becomes UTF-8 encoded words (folded)."""
    if text.isascii():
        return text
    words, chunk = [], ""
    for ch in text:  # split on characters, never inside a UTF-8 sequence
        if len((chunk + ch).encode()) > 42:
            words.append(chunk)
            chunk = ""
        chunk += ch
    words.append(chunk)
    if lang in B_ENCODED:
        return "\n ".join("=?UTF-8?B?" + base64.b64encode(w.encode()).decode() + "?=" for w in words)
    return "\n ".join("=?UTF-8?Q?" + _q(w) + "?=" for w in words)


def _q(word):
    out = []
    for b in word.encode():
        if b == 0x20:
            out.append("_")
        elif 0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A or b in b"!*+-/":
            out.append(chr(b))
        else:
            out.append("=%02X" % b)
    return "".join(out)


def address(name, addr, lang):
    if name.isascii():
        return f'"{name}" <{addr}>'
    return f"{encoded_words(name, lang)} <{addr}>"


def rfc5322_date(ts, tz_minutes):
    t = time.gmtime(ts + tz_minutes * 60)
    sign = "+" if tz_minutes >= 0 else "-"
    tz = abs(tz_minutes)
    return (f"{DAYS[t.tm_wday]}, {t.tm_mday:02d} {MONTHS[t.tm_mon - 1]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} {sign}{tz // 60:02d}{tz % 60:02d}")


def text_part(kind, text, lang):
    """Headers and body of one text/plain or text/html part."""
    data = text.encode()
    if text.isascii():
        cte, body = "7bit", text
    elif lang in B_ENCODED:
        cte, body = "base64", base64.encodebytes(data).decode("ascii")
    else:
        cte, body = "quoted-printable", quopri.encodestring(data).decode("ascii")
    return (f'Content-Type: text/{kind}; charset="utf-8"\nContent-Transfer-Encoding: {cte}\n\n'
            + body.rstrip("\n") + "\n")


def attachment_part(blob, rng, names):
    kind, b64 = blob
    ext = ".pdf" if kind == "application/pdf" else ".png"
    name = rng.choice([n for n in names if n.endswith(ext)] or ["attachment" + ext])
    if name.isascii():
        ctype, disp = f'{kind}; name="{name}"', f'attachment; filename="{name}"'
    else:
        # What Outlook sends: an encoded word in name= and RFC 2231 in filename*=.
        quoted = "".join(chr(b) if chr(b).isalnum() and b < 128 or b in b".-_" else "%%%02X" % b
                         for b in name.encode())
        ctype = f'{kind};\n name="{encoded_words(name, "ar")}"'
        disp = f"attachment;\n filename*=UTF-8''{quoted}"
    return f"Content-Type: {ctype}\nContent-Disposition: {disp}\nContent-Transfer-Encoding: base64\n\n{b64}"


def multipart(subtype, boundary, parts):
    body = [f'Content-Type: multipart/{subtype};\n boundary="{boundary}"\n\n'
            "This is a multi-part message in MIME format.\n"]
    for p in parts:
        body.append(f"\n--{boundary}\n{p}")
    body.append(f"\n--{boundary}--\n")
    return "".join(body)


class Builder:
    """Builds message i of a mailbox; shared read-only by the worker processes."""

    def __init__(self, seed, count, owner, parent, blobs, start, end):
        self.seed, self.count, self.owner, self.parent, self.blobs = seed, count, owner, parent, blobs
        self.start, self.step = start, (end - start) / max(count, 1)

    def thread(self, root):
        rng = random.Random(f"{self.seed}:t:{root}")
        lang = rng.choices(LANG_CODES, LANG_WEIGHTS)[0]
        words = LANGUAGES[lang]
        people = rng.sample(words["names"], min(3, len(words["names"])))
        domain = rng.choice(DOMAINS)
        return lang, rng.choice(words["subjects"]), [(p, f"{local_part(p)}@{domain}") for p in people]

    def message_id(self, i):
        return f"<seed{self.seed}.{i}.{(i * 2654435761 + self.seed) & 0xffffffff:08x}@mail.example.com>"

    def build(self, i):
        """(Maildir file name, message bytes, time stamp)."""
        rng = random.Random(f"{self.seed}:m:{i}")
        chain = []
        p = self.parent[i]
        while p >= 0:
            chain.append(p)
            p = self.parent[p]
        root = chain[-1] if chain else i
        lang, subject, people = self.thread(root)
        words = LANGUAGES[lang]
        sender_name, sender = people[len(chain) % len(people)]
        ts = int(self.start + i * self.step + rng.random() * self.step * 0.9)
        tz = rng.choice(TIMEZONES[lang])
        date = rfc5322_date(ts, tz)
        if chain:
            subject = words["reply"] + subject
        elif rng.random() < 0.05:
            subject = words["forward"] + subject

        h = [f"Return-Path: <{sender}>",
             f"Received: from {sender.split('@')[1]} (mail.{sender.split('@')[1]} [192.0.2.{rng.randrange(1, 255)}])\n"
             f"\tby mx.example.test with ESMTPS id {rng.getrandbits(48):012x}\n\tfor <{self.owner}>; {date}",
             f"From: {address(sender_name, sender, lang)}",
             f"To: {self.owner}",
             f"Subject: {encoded_words(subject, lang)}",
             f"Date: {date}",
             f"Message-ID: {self.message_id(i)}"]
        others = [address(n, a, lang) for n, a in people if a != sender]
        if others and rng.random() < 0.3:
            h.append("Cc: " + ",\n ".join(others[:2]))
        if chain:
            h.append(f"In-Reply-To: {self.message_id(chain[0])}")
            h.append("References: " + "\n ".join(self.message_id(p) for p in reversed(chain)))
        h += ["MIME-Version: 1.0", f"Content-Language: {lang}", f"X-Mailer: {rng.choice(MAILERS)}"]

        sentences = rng.sample(words["sentences"], rng.randint(2, min(7, len(words["sentences"]))))
        paras = [" ".join(sentences[k:k + 2]) for k in range(0, len(sentences), 2)]
        closing = f"{rng.choice(words['closings'])}\n{sender_name}"
        quote = ""
        if chain:
            quote = words["wrote"].format(date=rfc5322_date(ts - 3600, tz), name=people[0][0])
            quote += "\n> " + rng.choice(words["sentences"])
        plain = "\n\n".join(paras) + "\n\n" + closing + ("\n\n" + quote if quote else "") + "\n"
        body = self.body(rng, lang, words, paras, closing, quote, plain, i)
        text = ("\n".join(h) + "\n" + body).encode()

        flags = ""
        if rng.random() < 0.04:
            flags += "F"
        if rng.random() < (0.9 if i < self.count * 0.95 else 0.3):
            flags += "RS" if rng.random() < 0.1 else "S"
        size = len(text)
        vsize = size + text.count(b"\n")  # IMAP sizes count CRLF; Dovecot trusts W=
        name = f"{ts}.M{rng.randrange(10**6):06d}P{self.seed & 0xffff}Q{i}.tern-seed,S={size},W={vsize}:2,{flags}"
        return name, text, ts

    def body(self, rng, lang, words, paras, closing, quote, plain, i):
        shape = rng.random()
        if shape < 0.35:
            return text_part("plain", plain, lang)
        direction = ' dir="rtl"' if lang == "ar" else ""
        html_text = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>'
                     f'<body{direction} lang="{lang}">\n'
                     + "".join(f"<p>{html.escape(p)}</p>\n" for p in paras)
                     + "<p>" + html.escape(closing).replace("\n", "<br>") + "</p>\n"
                     + (f"<blockquote>{html.escape(quote).replace(chr(10), '<br>')}</blockquote>\n" if quote else "")
                     + "</body></html>\n")
        alternative = multipart("alternative", f"=_alt_{self.seed}_{i}",
                                [text_part("plain", plain, lang), text_part("html", html_text, lang)])
        if shape < 0.75:
            return alternative
        first = alternative if shape < 0.93 else text_part("plain", plain, lang)
        attachments = [attachment_part(rng.choice(self.blobs), rng, words["attachments"])
                       for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        return multipart("mixed", f"=_mixed_{self.seed}_{i}", [first] + attachments)
