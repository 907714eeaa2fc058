"""``python -m analysis notebook ... --html OUT.html``: a self-contained page of the executed
notebook that reads well without Jupyter (real papermill run, real headless Chromium)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.run.nbhtml import notebook_html, output_html

from conftest import ROOT

LABEL = re.compile(r"\[2020-09 #\d+ p\.\d+(–\d+)?(; 2020-09 #\d+ p\.\d+(–\d+)?)*\]")


def test_outputs_pick_the_richest_form_and_leave_glue_out() -> None:
    labels = {"b-01": "2020-09 #6 p.5–6"}
    md = {"output_type": "display_data",
          "data": {"text/markdown": "x {cite:p}`b-01`", "text/plain": "x (b-01)"}}
    assert output_html(md, labels) == "<p>x [2020-09 #6 p.5–6]</p>\n"
    png = {"output_type": "display_data", "data": {"image/png": "iVBORw0K\n", "text/plain": "F"}}
    assert output_html(png, labels) == '<img alt="figure" src="data:image/png;base64,iVBORw0K">'
    glue = {"output_type": "display_data",
            "data": {"application/papermill.record/text/plain": "'x'"}}
    assert output_html(glue, labels) == ""
    err = {"output_type": "error", "traceback": ["\x1b[31mValueError\x1b[0m: <bad>"]}
    assert output_html(err, labels) == '<div class="error"><pre>ValueError: &lt;bad&gt;</pre></div>'


def test_page_is_self_contained_with_a_font_subset() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 江苏 Jiangsu\n\nText."),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["injected-parameters"]}),
    ])
    page = notebook_html(nb, labels={})
    assert "<title>江苏 Jiangsu</title>" in page
    assert 'src: url("data:font/ttf;base64,' in page and "Parameters (given)" in page
    assert "http://" not in page and "https://" not in page


@pytest.mark.slow
def test_html_page_reads_well_in_chromium(built_project: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    from support.browsercheck import CHROMIUM, CHROMIUM_ARGS

    out, page_file = tmp_path / "cmp.ipynb", tmp_path / "cmp.html"
    env = {**os.environ, "BULLETIN_ROOT": str(built_project)}
    res = subprocess.run([sys.executable, "-m", "analysis", "notebook", "comparison", "-p",
                          "weights", "{n_national_first: 2}", "-o", str(out), "--html",
                          str(page_file)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "Passed unknown parameter" not in res.stderr  # names are checked by our models
    assert f"{page_file} (self-contained page)" in res.stdout
    # Displayed outputs: Markdown with roles for the book, HTML with readable labels.
    bundles = [o["data"] for c in nbformat.read(out, as_version=4).cells
               if c.cell_type == "code" for o in c.outputs if "text/markdown" in o.get("data", {})]
    assert bundles and all("text/html" in b and "{cite:p}" not in b["text/html"]
                           for b in bundles)
    assert any("{cite:p}" in b["text/markdown"] for b in bundles)
    assert any(LABEL.search(b["text/html"]) for b in bundles)

    html = page_file.read_text(encoding="utf-8")
    assert "{cite:p}" not in html and "<script" not in html
    shot = tmp_path / "page.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            page.evaluate("document.fonts.ready")
            text = page.inner_text("body")
            images = page.evaluate(
                "[...document.images].map(i => i.complete && i.naturalWidth > 0)")
            fonts = page.evaluate(
                "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
            code_font = page.evaluate(  # Chinese parameter values in code need the font too
                "getComputedStyle(document.querySelector('.parameters pre')).fontFamily")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert text.startswith("Cross-province comparison")
    assert "Against the project's weights." in text  # the scenario's comparison to the default
    assert len(LABEL.findall(text)) >= 10 and "{cite:p}" not in text
    # No raw item id where a label belongs (figure ids, "...-07-f03", are shown as ids).
    assert not re.search(r"bulletin-2020-09-\d{2}(?![\d-])", text)
    assert len(images) >= 4 and all(images)
    assert any("NotoSansSC" in f for f in fonts) and "NotoSansSC" in code_font
    assert all(u.startswith(("file:", "data:")) for u in requests)
    assert shot.is_file() and shot.stat().st_size > 100_000
