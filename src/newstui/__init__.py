"""newstui: a fast, keyboard-driven terminal news reader."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newstui")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
