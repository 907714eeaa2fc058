"""The error type for bad input: one line naming the file, field or parameter and the problem."""

from __future__ import annotations


class InputError(Exception):
    """Bad input. ``str(err)`` is one line meant for stderr, e.g. ``data/x.txt: file is empty``."""

    def __init__(self, where: object, problem: str) -> None:
        self.where = str(where)
        self.problem = " ".join(str(problem).split())
        super().__init__(f"{self.where}: {self.problem}")
