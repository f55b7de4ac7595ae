"""What a lint rule reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    file: str  # path relative to the config set's directory (posix)
    line: int  # 1-based; 0 when the finding is about the whole file
    group: str | None
    key: str | None
    message: str

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, _ORDER[self.severity], self.rule_id)

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["severity"] = self.severity.value
        return d


@dataclass
class LintReport:
    root: str  # the directory of the app config, as given
    app_config: str  # the app config, relative to root
    deepstream: str
    platform: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def exit_code(self, *, strict: bool = False) -> int:
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def as_dict(self) -> dict[str, object]:
        return {
            "root": self.root,
            "app_config": self.app_config,
            "deepstream": self.deepstream,
            "platform": self.platform,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.as_dict() for f in self.findings],
        }
