"""Stage 2, items -> codes: the codebook (every vocabulary), places, figures and the automatic
coder."""
