"""Check the built HTML book in headless Chromium (Debian's, driven by Python Playwright).

:func:`check_site` serves ``_build/html`` on ``127.0.0.1`` (random port), crawls it from
``index.html`` by following links, and on every page records console errors, uncaught
exceptions, failed and external requests (external ones are blocked: the book must work offline),
images that did not load (``naturalWidth == 0``), whether Chinese text is drawn with the bundled
font, and whether citation links point at an existing bibliography entry. It then takes a
full-page screenshot. Playwright never downloads a browser here: ``executable_path`` points at
the Debian ``chromium`` package.

The font check is twofold: the ``@font-face`` family must be loaded (``document.fonts``), and
Chromium's own record of the fonts used to draw a Chinese text node
(``CSS.getPlatformFontsForNode`` over CDP) must list only the bundled font.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "BrowserReport", "PageCheck", "check_site", "serve"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FONT_FAMILY = "NotoSansSC"  # the @font-face name in book/_static/book.css
FONT_INTERNAL_NAME = "Noto Sans SC"  # the family name inside the TTF, as Chromium reports it
CITATION_SELECTOR = "span.bibtex-citation a[href]"
_REFRESH = re.compile(r'<meta[^>]+http-equiv="refresh"[^>]+url=([^"\'>\s]+)', re.IGNORECASE)

# Runs in the page: lists images, links and citation links, and wraps the first run of Chinese
# characters of up to 4 visible elements in <span data-fontcheck> so that CDP can report the
# fonts used for exactly those characters.
_PAGE_SCRIPT = """
async ({family, citationSelector}) => {
  await document.fonts.ready;
  await Promise.all([...document.images].map((img) => {  // lazy images load too
    img.loading = "eager";
    return img.decode().catch(() => null);
  }));
  const images = [...document.images].map(
    (img) => ({src: img.currentSrc || img.src, ok: img.complete && img.naturalWidth > 0}));
  const root = document.querySelector("article") || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const cjk = /[\\u3400-\\u9fff\\uf900-\\ufaff]+/;
  const candidates = [];
  while (walker.nextNode() && candidates.length < 200) {
    const node = walker.currentNode;
    const el = node.parentElement;
    const match = node.data.match(cjk);
    if (!match || !el || candidates.some((f) => f.el === el)) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    candidates.push({node, el, index: match.index, text: match[0]});
  }
  // The first three, plus the first in code or program output (monospace font stack).
  const found = candidates.slice(0, 3);
  const mono = candidates.find((f) => !found.includes(f) && f.el.closest("pre, code, samp"));
  if (mono) found.push(mono);
  const families = found.map((f) => getComputedStyle(f.el).fontFamily);
  let loaded = false;
  if (found.length) {
    try {
      const faces = await document.fonts.load(`16px "${family}"`, found[0].text);
      loaded = faces.length > 0 && faces.every((face) => face.status === "loaded")
        && document.fonts.check(`16px "${family}"`, found[0].text);
    } catch (error) {
      loaded = false;  // the font file failed to load
    }
  }
  found.forEach((f, i) => {
    const run = f.node.splitText(f.index);
    run.splitText(f.text.length);
    const span = document.createElement("span");
    span.setAttribute("data-fontcheck", String(i));
    run.replaceWith(span);
    span.appendChild(run);
  });
  return {
    images,
    marked: found.length,
    computed: families,
    loaded,
    links: [...document.querySelectorAll("a[href]")].map((a) => a.href),
    citations: [...document.querySelectorAll(citationSelector)].map((a) => a.href),
    ids: [...document.querySelectorAll(".citation[id]")].map((el) => el.id),
  };
}
"""


@dataclass
class PageCheck:
    """What was seen on one page."""

    path: str
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    images: int = 0
    broken_images: list[str] = field(default_factory=list)
    cjk_elements: int = 0
    font_loaded: bool = False
    computed_families: list[str] = field(default_factory=list)
    rendered_fonts: list[str] = field(default_factory=list)
    citation_links: list[str] = field(default_factory=list)
    citation_ids: list[str] = field(default_factory=list)
    redirect: str = ""


@dataclass
class BrowserReport:
    """Result of :func:`check_site`; ``ok`` is true when :meth:`problems` is empty."""

    base_url: str
    required_pages: list[str]
    pages: dict[str, PageCheck] = field(default_factory=dict)
    unreached_pages: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    font_problems: list[str] = field(default_factory=list)
    unresolved_citations: list[str] = field(default_factory=list)
    citations_checked: int = 0
    screenshot: Path | None = None

    @property
    def console_errors(self) -> list[str]:
        """All console errors, as ``page: message``."""
        return [f"{p.path}: {m}" for p in self.pages.values() for m in p.console_errors]

    @property
    def broken_images(self) -> list[str]:
        """All images that did not load, as ``page: src``."""
        return [f"{p.path}: {src}" for p in self.pages.values() for src in p.broken_images]

    def problems(self) -> list[str]:
        """Every problem found, one line each."""
        found = [f"page not reached: {page}" for page in self.unreached_pages]
        found += [f"console error: {m}" for m in self.console_errors]
        found += [f"page error: {m}" for m in self.page_errors]
        found += [f"failed request: {m}" for m in self.failed_requests]
        found += [f"external request: {m}" for m in self.external_requests]
        found += [f"broken image: {m}" for m in self.broken_images]
        found += [f"font: {m}" for m in self.font_problems]
        found += [f"unresolved citation: {m}" for m in self.unresolved_citations]
        if self.screenshot is None or not self.screenshot.is_file():
            found.append("no screenshot")
        return found

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Do not log requests to stderr."""


