"""`python -m desktop` / `plansmith`: the GUI, or the CLI when given a subcommand."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        from desktop.cli import main as cli_main

        return cli_main(argv)
    from desktop.ui.app import main as gui_main  # PySide6 is imported only for the GUI

    return gui_main()


if __name__ == "__main__":
    raise SystemExit(main())
