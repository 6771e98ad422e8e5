import json

import pytest

from todo import cli
from todo import store as S


def run(path, *argv):
    return cli.main(list(argv), path=path)


def test_store_add_and_sort():
    todos = S.TodoList()
    a = todos.add("a")
    b = todos.add("b", "low")
    c = todos.add("c", priority="high")
    d = todos.add("d", "high")
    assert S.PRIORITIES == ("low", "normal", "high")
    assert (a.priority, b.priority, c.priority) == ("normal", "low", "high")
    assert [t.title for t in S.sort_by_priority(todos.tasks)] == ["c", "d", "a", "b"]
    assert [t.title for t in todos.tasks] == ["a", "b", "c", "d"]


def test_invalid_priority():
    todos = S.TodoList()
    with pytest.raises(S.TodoError, match="^invalid priority: urgent$"):
        todos.add("x", "urgent")
    with pytest.raises(S.TodoError, match="^title must not be empty$"):
        todos.add("  ", "urgent")


def test_json_roundtrip_and_old_files():
    todos = S.TodoList()
    todos.add("x", "high")
    data = json.loads(todos.to_json())
    assert data["tasks"][0]["priority"] == "high"
    assert S.TodoList.from_json(todos.to_json()).tasks[0].priority == "high"
    old = '{"version": 1, "tasks": [{"id": 1, "title": "a", "done": false}]}'
    assert S.TodoList.from_json(old).tasks[0].priority == "normal"


def test_cli_add_and_list_sorted(tmp_path, capsys):
    path = tmp_path / "todo.json"
    assert run(path, "add", "Buy", "milk") == 0
    assert run(path, "add", "--priority", "low", "Water", "plants") == 0
    assert run(path, "add", "--priority", "high", "Pay", "rent") == 0
    capsys.readouterr()
    assert run(path, "list", "--sort", "priority") == 0
    assert capsys.readouterr().out.splitlines() == [
        "[ ]   3  Pay rent (high)",
        "[ ]   1  Buy milk",
        "[ ]   2  Water plants (low)",
    ]
    assert run(path, "list") == 0
    assert capsys.readouterr().out.splitlines() == [
        "[ ]   1  Buy milk",
        "[ ]   2  Water plants (low)",
        "[ ]   3  Pay rent (high)",
    ]


def test_cli_sort_with_all(tmp_path, capsys):
    path = tmp_path / "todo.json"
    run(path, "add", "a")
    run(path, "add", "--priority", "high", "b")
    run(path, "done", "2")
    capsys.readouterr()
    run(path, "list", "--all", "--sort", "priority")
    assert capsys.readouterr().out.splitlines() == ["[x]   2  b (high)", "[ ]   1  a"]
    run(path, "list", "--sort", "id")
    assert capsys.readouterr().out.splitlines() == ["[ ]   1  a"]


def test_cli_rejects_bad_priority(tmp_path):
    with pytest.raises(SystemExit) as exc:
        run(tmp_path / "t.json", "add", "--priority", "urgent", "x")
    assert exc.value.code == 2


def test_existing_behaviour_unchanged(tmp_path, capsys):
    path = tmp_path / "todo.json"
    assert run(path, "add", "one") == 0
    assert run(path, "done", "9") == 1
    assert "error: no task with id 9" in capsys.readouterr().err
    assert cli.format_task(S.Task(7, "seven")) == "[ ]   7  seven"
    assert cli.format_task(S.Task(8, "eight", True)) == "[x]   8  eight"
