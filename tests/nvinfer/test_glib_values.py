"""alpr_gen.deepstream.glib_values against GLib itself (libglib-2.0 through ctypes): the same
value gives the same result, or an error in both, for every typed getter nvinfer uses."""

from __future__ import annotations

import ctypes
import ctypes.util
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alpr_gen.deepstream import glib_values as gv

_NAME = ctypes.util.find_library("glib-2.0")
if _NAME is None:  # pragma: no cover - libglib2.0-0 comes with every Debian/Ubuntu
    pytest.skip("libglib-2.0 not found", allow_module_level=True)
glib = ctypes.CDLL(_NAME)
vp, cp = ctypes.c_void_p, ctypes.c_char_p
glib.g_key_file_new.restype = vp
glib.g_key_file_load_from_data.argtypes = [vp, cp, ctypes.c_size_t, ctypes.c_int, vp]
glib.g_key_file_free.argtypes = [vp]
glib.g_error_free.argtypes = [vp]
glib.g_free.argtypes = [vp]
glib.g_strfreev.argtypes = [vp]
for fn, res in (("integer", ctypes.c_int), ("double", ctypes.c_double), ("boolean", ctypes.c_int),
                ("string", vp)):  # fmt: skip
    getattr(glib, f"g_key_file_get_{fn}").restype = res
    getattr(glib, f"g_key_file_get_{fn}").argtypes = [vp, cp, cp, vp]
for fn, res in (("integer_list", ctypes.POINTER(ctypes.c_int)),
                ("double_list", ctypes.POINTER(ctypes.c_double)),
                ("string_list", ctypes.POINTER(cp))):  # fmt: skip
    getattr(glib, f"g_key_file_get_{fn}").restype = res
    getattr(glib, f"g_key_file_get_{fn}").argtypes = [
        vp,
        cp,
        cp,
        ctypes.POINTER(ctypes.c_size_t),
        vp,
    ]


def glib_get(kind: str, value: str) -> object:
    """GLib's reading of `k=<value>`; the string "ERROR" when GLib reports an error."""
    kf = glib.g_key_file_new()
    data = f"[g]\nk={value}\n".encode()
    assert glib.g_key_file_load_from_data(kf, data, len(data), 0, None)
    err = vp()
    try:
        if kind.endswith("_list"):
            n = ctypes.c_size_t()
            res = getattr(glib, f"g_key_file_get_{kind}")(kf, b"g", b"k", ctypes.byref(n),
                                                          ctypes.byref(err))  # fmt: skip
            if err.value:
                return "ERROR"
            items = [res[i] for i in range(n.value)]
            if kind == "string_list":
                items = [i.decode() for i in items]
                glib.g_strfreev(ctypes.cast(res, vp))
            else:
                glib.g_free(ctypes.cast(res, vp))
            return items
        res = getattr(glib, f"g_key_file_get_{kind}")(kf, b"g", b"k", ctypes.byref(err))
        if err.value:
            return "ERROR"
        if kind == "string":
            text = ctypes.cast(res, cp).value.decode()
            glib.g_free(res)
            return text
        return bool(res) if kind == "boolean" else res
    finally:
        if err.value:
            glib.g_error_free(err)
        glib.g_key_file_free(kf)


PARSERS = {
    "integer": gv.parse_integer,
    "double": gv.parse_double,
    "boolean": gv.parse_boolean,
    "string": gv.parse_string,
    "integer_list": gv.parse_integer_list,
    "double_list": gv.parse_double_list,
    "string_list": gv.parse_string_list,
}


def ours(kind: str, value: str) -> object:
    try:
        return PARSERS[kind](value)
    except gv.GLibValueError:
        return "ERROR"


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


CASES = [
    "0", "42", "-7", "+3", "12 abc", "12abc", "-", "+", "", "2147483647", "2147483648", "-2147483649",
    "1.5", "1e3", "1e", ".5", "5.", "-0", "0x1p-3", "0X1.8P1", "inf", "-Infinity", "nan",
    "nan(123)", "1.5 ", "1,5", "1_000", "true", "false", "1", "true x", "True", "yes", "0 ",
    r"a\sb", r"a\nb", r"a\;b", r"a\q", "a\\", "a;b;", "a;;b", ";", "1; 2", "1 ;2", "0.5;0.25;",
    "0.00392156862745098", "1;x", r"\\",
]  # fmt: skip


@pytest.mark.parametrize("kind", sorted(PARSERS))
@pytest.mark.parametrize("value", CASES)
def test_known_values_read_as_glib_reads_them(kind: str, value: str) -> None:
    assert same(ours(kind, value), glib_get(kind, value)), (kind, value)


VALUE = st.text(alphabet="0123456789+-.eExXpPinfaINFtrulsy ;\\\t,_()q", max_size=14).filter(
    lambda v: not v[:1].isspace()  # GLib drops the whitespace after '='
)


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(sorted(PARSERS)), value=VALUE)
def test_random_values_read_as_glib_reads_them(kind: str, value: str) -> None:
    assert same(ours(kind, value), glib_get(kind, value)), (kind, value)
