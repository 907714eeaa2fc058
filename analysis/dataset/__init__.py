"""Stage 3, codes -> coded tables: the schemas, the analyst's review, the build of
``data/processed/`` and the coder's agreement with the review."""
