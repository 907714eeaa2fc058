"""Comparative analysis of Chinese regional policy bulletins.

The data flows raw text -> items -> coded tables -> indicators -> notebooks -> book, and the
package is laid out the same way: each subpackage is one stage, and a stage imports only the
stages above it in this tree (a test reads the imports and checks it)::

    analysis/
      common/   shared layer: paths, errors, atomic, outputs, lock, digest, text, yamlio,
                fonts, escape
      ingest/   raw file -> items with pages and spans: textio, pdfinput, docxinput,
                layout, matter, parse, document, preview
      coding/   items -> codes; the codebook holds every vocabulary:
                codebook, vocab, gazetteer, firsts, numerals, figure_units, figures, coder
      dataset/  codes -> validated tables in data/processed:
                fields, schema, tables, review, queue, agreement, sidecar, state, build, add
      compare/  tables -> indicators and statistics:
                cells, indicators, weights, index, stats, trend
      views/    what the notebooks show:
                params, images, plots, charts, markdown, common, region, comparison, indicators,
                over_time, summary, display
      run/      executing the notebooks: plan, cache, manifest, progress, nbtranslate,
                conndir, execute, dask_executor, runner, notebook, nbhtml, scenarios,
                cases, fanout
      book/     the cited HTML and PDF book: bibtex, citestyle, bibindex, jbcli, build, compose,
                pdf, toc, audit, chapters, fragments, appendix, sources, pages, front,
                printlayout
      report.py   python -m analysis report: every stage in order
      cli.py      python -m analysis ...

Development tools (``devtools/``: synthetic bulletins, ``make bench``) and test helpers
(``tests/support/``) live outside the package.
"""

__version__ = "0.1.0"
