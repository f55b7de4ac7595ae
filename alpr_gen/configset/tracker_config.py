"""The NvMultiObjectTracker YAML (ll-config-file): which tracker it configures, and its settings.

NvMultiObjectTracker is one library configured into IOU, NvSORT, NvDeepSORT or NvDCF by its
sections (DeepStream's tracker guide): a `VisualTracker` with visualTrackerType 1 is NvDCF; a
`ReID` section with reidType > 0 and no visual tracker is NvDeepSORT; a `StateEstimator` with
stateEstimatorType > 0 and neither is NvSORT; none of these is the IOU tracker. Defaults are the
library's documented ones for the keys the preview backend uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from alpr_gen.configset.files import ConfigFile

if TYPE_CHECKING:
    import yaml

Scalar = str | int | float | bool | None
Sections = dict[str, dict[str, Scalar]]


@dataclass(frozen=True)
class TrackerSettings:
    kind: str  # "IOU", "NvSORT", "NvDeepSORT", "NvDCF"
    sections: Sections = field(default_factory=dict)

    def number(self, section: str, key: str, default: float) -> float:
        value = self.sections.get(section, {}).get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return default
        return float(value)

    @property
    def min_detector_confidence(self) -> float:
        return self.number("BaseConfig", "minDetectorConfidence", 0.0)

    @property
    def probation_age(self) -> int:
        return int(self.number("TargetManagement", "probationAge", 5))

    @property
    def max_shadow_tracking_age(self) -> int:
        return int(self.number("TargetManagement", "maxShadowTrackingAge", 38))

    @property
    def early_termination_age(self) -> int:
        return int(self.number("TargetManagement", "earlyTerminationAge", 1))

    @property
    def min_iou_diff_new_target(self) -> float:
        return self.number("TargetManagement", "minIouDiff4NewTarget", 0.5)

    @property
    def max_targets_per_stream(self) -> int:
        return int(self.number("TargetManagement", "maxTargetsPerStream", 150))

    @property
    def check_class_match(self) -> bool:
        return self.number("DataAssociator", "checkClassMatch", 1) != 0


def _scalar(node: yaml.Node) -> Scalar:
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        return None
    value = yaml.safe_load(node.value)
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _sections(root: yaml.Node) -> Sections:
    """Top-level mappings of scalars: section -> key -> value (nested values are left out)."""
    import yaml

    out: Sections = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    for name, body in root.value:
        if isinstance(body, yaml.MappingNode):
            out[str(_scalar(name))] = {
                str(_scalar(k)): _scalar(v) for k, v in body.value if isinstance(v, yaml.ScalarNode)
            }
    return out


def tracker_settings(src: ConfigFile | None) -> TrackerSettings | None:
    """The tracker's kind and sections (None when the file is missing or not YAML we read)."""
    if src is None or src.yaml_root is None:
        return None
    sections = _sections(src.yaml_root)

    def num(section: str, key: str) -> float:
        value = sections.get(section, {}).get(key)
        return float(value) if isinstance(value, int | float) else 0.0

    if "VisualTracker" in sections and num("VisualTracker", "visualTrackerType") == 1:
        kind = "NvDCF"
    elif "ReID" in sections and num("ReID", "reidType") > 0:
        kind = "NvDeepSORT"
    elif "StateEstimator" in sections and num("StateEstimator", "stateEstimatorType") > 0:
        kind = "NvSORT"
    else:
        kind = "IOU"
    return TrackerSettings(kind, sections)
