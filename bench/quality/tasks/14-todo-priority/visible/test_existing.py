"""Existing behaviour of the to-do store and CLI (tests that pass before the planned change)."""

import json

import pytest

from todo.cli import build_parser, format_task, main
from todo.store import Task, TodoError, TodoList


def test_add_strips_title_and_numbers_tasks():
    todos = TodoList()
    a = todos.add("  Pay rent ")
    b = todos.add("Call mum")
    assert (a.id, a.title, a.done) == (1, "Pay rent", False)
    assert b.id == 2
    todos.remove(1)
    assert todos.add("Again").id == 3  # next id is max + 1


def test_add_rejects_empty_title():
    todos = TodoList()
    with pytest.raises(TodoError, match="title must not be empty"):
        todos.add("   ")
    assert todos.tasks == []


def test_complete_remove_pending_and_unknown_id():
    todos = TodoList()
    for title in ("a", "b", "c"):
        todos.add(title)
    todos.complete(2)
    assert [t.id for t in todos.pending()] == [1, 3]
    removed = todos.remove(3)
    assert removed.title == "c"
    assert [t.id for t in todos.tasks] == [1, 2]
    with pytest.raises(TodoError, match="no task with id 9"):
        todos.get(9)


def test_json_round_trip_and_old_files(tmp_path):
    todos = TodoList()
    todos.add("a")
    todos.add("b")
    todos.complete(1)
    path = tmp_path / "todo.json"
    todos.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert [(t["id"], t["title"], t["done"]) for t in data["tasks"]] == [(1, "a", True), (2, "b", False)]
    loaded = TodoList.load(path)
    assert [(t.id, t.title, t.done) for t in loaded.tasks] == [(1, "a", True), (2, "b", False)]
    old = TodoList.from_json('{"version": 1, "tasks": [{"id": 4, "title": "x"}]}')
    assert [(t.id, t.title, t.done) for t in old.tasks] == [(4, "x", False)]
    assert TodoList.load(tmp_path / "missing.json").tasks == []


def test_format_task():
    assert format_task(Task(1, "Pay rent")) == "[ ]   1  Pay rent"
    assert format_task(Task(12, "Done thing", True)) == "[x]  12  Done thing"


def test_parser_commands():
    args = build_parser().parse_args(["add", "Buy", "milk"])
    assert (args.command, args.title) == ("add", ["Buy", "milk"])
    assert build_parser().parse_args(["list", "--all"]).all is True
    assert build_parser().parse_args(["done", "3"]).id == 3
    with pytest.raises(SystemExit):
        build_parser().parse_args([])


def test_cli_add_list_done_rm(tmp_path, capsys):
    path = tmp_path / "todo.json"
    assert main(["add", "Buy", "milk"], path=path) == 0
    assert main(["add", "Walk"], path=path) == 0
    assert capsys.readouterr().out == "added 1\nadded 2\n"
    assert main(["done", "1"], path=path) == 0
    assert capsys.readouterr().out == "finished 1\n"
    assert main(["list"], path=path) == 0
    assert capsys.readouterr().out == "[ ]   2  Walk\n"
    assert main(["list", "--all"], path=path) == 0
    assert capsys.readouterr().out == "[x]   1  Buy milk\n[ ]   2  Walk\n"
    assert main(["rm", "2"], path=path) == 0
    assert capsys.readouterr().out == "removed 2\n"
    assert [t.id for t in TodoList.load(path).tasks] == [1]


def test_cli_errors_exit_1(tmp_path, capsys):
    path = tmp_path / "todo.json"
    assert main(["done", "5"], path=path) == 1
    captured = capsys.readouterr()
    assert captured.err == "error: no task with id 5\n"
    assert main(["add", " "], path=path) == 1
    assert "error: title must not be empty" in capsys.readouterr().err
    assert not path.exists()
