"""Book machinery: bibliography, citation style, escaping, HTML/PDF builds and browser checks.

Modules (import them directly; this package imports nothing heavy):

* :mod:`analysis.book.bibtex` -- ``write_bibtex(items, path)``: one BibTeX entry per item.
* :mod:`analysis.book.citestyle` -- Sphinx extension: readable ``2020-09 #3 p.1`` labels.
* :mod:`analysis.common.escape` -- ``escape_markdown(text)``: bulletin text made inert for MyST.
* :mod:`analysis.book.build` -- ``build_html(root)``: Jupyter Book HTML build (strict, -W).
* :mod:`analysis.book.pdf` -- ``build_pdf(root)``: HTML build -> composed article
  (:mod:`analysis.book.compose`) -> WeasyPrint.
* :mod:`support.browsercheck` -- ``check_site(...)``: headless Chromium checks of the HTML.
* :mod:`analysis.book.pages` -- ``generate(cases)``: every generated page of the report under
  ``book/_generated/``, from :mod:`~analysis.book.chapters` (reader's copies of the executed
  notebooks, failure placeholders), :mod:`~analysis.book.fragments` (data-generated parts of
  the intro and methods), :mod:`~analysis.book.appendix` (data dictionary, coded items, build
  manifest), :mod:`~analysis.book.audit` (numbers audit) and :mod:`~analysis.book.toc` (the
  table of contents from the ``_toc.yml`` skeleton).

This package is itself a small Sphinx extension (listed in ``_config.yml``) that

* tags every code cell of every notebook page ``hide-input`` at read time, so code is collapsed
  but available on demand. A cell that already has ``hide-input``, ``hide-cell``,
  ``hide-output``, ``remove-input``, ``remove-cell`` or the opt-out tag ``show-input`` is left
  alone. Set ``book_hide_code_input = False`` (``sphinx: config:``) to switch this off;
* before anything is read (``config-inited``), copies the bundled Chinese font into
  ``book/_static/fonts/`` and writes a placeholder for any missing ``bibtex_bibfiles`` entry,
  so a bare ``jupyter-book build . -W`` works on a fresh checkout
  (:func:`analysis.book.build.prepare` does the same, and writes the real bibliography);
* puts a "Synthetic data" banner at the top of every page when the generated pages say the
  data hold synthetic issues (``book/_generated/synthetic.txt``, written by
  :func:`analysis.book.pages.generate`);
* drops duplicate ``<script>`` entries from every HTML page: with Sphinx 7.4, sphinx-thebe's
  inline configuration script is emitted twice, and the second copy throws
  ``Identifier 'THEBE_JS_URL' has already been declared`` in the browser.
"""

from __future__ import annotations

import json
from typing import Any

KEEP_TAGS = frozenset(
    {"hide-input", "hide-cell", "hide-output", "remove-input", "remove-cell", "show-input"}
)


def hide_code_inputs(notebook_json: str) -> str | None:
    """Return the notebook with ``hide-input`` added to code cells, or None if unchanged."""
    notebook = json.loads(notebook_json)
    changed = False
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if not KEEP_TAGS.intersection(tags):
            tags.append("hide-input")
            changed = True
    return json.dumps(notebook, ensure_ascii=False) if changed else None


#: Marker written by :func:`analysis.book.pages.generate` when the data hold synthetic issues.
SYNTHETIC_MARKER = "book/_generated/synthetic.txt"


def synthetic_banner(bulletins: str) -> str:
    """The banner every page carries when the book is built from synthetic data."""
    return (":::{admonition} Synthetic data\n:class: danger synthetic\n"
            "This book is built from made-up (synthetic) bulletins "
            f"({bulletins}). None of its numbers describes the real world.\n:::\n\n")


def with_banner(notebook_json: str, banner: str) -> str:
    """The notebook with ``banner`` as a first Markdown cell."""
    notebook = json.loads(notebook_json)
    notebook.setdefault("cells", []).insert(
        0, {"cell_type": "markdown", "metadata": {}, "source": banner})
    return json.dumps(notebook, ensure_ascii=False)


def _on_source_read(app: Any, docname: str, source: list[str]) -> None:
    """Sphinx ``source-read`` handler: the synthetic-data banner on every page; collapsed code
    inputs on ``.ipynb`` pages."""
    notebook = str(app.env.doc2path(docname)).endswith(".ipynb")
    banner = app.config.book_synthetic_banner
    if banner:
        source[0] = with_banner(source[0], banner) if notebook else banner + source[0]
    if not app.config.book_hide_code_input or not notebook:
        return
    updated = hide_code_inputs(source[0])
    if updated is not None:
        source[0] = updated


def _script_key(script: Any) -> tuple[str, str]:
    """Identity of a page script: file name and attributes (inline body included).

    An inline script is registered once with filename None and once with ``""``: same script.
    """
    attributes = getattr(script, "attributes", {}) or {}
    return str(getattr(script, "filename", script) or ""), repr(sorted(attributes.items()))


def _dedupe_scripts(
    app: Any, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Sphinx ``html-page-context`` handler: keep the first of identical scripts."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _prepare_assets(app: Any, config: Any) -> None:
    """Sphinx ``config-inited`` handler: font copy, the per-issue bibliography files in place of
    the configured one when the report wrote them, and placeholders for missing files."""
    from pathlib import Path

    from analysis.book.build import ISSUE_BIBS, PLACEHOLDER_BIB, install_font
    from analysis.common.atomic import write_text

    srcdir = Path(app.srcdir)
    install_font(srcdir)
    marker = srcdir / SYNTHETIC_MARKER
    ids = marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
    config.book_synthetic_banner = synthetic_banner(ids) if ids else ""
    issue_bibs = sorted((srcdir / ISSUE_BIBS).glob("*.bib"))
    if issue_bibs:  # the report's per-issue files replace the configured one
        config.bibtex_bibfiles = [p.relative_to(srcdir).as_posix() for p in issue_bibs]
    for bibfile in getattr(config, "bibtex_bibfiles", None) or []:
        path = srcdir / bibfile
        if not path.is_file():
            write_text(path, PLACEHOLDER_BIB)


def setup(app: Any) -> dict[str, Any]:
    """Sphinx entry point."""
    app.add_config_value("book_hide_code_input", True, "env", [bool])
    app.add_config_value("book_synthetic_banner", "", "env", [str])
    app.connect("config-inited", _prepare_assets)
    app.connect("source-read", _on_source_read)
    app.connect("html-page-context", _dedupe_scripts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
