"""Kept for report.py, which still measures text here: the measures are layout's, the streamed sheets write/streamed.py's."""

from .layout import fitted_height, wrapped_lines  # noqa: F401
