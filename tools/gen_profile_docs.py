"""Write docs/profile-reference.md from the profile models."""

from pathlib import Path

from alpr_gen.profile.docs import profile_reference

target = Path(__file__).resolve().parent.parent / "docs" / "profile-reference.md"
target.write_text(profile_reference())
print(f"wrote {target}")
