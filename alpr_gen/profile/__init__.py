"""Site profiles: the typed model (`model.py`), the staged loader (`loader.py`) and the generated
field reference (`docs.py`)."""

from alpr_gen.errors import ProfileError
from alpr_gen.profile.loader import (
    check_profile,
    known_profiles,
    load_profile,
    profile_json_schema,
    profile_summaries,
    profiles_dir,
    resolve_profile_path,
)
from alpr_gen.profile.model import SiteProfile

__all__ = [
    "ProfileError",
    "SiteProfile",
    "check_profile",
    "known_profiles",
    "load_profile",
    "profile_json_schema",
    "profile_summaries",
    "profiles_dir",
    "resolve_profile_path",
]
