"""An executed notebook as one self-contained HTML page: ``notebook ... --html OUT.html``.

Read without Jupyter or nbconvert (not part of the environment): Markdown cells are rendered
with markdown-it-py (CommonMark and tables); of each output the richest form a browser shows is
kept (``text/html``, then PNG/JPEG/SVG images embedded as ``data:`` URIs, then Markdown, then
plain text); the glue records of the book (``application/papermill.record/*``) are left out.
Citations read as the book's labels (``[2020-09 #6 p.5–6]``, see
:func:`analysis.views.markdown.readable_citations`). Code is kept, folded (``<details>``);
papermill's parameter cells become one visible "Parameters" block.

The page embeds everything: styles, images, and a subset of the bundled NotoSansSC font
holding exactly the characters of the page (fontTools), so Chinese text renders the same on
any machine and the page works offline. ANSI colour codes of tracebacks are removed.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from analysis.common.atomic import write_text
from analysis.views.markdown import project_labels, readable_citations, to_html

__all__ = ["font_face", "notebook_html", "output_html", "write_notebook_html"]

GLUE_PREFIX = "application/papermill.record/"
PARAMETER_TAGS = ("parameters", "injected-parameters")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_IMAGES = ("image/png", "image/jpeg", "image/svg+xml")
FONT_FAMILY = "NotoSansSC-subset"

CSS = """
body { font-family: "FONT", sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.55; color: #1f2328; background: #fff; }
h1, h2, h3 { line-height: 1.25; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.55rem; text-align: left;
         vertical-align: top; }
thead th { background: #f6f8fa; }
img { max-width: 100%; height: auto; display: block; margin: 0.8rem 0; }
pre { background: #f6f8fa; padding: 0.6rem; overflow-x: auto; font-size: 0.85rem;
      font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, "FONT", monospace; }
details.code { margin: 0.4rem 0; color: #57606a; }
details.code summary { cursor: pointer; font-size: 0.85rem; }
.output { margin: 0.4rem 0 1rem; }
.error pre { background: #ffebe9; }
.parameters { border-left: 4px solid #0969da; padding: 0.2rem 0.8rem; background: #f6f8fa; }
"""


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def output_html(output: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """One output of a code cell as HTML ("" for the book's glue records)."""
    kind = output.get("output_type")
    if kind == "stream":
        return f"<pre>{html.escape(_ANSI.sub('', _text(output.get('text', ''))))}</pre>"
    if kind == "error":
        trace = _ANSI.sub("", "\n".join(output.get("traceback") or []))
        return f'<div class="error"><pre>{html.escape(trace)}</pre></div>'
    data = {k: v for k, v in (output.get("data") or {}).items()
            if not k.startswith(GLUE_PREFIX)}
    if "text/html" in data:
        return readable_citations_html(_text(data["text/html"]), labels)
    for mime in _IMAGES:
        if mime in data:
            payload = _text(data[mime])
            if mime == "image/svg+xml":
                payload = base64.b64encode(payload.encode()).decode()
            return f'<img alt="figure" src="data:{mime};base64,{payload.strip()}">'
    if "text/markdown" in data:
        return to_html(_text(data["text/markdown"]), labels)
    if "text/plain" in data:
        return f"<pre>{html.escape(_text(data['text/plain']))}</pre>"
    return ""


def readable_citations_html(text: str, labels: Mapping[str, str]) -> str:
    """Cite roles left inside an HTML output (an older notebook's table) made readable."""
    if "{cite:p}" not in text:
        return text
    return readable_citations(text, labels).replace("\\", "")


def _code_cell(cell: Any, labels: Mapping[str, str]) -> str:
    tags = cell.get("metadata", {}).get("tags", [])
    source = html.escape(cell.source)
    if any(t in tags for t in PARAMETER_TAGS):
        given = "injected-parameters" in tags
        return (f'<div class="parameters"><details class="code"{" open" if given else ""}>'
                f"<summary>Parameters ({'given' if given else 'defaults'})</summary>"
                f"<pre>{source}</pre></details></div>")
    outputs = "".join(output_html(o, labels) for o in cell.get("outputs", []))
    code = (f'<details class="code"><summary>Code</summary><pre>{source}</pre></details>'
            if cell.source.strip() else "")
    return code + (f'<div class="output">{outputs}</div>' if outputs else "")


def font_face(text: str) -> str:
    """An ``@font-face`` rule embedding the bundled font cut down to the characters of
    ``text`` ("" when the font is not installed)."""
    from fontTools import subset

    from analysis.common.fonts import font_path

    try:
        source = font_path()
    except FileNotFoundError:
        return ""
    options = subset.Options()
    options.layout_features = ["*"]
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    data = base64.b64encode(buffer.getvalue()).decode()
    return (f'@font-face {{ font-family: "{FONT_FAMILY}"; '
            f'src: url("data:font/ttf;base64,{data}") format("truetype"); }}')


def notebook_html(nb: nbformat.NotebookNode, title: str | None = None,
                  labels: Mapping[str, str] | None = None) -> str:
    """The page of an executed notebook (see the module doc)."""
    labels = project_labels() if labels is None else labels
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(to_html(cell.source, labels))
        elif cell.cell_type == "code":
            parts.append(_code_cell(cell, labels))
    body = "\n".join(parts)
    if title is None:
        heading = re.search(r"<h1>(.*?)</h1>", body, re.S)
        title = re.sub(r"<[^>]+>", "", heading.group(1)) if heading else "Notebook"
    visible = re.sub(r"<[^>]+>", "", body) + title
    style = font_face(html.unescape(visible)) + CSS.replace("FONT", FONT_FAMILY)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{style}</style></head>\n"
            f"<body>\n{body}\n</body></html>\n")


def write_notebook_html(notebook: Path | str, out: Path | str) -> Path:
    """Write the page of the executed ``notebook`` to ``out`` (atomically); return ``out``."""
    nb = nbformat.read(Path(notebook), as_version=4)
    write_text(Path(out), notebook_html(nb))
    return Path(out)
