"""Progress on stderr: one compact line per event and a final summary.

Events: ``cached`` (served from cache), ``start`` (a kernel or worker took the case), ``ok``
and ``failed`` (the case finished). ``on_event(kind, case)`` hooks see the same events.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from analysis.run.plan import Case

EventHook = Callable[[str, Case], None]


class Progress:
    """Counts cases by state and prints a line per event (unless ``quiet``)."""

    def __init__(self, total: int, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.running = 0
        self.done = 0
        self.failed = 0
        self.cached = 0
        self._started: dict[str, float] = {}

    def counts(self) -> str:
        """``running 2, done 3, failed 0, cached 1``."""
        return (f"running {self.running}, done {self.done}, failed {self.failed}, "
                f"cached {self.cached}")

    def _print(self, label: str, case: Case, detail: str = "") -> None:
        if self.quiet:
            return
        finished = self.done + self.failed + self.cached
        detail = f"  {detail}" if detail else ""
        print(f"[{finished:>{len(str(self.total))}}/{self.total}] {label:<6} {case.name}{detail}"
              f"  ({self.counts()})", file=self.stream, flush=True)

    def event(self, kind: str, case: Case, detail: str = "") -> None:
        """Update the counts for ``kind`` and print a line."""
        if kind == "cached":
            self.cached += 1
        elif kind == "start":
            self.running += 1
            self._started[case.name] = time.monotonic()
        elif kind in ("ok", "failed"):
            self.running = max(0, self.running - 1)
            if kind == "ok":
                self.done += 1
            else:
                self.failed += 1
            began = self._started.pop(case.name, None)
            if began is not None:
                elapsed = f"{time.monotonic() - began:.1f}s"
                detail = f"{elapsed}  {detail}" if detail else elapsed
        self._print(kind, case, detail)

    def summary(self) -> str:
        """``6 cases: 3 executed, 2 cached, 1 failed`` (+ ``, 1 not run`` if interrupted)."""
        executed = self.done + self.failed
        text = (f"{self.total} cases: {executed} executed, {self.cached} cached, "
                f"{self.failed} failed")
        missing = self.total - executed - self.cached
        return text + (f", {missing} not run" if missing > 0 else "")

    def finish(self) -> None:
        """Print the summary line."""
        if not self.quiet:
            print(self.summary(), file=self.stream, flush=True)
