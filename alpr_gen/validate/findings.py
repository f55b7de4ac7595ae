"""What a lint rule reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alpr_gen.next_steps import Step


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
# Rules about files a later step supplies (next_steps.py): shown as next steps, not one by one.
PENDING_RULES = frozenset({"DS202", "DS203", "DS207", "DS208"})


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
    deployed: bool = False  # linted with --deployed: pending items are errors
    # What the set still needs, in order, ending with validate --deployed and run.
    next_steps: list[Step] = field(default_factory=list)

    @property
    def pending(self) -> list[Finding]:
        """Info findings about what a next step supplies (errors with --deployed)."""
        return [f for f in self.findings if f.rule_id in PENDING_RULES]

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
            "deployed": self.deployed,
            "findings": [f.as_dict() for f in self.findings],
            "next_steps": [
                {"text": s.text, "command": s.command, "produces": list(s.produces)}
                for s in self.next_steps
            ],
        }
