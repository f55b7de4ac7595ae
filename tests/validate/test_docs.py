"""docs/validate.md is generated from the rules and the schema and kept current."""

from __future__ import annotations

from alpr_gen.validate.docs import docs_path, render_docs
from alpr_gen.validate.rules import all_rules


def test_docs_are_current() -> None:
    assert docs_path().read_text(encoding="utf-8") == render_docs(), (
        "run: python -m alpr_gen.validate.docs"
    )


def test_every_rule_is_documented() -> None:
    text = render_docs()
    for rule_id in all_rules():
        assert f"| {rule_id} |" in text
