"""信访接待台 (xinfang-desk): an offline desk program for petition reception offices."""

__version__ = "0.1.0"
APP_NAME = "xinfang-desk"
APP_TITLE = "信访接待台"
