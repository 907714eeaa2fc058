"""Real PDF and Word files for the input tests, built from known items: WeasyPrint for PDF,
python-docx for Word, and a hand-written PDF with the standard security handler (RC4, revision
2) for an encrypted file. Everything built here is test data only."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from analysis.common.fonts import font_path

_PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


def bulletin_html(masthead: list[str], sections: list[tuple[str, list[tuple[str, list[str]]]]],
                  running_head: str = "") -> str:
    """An HTML bulletin: masthead lines, then per section a heading and its items (title,
    paragraphs), with page numbers (and a running head) in the page margins."""
    head = f"@top-center {{ content: '{running_head}'; font-size: 9pt; }}" if running_head else ""
    css = (f"@font-face {{ font-family: cjk; src: url('{font_path().as_uri()}'); }}"
           f"@page {{ size: A5; margin: 18mm 15mm; {head}"
           "@bottom-center { content: '- ' counter(page) ' -'; font-size: 9pt; } }"
           "body { font-family: cjk; font-size: 10.5pt; line-height: 1.6; }"
           "h2 { font-size: 15pt; margin: 10pt 0 4pt; } h3 { font-size: 12.5pt; margin: 8pt 0;}"
           "p { text-indent: 2em; margin: 0; } .mast { text-align: center; text-indent: 0; }")
    parts = [f"<p class='mast'>{html.escape(line)}</p>" for line in masthead]
    for section, items in sections:
        parts.append(f"<h2>{html.escape(section)}</h2>")
        for title, paragraphs in items:
            parts.append(f"<h3>{html.escape(title)}</h3>")
            parts += [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    return (f"<html lang='zh'><head><meta charset='utf-8'><style>{css}</style></head><body>"
            + "".join(parts) + "</body></html>")


def write_pdf(page: str, out: Path) -> Path:
    import weasyprint

    weasyprint.HTML(string=page).write_pdf(out)
    return out


def write_docx(masthead: list[str], sections: list[tuple[str, list[tuple[str, list[str]]]]],
               out: Path) -> Path:
    """A Word bulletin: masthead in Normal style, sections as Heading 1 (each on a new page),
    titles as Heading 2, paragraphs in Normal style."""
    import docx

    document = docx.Document()
    for line in masthead:
        document.add_paragraph(line)
    for section, items in sections:
        document.add_page_break()
        document.add_heading(section, level=1)
        for title, paragraphs in items:
            document.add_heading(title, level=2)
            for text in paragraphs:
                document.add_paragraph(text)
    document.save(str(out))
    return out


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def write_encrypted_pdf(out: Path, user_password: bytes = b"secret") -> Path:
    """A one-page PDF that needs a user password to open (standard security handler, R2)."""
    owner = _rc4(hashlib.md5(_PAD).digest()[:5], (user_password + _PAD)[:32])
    file_id = hashlib.md5(b"synthetic").digest()
    permissions = (-4).to_bytes(4, "little", signed=True)
    key = hashlib.md5((user_password + _PAD)[:32] + owner + permissions + file_id).digest()[:5]
    user = _rc4(key, _PAD)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
               b"<< /Filter /Standard /V 1 /R 2 /O <" + owner.hex().encode() + b"> /U <"
               + user.hex().encode() + b"> /P -4 >>"]
    body = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    body += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    body += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Encrypt 4 0 R /ID [<"
             f"{file_id.hex()}> <{file_id.hex()}>] >>\nstartxref\n{xref}\n%%EOF\n").encode()
    out.write_bytes(bytes(body))
    return out
