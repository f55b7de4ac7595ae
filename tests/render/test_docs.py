from pathlib import Path

from alpr_gen.profile.docs import profile_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "profile-reference.md"


def test_profile_reference_is_up_to_date() -> None:
    assert DOC.read_text() == profile_reference(), "run: python tools/gen_profile_docs.py"


def test_profile_reference_covers_every_section() -> None:
    text = profile_reference()
    for section in (
        "## SiteProfile",
        "## Camera",
        "## Line",
        "## Detector",
        "## Ocr",
        "## Mqtt",
        "## Kafka",
    ):
        assert section in text
    assert "| `cameras` |" in text
