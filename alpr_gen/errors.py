"""One error tree for the whole tool.

Library code raises these with text a user can act on; the single handler in `cli.main` prints
the message to stderr and exits with `exit_code`. Tracebacks appear only with `--debug`.
"""

from __future__ import annotations


class AlprGenError(Exception):
    """Root of every error alpr-gen reports to the user."""

    exit_code: int = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class ProfileError(AlprGenError, ValueError):
    """A site profile cannot be read, merged, interpolated or validated."""


class RenderError(AlprGenError):
    """The config set cannot be rendered or written."""


class ConfigSetError(AlprGenError):
    """A path holds no deepstream-app config set that can be read."""


class LintFailed(AlprGenError):
    """`validate` found errors (exit 1: the input was read fine, it is just wrong)."""

    exit_code = 1


class ExportError(AlprGenError):
    """A model cannot be exported."""


class BuildError(AlprGenError):
    """The custom parser library cannot be built."""


class LaunchError(AlprGenError):
    """deepstream-app cannot be launched, or preflight failed."""


class BrokerError(AlprGenError):
    """A message broker cannot be reached, logged in to or published to."""


class NvinferError(AlprGenError):
    """nvinfer's behaviour cannot be reproduced for these inputs (alpr_gen.nvinfer)."""


class InferConfigError(NvinferError):
    """An nvinfer config value nvinfer itself would reject; the message names the key."""


class PreviewError(AlprGenError):
    """The preview backend cannot run this config set (a model, parser, video or broker)."""


class Interrupted(BaseException):
    """SIGTERM or SIGHUP arrived while alpr-gen was working (Ctrl-C stays KeyboardInterrupt).

    A BaseException like KeyboardInterrupt: `except AlprGenError` / `except Exception` do not
    swallow it, `finally` blocks (staging clean-up) run, and the CLI exits 128 + the signal.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum
