"""The package version, recorded in every store this package creates or migrates."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cortexdb")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
