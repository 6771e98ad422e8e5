"""Tasks and their JSON storage."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


class TodoError(Exception):
    """A user-facing error (unknown id, empty title, ...)."""


@dataclass
class Task:
    id: int
    title: str
    done: bool = False


class TodoList:
    def __init__(self, tasks: list[Task] | None = None):
        self.tasks: list[Task] = list(tasks or [])

    def _next_id(self) -> int:
        return max((t.id for t in self.tasks), default=0) + 1

    def add(self, title: str) -> Task:
        title = title.strip()
        if not title:
            raise TodoError("title must not be empty")
        task = Task(self._next_id(), title)
        self.tasks.append(task)
        return task

    def get(self, task_id: int) -> Task:
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise TodoError(f"no task with id {task_id}")

    def complete(self, task_id: int) -> Task:
        task = self.get(task_id)
        task.done = True
        return task

    def remove(self, task_id: int) -> Task:
        task = self.get(task_id)
        self.tasks.remove(task)
        return task

    def pending(self) -> list[Task]:
        return [t for t in self.tasks if not t.done]

    # -- persistence ----------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps({"version": 1, "tasks": [asdict(t) for t in self.tasks]}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "TodoList":
        data = json.loads(text)
        return cls([Task(int(t["id"]), t["title"], bool(t.get("done", False))) for t in data["tasks"]])

    @classmethod
    def load(cls, path: Path) -> "TodoList":
        if not path.exists():
            return cls()
        return cls.from_json(path.read_text(encoding="utf-8"))

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)
