"""From a site profile to every value the configs need: `build_plan(profile) -> Plan`.

Pure: no I/O, no globals. This is where the values users get wrong are derived, each with the
reason next to it (build.py, outputs.py); templates only format what the plan holds (model.py).
"""

from alpr_gen.plan.build import build_plan
from alpr_gen.plan.model import (
    AnalyticsPlan,
    AnalyticsStream,
    BrokerPlan,
    ClassAttrs,
    LinePlan,
    MuxPlan,
    OcrPlan,
    PgiePlan,
    Plan,
    SensorPlan,
    SinkPlan,
    SourcePlan,
    TrackerPlan,
    ZonePlan,
)

__all__ = [
    "AnalyticsPlan",
    "AnalyticsStream",
    "BrokerPlan",
    "ClassAttrs",
    "LinePlan",
    "MuxPlan",
    "OcrPlan",
    "PgiePlan",
    "Plan",
    "SensorPlan",
    "SinkPlan",
    "SourcePlan",
    "TrackerPlan",
    "ZonePlan",
    "build_plan",
]
