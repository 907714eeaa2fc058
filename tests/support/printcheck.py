"""Checks of the PDF's page layout that the PDF file alone cannot answer, read from WeasyPrint's
own layout of the reduced article (the same HTML and stylesheet the PDF was printed from)."""

from __future__ import annotations

from pathlib import Path


def orphaned_table_headers(reduced: Path) -> list[tuple[int, str]]:
    """``(page number, header text)`` of every table fragment that has its header row on a
    page but none of its body rows (a header alone at a page foot)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.fonts import FontConfiguration

    document = HTML(filename=str(reduced)).render(font_config=FontConfiguration())
    found = []
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            if not isinstance(box, boxes.TableBox):
                continue
            groups = [g for g in box.children if isinstance(g, boxes.TableRowGroupBox)]
            header = [g for g in groups if g.is_header]
            body_rows = sum(len(g.children) for g in groups if not g.is_header)
            if header and body_rows == 0:
                text = " ".join(t.text for t in header[0].descendants()
                                if isinstance(t, boxes.TextBox))
                found.append((number, text[:80]))
    return found


def stranded_headings(reduced: Path) -> list[tuple[int, str]]:
    """``(page number, heading text)`` of every heading that is the last text on its page
    (its section starts on the next page)."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.fonts import FontConfiguration

    document = HTML(filename=str(reduced)).render(font_config=FontConfiguration())
    found = []
    for number, page in enumerate(document.pages, start=1):
        flow = [b for b in page._page_box.children if not isinstance(b, boxes.MarginBox)]
        last_heading, last_other = None, -1.0
        for root in flow:
            for box in root.descendants():
                if not isinstance(box, boxes.TextBox):
                    continue
                if box.element_tag in ("h1", "h2", "h3", "h4"):
                    if last_heading is None or box.position_y >= last_heading[0]:
                        last_heading = (box.position_y, box.text)
                else:
                    last_other = max(last_other, box.position_y)
        if last_heading is not None and last_heading[0] > last_other:
            found.append((number, last_heading[1]))
    return found
