"""A problem found in a contract: where (YAML path and line), what, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: tuple
    message: str
    hint: str = ""
    line: int | None = None

    @property
    def where(self) -> str:
        return ".".join(str(p) for p in self.path) or "(top)"

    def format(self, file: str) -> str:
        location = f"{file}:{self.line}" if self.line else file
        hint = f" — {self.hint}" if self.hint else ""
        return f"{location}: {self.where}: {self.message}{hint}"


class ContractError(Exception):
    """The contract is invalid; `problems` says where and why, one line each."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(p.format(file) for p in problems))
