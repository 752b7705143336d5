"""FBM Desk: a desktop app for small warehouses running Amazon Merchant-Fulfilled orders."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fbm-desk")
except PackageNotFoundError:  # running from a source tree or a frozen bundle without metadata
    __version__ = "0.1.0"

APP_NAME = "FBM Desk"
APP_ID = "fbm-desk"
