"""consolidator: run a round of indicator reporting across a tree of organisations in Excel."""

__version__ = "0.1.0"
