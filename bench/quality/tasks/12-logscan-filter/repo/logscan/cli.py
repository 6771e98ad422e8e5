"""`python -m logscan.cli FILE` prints counts per level."""

from __future__ import annotations

import sys

from logscan.parser import count_by_level, parse_file


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: logscan FILE", file=sys.stderr)
        return 2
    for level, count in count_by_level(parse_file(args[0])).items():
        print(f"{level:<8} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
