"""Attachment bodies: small but valid PDF documents and PNG images, made once and reused.

Real viewers open them (a test or a person may click one). Sizes vary from a few kB to ~100 kB
so that attachment handling sees more than one block; noise keeps the PNGs from compressing away.
"""
import base64
import random
import struct
import zlib


def pdf(lines, title):
    """A one-page PDF that shows LINES (ASCII), with correct xref offsets."""
    text = ["BT /F1 11 Tf 56 800 Td 14 TL"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text.append(f"({safe}) '")
    text.append("ET")
    stream = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + title.encode("ascii") + b") /Producer (tern seed) >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png(width, height, rng):
    """An RGB PNG: a colour gradient with noise."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            n = rng.randrange(48)
            rows += bytes(((x * 255 // width + n) & 255, (y * 255 // height + n) & 255, (128 + n) & 255))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b""))


def make_all(seed):
    """[(mime type, base64 text with CRLF-free 76-column lines)], the same for the same seed."""
    rng = random.Random(f"blobs:{seed}")
    made = []
    for n, pages in enumerate((10, 30, 80, 200, 400)):
        lines = [f"Line {k}: quarterly figures, account {rng.randrange(10**6):06d}, "
                 f"amount {rng.randrange(10**5)}.{rng.randrange(100):02d} EUR" for k in range(pages)]
        made.append(("application/pdf", pdf(lines, f"Report {n + 1}")))
    for w, h in ((32, 24), (64, 48), (120, 90), (160, 120)):
        made.append(("image/png", png(w, h, rng)))
    return [(kind, base64.encodebytes(data).decode("ascii")) for kind, data in made]
