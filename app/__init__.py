"""XinDang 心档: the counseling-room archive."""

__version__ = "0.1.0"
APP_NAME = "XinDang"
