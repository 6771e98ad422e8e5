"""Read and summarise application log files."""

from logscan.parser import LogRecord, level_number, parse_line, parse_lines

__all__ = ["LogRecord", "level_number", "parse_line", "parse_lines"]
