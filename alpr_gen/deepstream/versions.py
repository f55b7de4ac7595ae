"""DeepStream releases alpr-gen targets, and what changes between them.

One table: CUDA, TensorRT, ONNX opset and JetPack per release, plus the switches that depend on
the version. Everything that asks "which DeepStream" reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from alpr_gen.deepstream.facts import NVINFER_MIN_OBJECT_SIZE, NVINFER_MIN_OBJECT_SIZE_GPU

PLATFORMS = ("jetson", "dgpu")
# The Jetson modules a release runs on (JetPack 5/6: Orin; JetPack 7: Thor).
JETSONS = ("orin", "thor")


@dataclass(frozen=True)
class Release:
    version: str
    cuda: str
    tensorrt: str  # major.minor of the TensorRT it ships
    opset: int  # the ONNX opset export writes for it
    jetpack: str  # the JetPack it runs on (Jetson)
    jetsons: tuple[str, ...]  # the Jetson modules that JetPack supports
    # [streammux] key naming the new-mux config file (renamed in 8.0).
    mux_config_key: str = "config-file"
    # nvinfer's smallest object for a secondary GIE on a discrete GPU (MIN_INPUT_OBJECT_WIDTH /
    # _HEIGHT); Jetson keeps NVINFER_MIN_OBJECT_SIZE (see min_object_size).
    min_object_dgpu: int = NVINFER_MIN_OBJECT_SIZE_GPU

    @property
    def parser_abi(self) -> int:
        """The custom-parser layout nvinfer of this release expects (see `parser_abi_for`)."""
        return parser_abi_for(self.version)


# TensorRT 8.5/8.6 parse ONNX up to opset 17; TensorRT 10's parser reads newer opsets (19 is well
# inside what 10.3 documents). Nothing in these graphs needs more than 11 (NonMaxSuppression).
RELEASES: dict[str, Release] = {
    r.version: r
    for r in (
        # 6.3's gstnvinfer.cpp: MIN_INPUT_OBJECT_WIDTH/_HEIGHT 16 on every platform.
        Release(
            "6.3",
            cuda="12.1",
            tensorrt="8.5",
            opset=17,
            jetpack="5.1.2",
            jetsons=("orin",),
            min_object_dgpu=NVINFER_MIN_OBJECT_SIZE,
        ),
        # 7.0: no source seen; kept at the older floor (unverified, the safe side).
        Release(
            "7.0",
            cuda="12.2",
            tensorrt="8.6",
            opset=17,
            jetpack="6.0",
            jetsons=("orin",),
            min_object_dgpu=NVINFER_MIN_OBJECT_SIZE,
        ),
        # 7.1 on Orin prints "Setting min object dimensions as 16x16 instead of 1x1 to support VIC
        # compute mode" (deepstream-app logs): the 1 / Jetson-16 rule of 9.0's sources.
        Release("7.1", cuda="12.6", tensorrt="10.3", opset=19, jetpack="6.1", jetsons=("orin",)),
        # 8.0 on Orin fails with "Target GPU SM 87 is not supported": Thor only.
        Release(
            "8.0",
            cuda="12.8",
            tensorrt="10",
            opset=19,
            jetpack="7.0",
            jetsons=("thor",),
            mux_config_key="config-file-path",
        ),
        Release(
            "9.0",
            cuda="13.1",
            tensorrt="10.14",
            opset=19,
            jetpack="7.1",
            jetsons=("thor",),
            mux_config_key="config-file-path",
        ),
        Release(
            "9.1",
            cuda="13.2",
            tensorrt="10.16",
            opset=19,
            jetpack="7.2",
            jetsons=("thor",),
            mux_config_key="config-file-path",
        ),
        # 9.2's documentation lists Orin again; unverified, so only Thor is accepted here.
        Release(
            "9.2",
            cuda="13.2",
            tensorrt="10.16",
            opset=19,
            jetpack="7.2",
            jetsons=("thor",),
            mux_config_key="config-file-path",
        ),
    )
}
VERSIONS: tuple[str, ...] = tuple(RELEASES)
LATEST = VERSIONS[-1]
# What a set without a target is assumed to be for (reported by validate as DS001).
DEFAULT_TARGET = (LATEST, "dgpu")
DEFAULT_OPSET = 17
# ONNX NonMaxSuppression becomes TensorRT's INMSLayer; DeepStream 6.3's TensorRT 8.5.3 is not known
# to import it, so the end2end head needs at least this release.
END2END_MIN_VERSION = "7.0"
# network-mode=3 (BEST) exists from this release.
NETWORK_MODE_BEST_SINCE = "8.0"


def min_object_size(version: str, platform: str) -> int:
    """The smallest object (width and height, pixels) nvinfer of DeepStream `version` sends to
    a secondary GIE on `platform` ("dgpu", "jetson", "jetson-orin", ...), whatever the config's
    input-object-min-width/-height: 16 on Jetson (gstnvinfer.cpp raises it to 16 there with
    scaling-compute-hw 0 or 2, which alpr-gen renders, the VIC's smallest surface), the
    release's MIN_INPUT_OBJECT_WIDTH on a discrete GPU; 16 for a release not in the table."""
    release = RELEASES.get(version)
    if release is None or split_platform(platform)[0] == "jetson":
        return NVINFER_MIN_OBJECT_SIZE
    return release.min_object_dgpu


def split_platform(platform: str) -> tuple[str, str | None]:
    """`jetson-thor` -> ("jetson", "thor"); `dgpu` -> ("dgpu", None)."""
    family, _, module = platform.partition("-")
    return family, (module or None)


def known_platform(platform: str) -> bool:
    family, module = split_platform(platform)
    return family in PLATFORMS and (module is None or (family == "jetson" and module in JETSONS))


# nvinfer's custom-parser ABI, by the first release of each layout (nvdsinfer.h): 6 from 6.3,
# 9 from 9.0, where NvDsInferObjectDetectionInfo gained `float rotation_angle` after
# detectionConfidence (24 -> 28 bytes; checked in DeepStream 9's includes/nvdsinfer.h). A parser
# built for one layout and loaded by the other corrupts memory. custom_parsers/ selects the
# layout with -DALPR_DS_ABI=<value>.
PARSER_ABIS: tuple[tuple[str, int], ...] = (("6.3", 6), ("9.0", 9))
# Releases from this one on may have changed the layout again: unknown, so refused.
PARSER_ABI_UNKNOWN_FROM = "10.0"


def parser_abi_for(version: str) -> int:
    """The parser ABI of DeepStream `version` ("9.1" -> 9); ValueError if unknown."""
    try:
        key = version_key(version)
    except ValueError:
        key = ()
    if len(key) < 2:
        raise ValueError(f"{version!r} is not a DeepStream version (X.Y)")
    first = version_key(PARSER_ABIS[0][0])
    if key < first or key >= version_key(PARSER_ABI_UNKNOWN_FROM):
        known = f"{PARSER_ABIS[0][0]} up to (not including) {PARSER_ABI_UNKNOWN_FROM}"
        raise ValueError(f"DeepStream {version}: parser ABI unknown (alpr-gen knows {known})")
    return next(abi for since, abi in reversed(PARSER_ABIS) if key >= version_key(since))


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def at_least(version: str, minimum: str) -> bool:
    return version_key(version) >= version_key(minimum)


def opset_for(version: str | None) -> int:
    release = RELEASES.get(version or "")
    return release.opset if release else DEFAULT_OPSET


def tensorrt_for(version: str) -> str:
    return RELEASES[version].tensorrt


def versions_for_jetson(jetson: str) -> tuple[str, ...]:
    """The releases that run on a Jetson module (orin, thor)."""
    return tuple(v for v, r in RELEASES.items() if jetson in r.jetsons)


def jetson_problem(version: str, jetson: str) -> str | None:
    """Why `version` cannot run on `jetson`, naming what can; None when it can."""
    release = RELEASES.get(version)
    if release is None or jetson in release.jetsons:
        return None
    works = ", ".join(versions_for_jetson(jetson)) or "none"
    needs = " or ".join(f"Jetson {j.capitalize()}" for j in release.jetsons)
    return (
        f"DeepStream {version} (JetPack {release.jetpack}) runs on {needs} only; on Jetson "
        f"{jetson.capitalize()} use DeepStream {works}"
    )
