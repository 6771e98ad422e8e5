"""Read and summarise application log files."""

from logscan.parser import LogRecord, filter_records, level_number, parse_line, parse_lines

__all__ = ["LogRecord", "filter_records", "level_number", "parse_line", "parse_lines"]
