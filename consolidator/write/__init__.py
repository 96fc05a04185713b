"""Everything after the consolidation exists: the workbook (a module per sheet) and the data table."""

from .kit import WorkbookWriteError, sheet_names, words
from .outputs import write_outputs
from .reminders import round_reminders, write_reminders
from .workbook import write_consolidated

__all__ = ["WorkbookWriteError", "sheet_names", "words", "write_consolidated", "write_outputs", "write_reminders",
           "round_reminders"]
