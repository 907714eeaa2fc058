"""Stage 1, raw -> items: read a bulletin file and find its sections, items, pages and spans."""
