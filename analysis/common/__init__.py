"""Shared layer used by every stage: paths, the one-line error, atomic writes, content
hashes, the bundled font, text helpers and markup escaping."""