@contextmanager
def serve(directory: Path | str) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 at a free port; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _page_path(url: str, base: str) -> str | None:
    """``book/x.html`` for a same-site HTML page URL, else None."""
    url = urldefrag(url).url.split("?", 1)[0]
    if not url.startswith(base):
        return None
    path = url[len(base) :] or "index.html"
    if path.endswith("/"):
        path += "index.html"
    if not path.endswith(".html") or path.startswith(("_sources/", "_static/", "_images/")):
        return None
    return path


def _rendered_fonts(page: Any) -> list[list[dict[str, Any]]]:
    """Fonts Chromium used for each element marked ``data-fontcheck`` (CDP)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-fontcheck]"})
        return [
            cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            for node in nodes["nodeIds"]
        ]
    finally:
        cdp.detach()


def _check_fonts(check: PageCheck, page: Any) -> list[str]:
    """Font problems of one page with Chinese text."""
    problems = []
    if not check.font_loaded:
        problems.append(f"{check.path}: @font-face {FONT_FAMILY} not loaded")
    for fonts in _rendered_fonts(page):
        names = [f"{f['familyName']}{'' if f.get('isCustomFont') else ' (system)'}" for f in fonts]
        check.rendered_fonts.extend(n for n in names if n not in check.rendered_fonts)
        if not fonts or any(
            f["familyName"] != FONT_INTERNAL_NAME or not f.get("isCustomFont") for f in fonts
        ):
            problems.append(f"{check.path}: Chinese text drawn with {names}")
    return problems


def check_site(
    html_dir: Path | str,
    required_pages: Iterable[str],
    screenshot: Path | str,
    *,
    screenshot_page: str | None = None,
    start_page: str = "index.html",
    max_pages: int = 300,
    executable_path: str = CHROMIUM,
    timeout_ms: int = 30_000,
) -> BrowserReport:
    """Crawl the built book in ``html_dir`` and return a :class:`BrowserReport`.

    ``required_pages`` are paths relative to ``html_dir`` (``book/intro.html``) that the crawl
    from ``start_page`` must reach. The screenshot (PNG, full page) is taken of
    ``screenshot_page`` (default: the first required page) and saved to ``screenshot``.
    """
    from playwright.sync_api import sync_playwright

    required = list(required_pages)
    screenshot = Path(screenshot)
    with serve(html_dir) as base, sync_playwright() as playwright:
        report = BrowserReport(base_url=base, required_pages=required)
        browser = playwright.chromium.launch(
            executable_path=executable_path, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            context.set_default_timeout(timeout_ms)
            _crawl(context, Path(html_dir), base, start_page, max_pages, report)
            _resolve_citations(report, base)
            target = screenshot_page or (required[0] if required else start_page)
            page = context.new_page()
            page.goto(urljoin(base, target), wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
            report.screenshot = screenshot
        finally:
            browser.close()
    report.unreached_pages = [p for p in required if p not in report.pages]
    if not any(p.cjk_elements for p in report.pages.values()):
        report.font_problems.append("no page with Chinese text found")
    return report


def _crawl(
    context: Any, html_dir: Path, base: str, start: str, limit: int, report: BrowserReport
) -> None:
    """Breadth-first visit of every same-site page reachable from ``start``."""

    def on_route(route: Any) -> None:
        if route.request.url.startswith(base) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            report.external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", on_route)
    queue, seen = [start], {start}
    page = context.new_page()
    current: list[PageCheck] = []
    page.on(
        "console",
        lambda m: m.type == "error" and current and current[-1].console_errors.append(m.text),
    )
    page.on("pageerror", lambda e: report.page_errors.append(f"{page.url}: {e}"))
    page.on(
        "requestfailed",
        lambda r: r.url.startswith(base) and report.failed_requests.append(f"{r.url}: {r.failure}"),
    )
    page.on(
        "response",
        lambda r: r.status >= 400 and report.failed_requests.append(f"{r.url}: HTTP {r.status}"),
    )
    while queue and len(report.pages) < limit:
        path = queue.pop(0)
        check = PageCheck(path=path)
        current.append(check)
        report.pages[path] = check
        redirect = _redirect(Path(html_dir) / path)
        if redirect is not None:  # Jupyter Book's index.html only redirects to the root page
            check.redirect = urljoin(urljoin(base, path), redirect)
            queue.extend(_new_pages([check.redirect], base, seen))
            continue
        response = page.goto(urljoin(base, path), wait_until="load")
        check.status = response.status if response else None
        data = page.evaluate(
            _PAGE_SCRIPT, {"family": FONT_FAMILY, "citationSelector": CITATION_SELECTOR}
        )
        check.images = len(data["images"])
        check.broken_images = [img["src"] for img in data["images"] if not img["ok"]]
        check.citation_links = data["citations"]
        check.citation_ids = data["ids"]
        if data["marked"]:
            check.cjk_elements = data["marked"]
            check.font_loaded = data["loaded"]
            check.computed_families = data["computed"]
            report.font_problems.extend(_check_fonts(check, page))
        queue.extend(_new_pages(data["links"], base, seen))
    page.close()


def _redirect(file: Path) -> str | None:
    """The target of a ``<meta http-equiv="Refresh">`` page, else None."""
    try:
        head = file.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return None
    match = _REFRESH.search(head)
    return match.group(1) if match else None


def _new_pages(links: Iterable[str], base: str, seen: set[str]) -> list[str]:
    """Same-site pages among ``links`` not seen yet (added to ``seen``)."""
    new = []
    for link in links:
        target = _page_path(link, base)
        if target and target not in seen:
            seen.add(target)
            new.append(target)
    return new


def _resolve_citations(report: BrowserReport, base: str) -> None:
    """Every citation link must point at a ``.citation`` element of a crawled page."""
    for check in report.pages.values():
        for link in check.citation_links:
            report.citations_checked += 1
            url, fragment = urldefrag(link)
            target = _page_path(url, base)
            entry_ids = report.pages[target].citation_ids if target in report.pages else []
            if not fragment or fragment not in entry_ids:
                where = urlsplit(link).path + (f"#{fragment}" if fragment else "")
                report.unresolved_citations.append(f"{check.path} -> {where}")
