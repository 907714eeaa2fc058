"""Stage 6, notebooks: execute the templates once per case (papermill, warm kernels, cache,
manifest)."""
