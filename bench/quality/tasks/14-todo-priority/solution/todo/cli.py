"""`todo add TITLE`, `todo list [--all]`, `todo done ID`, `todo rm ID`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from todo.store import PRIORITIES, Task, TodoError, TodoList, sort_by_priority

DEFAULT_PATH = Path.home() / ".todo.json"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="todo")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="add a task")
    add.add_argument("--priority", choices=PRIORITIES, default="normal")
    add.add_argument("title", nargs="+")
    lst = sub.add_parser("list", help="list tasks")
    lst.add_argument("--all", action="store_true", help="include finished tasks")
    lst.add_argument("--sort", choices=("id", "priority"), default="id")
    done = sub.add_parser("done", help="mark a task as finished")
    done.add_argument("id", type=int)
    rm = sub.add_parser("rm", help="delete a task")
    rm.add_argument("id", type=int)
    return parser


def format_task(task: Task) -> str:
    mark = "x" if task.done else " "
    suffix = f" ({task.priority})" if task.priority in ("high", "low") else ""
    return f"[{mark}] {task.id:>3}  {task.title}{suffix}"


def main(argv: list[str] | None = None, *, path: Path = DEFAULT_PATH) -> int:
    """Run one command; print results to stdout, errors to stderr; return the exit code."""
    args = build_parser().parse_args(argv)
    todos = TodoList.load(path)
    try:
        if args.command == "add":
            task = todos.add(" ".join(args.title), args.priority)
            print(f"added {task.id}")
        elif args.command == "list":
            tasks = todos.tasks if args.all else todos.pending()
            if args.sort == "priority":
                tasks = sort_by_priority(tasks)
            for task in tasks:
                print(format_task(task))
            return 0
        elif args.command == "done":
            todos.complete(args.id)
            print(f"finished {args.id}")
        elif args.command == "rm":
            todos.remove(args.id)
            print(f"removed {args.id}")
    except TodoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    todos.save(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
