"""Render a site: profile -> plan -> {relative path: text}.

Templates only format what the plan holds (StrictUndefined: a missing value is an error, never
an empty string). Writing to disk is `writer.py`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import jinja2

from alpr_gen.deepstream import facts
from alpr_gen.deepstream import layout as L
from alpr_gen.fsutil import sha256_bytes
from alpr_gen.ini_format import FILTERS
from alpr_gen.plan import Plan, build_plan
from alpr_gen.profile.model import SiteProfile
from alpr_gen.resources import data_dir


@dataclass(frozen=True)
class RenderedSet:
    plan: Plan
    files: dict[str, str]  # relative path -> text, manifest included
    private: frozenset[str]  # files holding credentials: written with mode 0600


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    env.globals.update(
        tracker_lib=str(facts.TRACKER_LIB),
        bbox_parser=facts.BBOX_PARSER,
        ocr_parser=facts.OCR_PARSER,
        net_scale_1_255=facts.NET_SCALE_1_255,
        files=L,
    )
    return env


def _render(template: str, plan: Plan) -> str:
    return _environment().get_template(template).render(plan=plan)


def render_set(profile: SiteProfile) -> RenderedSet:
    plan = build_plan(profile)
    files: dict[str, str] = {
        L.APP_CONFIG: _render("deepstream_app.txt.j2", plan),
        L.PGIE_CONFIG: _render("pgie_yolo11.txt.j2", plan),
        L.LABELS: "".join(f"{label}\n" for label in plan.pgie.labels),
        L.TRACKER_CONFIG: _render("tracker.yml.j2", plan),
        L.MSGCONV_CONFIG: _render("msgconv.txt.j2", plan),
    }
    if plan.ocr:
        files[L.OCR_CONFIG] = _render("sgie_ocr.txt.j2", plan)
        files[L.OCR_PARSER_CONFIG] = _render("ocr_parser.cfg.j2", plan)
    if plan.analytics:
        files[L.ANALYTICS_CONFIG] = _render("analytics.txt.j2", plan)
    if plan.broker:
        files[L.BROKER_CONFIG] = _render("broker.txt.j2", plan)
    if plan.mux.new_mux:
        files[L.MUX_CONFIG] = _render("streammux.txt.j2", plan)
    private = set()
    if plan.broker and plan.broker.has_secret:
        private.add(L.BROKER_CONFIG)
    if any(s.has_credentials for s in plan.sources):
        private.add(L.APP_CONFIG)
    files[L.MANIFEST] = manifest_text(plan, files, private)
    return RenderedSet(plan, dict(sorted(files.items())), frozenset(private))


def render_site(profile: SiteProfile) -> dict[str, str]:
    """{relative path: text} of the whole config set."""
    return render_set(profile).files


def manifest_text(plan: Plan, files: dict[str, str], private: set[str]) -> str:
    """The manifest: every file's SHA-256, except the files holding credentials (`private`):
    the digest of a file with a weak password would let anyone who reads the manifest guess it."""
    return L.manifest_text(
        version=plan.version,
        site=plan.site,
        deepstream=plan.deepstream,
        platform=plan.platform,
        jetson=plan.jetson,
        files={
            name: L.PRIVATE if name in private else sha256_bytes(text.encode())
            for name, text in files.items()
        },
    )
