"""Comparative analysis of Chinese regional policy bulletins.

Modules, one concern each:

- ``paths``: every file and folder the project reads or writes.
- ``errors``: the one-line ``InputError`` for bad input.
- ``atomic``: write-to-temp-then-rename helpers.
- ``textio``: read a bulletin file (encoding detection, line ends).
- ``ingest``: printed layout -> sections, items, paragraphs, pages, spans.
- ``codebook``: load and validate ``data/codebook.yml``.
- ``numerals`` / ``figures``: Chinese and Arabic numbers -> normalised figures.
- ``coding``: automatic codes (regions, domains, instruments, firsts, issuing level).
- ``review``: the analyst's overrides.
- ``schema``: table schemas (the single source of the data dictionary).
- ``dataset``: the pipeline that writes the processed tables.
- ``agreement``: automatic coder versus reviewed coding.
- ``buildstate``, ``digest``: is ``data/processed/`` up to date; content hashes.
- ``tables``, ``indicators``, ``index``, ``stats``, ``plots``, ``fonts``: comparative analysis.
- ``params``, ``views``, ``notebook``, ``nbtranslate``: notebook parameters, what the notebooks
  display, executing one template.
- ``cases``, ``fanout``, ``runner``: the report's notebook cases and their cached, parallel run.
- ``book``, ``report``: the cited HTML/PDF book and ``python -m analysis report``.
- ``synthetic``, ``bench``: synthetic bulletins (never in the report) and ``make bench``.
- ``cli``: ``python -m analysis ...``.
"""

__version__ = "0.1.0"
