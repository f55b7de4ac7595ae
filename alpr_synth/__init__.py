"""Synthetic licence-plate scenes for training and testing the demo detector.

Everything here is deterministic for a seed: image ``i`` of a set is drawn from its own generator,
seeded with ``(seed, i)``, so a set comes out the same whatever the number of worker processes.
The heavy imports (numpy, OpenCV, Pillow) are inside this package only; the CLI never imports it.
"""

from __future__ import annotations

CLASS_NAMES: tuple[str, ...] = ("vehicle", "plate")
"""Detector classes, in id order: ``vehicle`` = 0, ``plate`` = 1."""

VEHICLE_CLASS_ID = 0
PLATE_CLASS_ID = 1
