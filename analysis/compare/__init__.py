"""Stage 4, coded tables -> indicators: per-cell indicators, the composite index and the
statistics."""
