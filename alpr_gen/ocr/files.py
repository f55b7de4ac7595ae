"""export-ocr's files, written all together or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from alpr_gen.errors import ExportError


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file to a temp name first, then rename them all: nothing half-written."""
    for folder in dict.fromkeys(path.parent for path in files):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(
                f"{folder}: cannot create the output directory: {exc.strerror}"
            ) from None
    staged: list[tuple[str, Path]] = []
    try:
        for final, data in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", dir=final.parent)
            staged.append((tmp, final))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; DeepStream may run as another user
        for tmp, final in staged:
            os.replace(tmp, final)
    except OSError as exc:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write the exported files: {exc.strerror}") from None
