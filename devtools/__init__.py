"""Development tools, outside the runtime package: synthetic bulletins and ``make bench``."""
