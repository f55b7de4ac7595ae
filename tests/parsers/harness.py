"""Re-export of alpr_gen.testing.parser_harness (API documented there) for tests/parsers."""

from alpr_gen.testing.parser_harness import (  # noqa: F401
    Attribute,
    BboxResult,
    Layer,
    ParserHarness,
    build_harness,
    build_library,
    have_fuzz_compiler,
    parsers_source_dir,
)
