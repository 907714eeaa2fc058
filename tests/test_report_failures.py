"""A report over a SYNTHETIC bulletin full of injected markup (labelled 【合成】 and 合成测试数据;
it never reaches the real report), with a region template that fails for one province: the
bulletin text renders inert everywhere, the failed case gets a placeholder chapter, the other
chapters are built and the command exits 1. Built in a temporary BULLETIN_ROOT."""

from __future__ import annotations

import hashlib

import nbformat
import pytest

from devtools.synthetic import layout

from support.report import Run, article, copy_project, run_report

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    ("科创聚焦", f"【合成】江苏政务数据{SCRIPT}试点{{eval}}`1+1`", [
        "（合成测试数据，注入标记）江苏省大数据管理局发布通知，政务数据共享平台上线 "
        "<img src=x onerror=alert(1)> 与 {cite:p}`bulletin-2020-09-01` 以及 $x^2$ 和 "
        "{{ title }}，产业链投入资金 100 亿元。",
        "[点我](javascript:alert(1)) **粗体** | a | b | 到 2025 年建成 3 个自贸区平台。",
    ]),
    ("经济热点", "【合成】上海自贸区发布 {glue:text}`x` 示例 <i>政策</i>", [
        "（合成测试数据）上海市人民政府印发方案，设立 5 亿元 {eval}`import os` 专项资金，"
        "建设产业链与政务数据中心。",
        # a fence opener; the sentence end keeps it body text (a bare line would be reported
        # as unassigned text, and the build would stop)
        "```{raw} html 段落结束。",
    ]),
]
SIDECAR = ("bulletin_id: bulletin-2099-01\nissue_date: \"2099-01\"\nlanguage: zh-Hans\n"
           "source: SYNTHETIC test bulletin with injected markup (never in the report)\n"
           "reviewed: false\nsynthetic: true\n")
FAILING = 'assert p.region != "上海", "synthetic failure for the placeholder test"'


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = copy_project(tmp_path_factory.mktemp("hostile") / "project", raw=False)
    raw = root / "data" / "raw"
    bulletin = raw / "bulletin-2099-01.txt"
    bulletin.write_text(layout(HOSTILE, page_every=6), encoding="utf-8")
    digest = hashlib.sha256(bulletin.read_bytes()).hexdigest()
    (raw / "bulletin-2099-01.meta.yml").write_text(SIDECAR + f"sha256: {digest}\n",
                                                   encoding="utf-8")
    template = root / "notebooks" / "region.ipynb"
    nb = nbformat.read(template, as_version=4)
    nb.cells[2].source += "\n" + FAILING  # after validate_params: fails for 上海 only
    nbformat.write(nb, template)
    # Two kernels: one restarts after the failed case while the other takes the last cases.
    return run_report(root, "--no-pdf", "--allow-synthetic", jobs=2)


def test_exit_status_and_failure_report(run: Run) -> None:
    assert run.returncode == 1, run.stdout + run.stderr
    assert "1 failed (region/shanghai: placeholder chapters)" in run.stdout
    assert "region/shanghai" in run.stderr and "synthetic failure" in run.stderr
    assert (run.html / "index.html").is_file()


def test_failed_case_gets_a_placeholder_chapter(run: Run) -> None:
    generated = run.root / "book" / "_generated" / "regions"
    assert (generated / "shanghai.md").is_file() and not (generated / "shanghai.ipynb").exists()
    art = article(run.html / "book" / "_generated" / "regions" / "shanghai.html")
    assert art.find("h1").get_text().rstrip("#").strip() == "Shanghai 上海"
    error = art.select_one(".admonition.error").get_text(" ")
    assert "region/shanghai" in error and "synthetic failure for the placeholder test" in error
    assert "book/regions/shanghai/region.ipynb" in error
    assert (run.root / "book" / "regions" / "shanghai" / "region.ipynb").is_file()
    other = article(run.html / "book" / "_generated" / "regions" / "jiangsu.html")
    assert other.find("h1").get_text().rstrip("#").strip() == "Jiangsu 江苏"
    assert other.select("figure img")
    manifest = article(run.html / "book" / "_generated" / "appendix" / "manifest.html")
    assert "failed" in manifest.get_text()


PAGES = ("book/_generated/regions/jiangsu.html",
         "book/_generated/appendix/items/bulletin-2099-01.html",
         "book/_generated/appendix/audit.html",
         "book/_generated/bibliography/bulletin-2099-01.html")


@pytest.mark.parametrize("path", PAGES)
def test_injected_markup_renders_inert(run: Run, path: str) -> None:
    art = article(run.html / path)
    text = art.get_text()
    assert SCRIPT in text  # shown as text, as printed
    for script in art.find_all("script"):
        assert "alert" not in script.get_text()
    assert not art.select("img[src=x], i, a[href^=javascript], .math, math")
    assert not any("import os" in el.get_text() for el in art.select(".output, pre"))
    assert "{eval}`1+1`" in text or "/bibliography/" in path


def test_markup_in_the_body_is_inert_in_the_audit(run: Run) -> None:
    text = article(run.html / "book/_generated/appendix/audit.html").get_text()
    # The sentences around the figures, as printed (markup included, as text).
    for literal in ("100 亿元", "$x^2$ 和 {{ title }}", "5亿元 {eval}`import os` 专项资金"):
        assert literal in text
