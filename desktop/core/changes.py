"""ChangeSet: a Phase 2 answer as per-file changes the user reviews, exports or applies.

Parsing lives in edit_parser, matching in edit_match, one file's change in change_file,
writing and undo in apply. This module ties them together and renders reports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from desktop.core.change_builder import build_changes
from desktop.core.change_file import FileChange, Hunk
from desktop.core.change_record import pack_change, unpack_change
from desktop.core.edit_parser import EditBlock, ParseProblem, WholeFile, parse_answer

__all__ = ["ChangeSet", "FileChange", "Hunk", "EditBlock", "WholeFile", "ParseProblem",
           "parse_answer"]

RECORD_VERSION = 2  # 2: a large file's original stays on disk (change_record.py)
_FROM_APPLY = ("ApplyRecord", "apply_changes", "undo_last_apply", "export_patch", "dirty_git_files")


def __getattr__(name: str):
    # apply.py imports this module, so its functions are re-exported here lazily: callers
    # may import the whole changes API from one place without an import cycle.
    if name in _FROM_APPLY:
        from desktop.core import apply

        return getattr(apply, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.split("\n"))


@dataclass
class ChangeSet:
    root: Path
    changes: list[FileChange] = field(default_factory=list)
    parse_problems: list[ParseProblem] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)  # CheckResult.to_dict() of the checks run on it

    @classmethod
    def from_answer(cls, answer: str, *, root: Path) -> "ChangeSet":
        """Parse the answer and check every edit against the files under root (reads only)."""
        items, problems = parse_answer(answer)
        return cls(Path(root), build_changes(items, root=Path(root)), problems)

    def accepted(self) -> list[FileChange]:
        return [c for c in self.changes if c.accepted and c.kind != "rejected"]

    def get(self, path: str) -> FileChange | None:
        return next((c for c in self.changes if c.path == path), None)

    def summary(self) -> str:
        """One line per file, e.g. "modify src/x.py (+3 -1)" or "rejected y.py: reason"."""
        lines = []
        for c in self.changes:
            if c.kind == "rejected":
                more = f" (and {len(c.problems) - 1} more)" if len(c.problems) > 1 else ""
                lines.append(f"rejected {c.path}: {_first_line(c.problems[0])}{more}")
                continue
            added, removed = c.counts()
            line = (f"new  {c.path} (+{added})" if c.kind == "new"
                    else f"{c.kind} {c.path} (+{added} -{removed})")
            notes = []
            if c.problems:
                notes.append(f"{len(c.problems)} edit{'s' if len(c.problems) > 1 else ''} failed")
            notes += [f"warning: {_first_line(w)}" for w in c.warnings]
            if not c.accepted:
                notes.append(f"not accepted: {c.flag}" if c.flag else "not accepted")
            lines.append(line + (f" [{'; '.join(notes)}]" if notes else ""))
        if self.parse_problems:
            n = len(self.parse_problems)
            lines.append(f"unreadable: {n} part{'s' if n > 1 else ''} of the answer could not be "
                         "read as edits")
        return "\n".join(lines)

    def problems_report(self, *, skip: frozenset[str] | set[str] = frozenset()) -> str:
        """Every failure quoted concretely, for a repair prompt; "" when all is clean. The
        changes of the paths in `skip` (ones the review will leave unticked) are not judged."""
        entries = [f"Answer line {p.answer_line}: {p.message}\n{_indent(p.excerpt)}"
                   for p in self.parse_problems]
        for c in self.changes:
            if c.path in skip:
                continue
            entries += [f"{c.path}: {p}" for p in c.problems]
            # A change that leaves its file as it was harms nothing: not worth a repair turn.
            entries += [f"{c.path}: {w}" for w in c.warnings if not w.startswith("no change")]
        if not entries:
            return ""
        numbered = [f"{n}. {entry}" for n, entry in enumerate(entries, 1)]
        return ("These edits could not be used as written; the edits not listed here were "
                "understood.\n\n" + "\n\n".join(numbered) + "\n")

    def unified_diff(self, *, only_accepted: bool = True, on_disk: bool = False) -> str:
        """All files' diffs; only_accepted keeps accepted files and their accepted hunks."""
        chosen = self.accepted() if only_accepted else self.changes
        return "".join(c.diff(only_accepted=only_accepted, on_disk=on_disk) for c in chosen)

    def to_dict(self) -> dict:
        """JSON-ready, for run records."""
        return {
            "version": RECORD_VERSION,
            "root": str(self.root),
            "changes": [pack_change(c.to_dict()) for c in self.changes],
            "parse_problems": [asdict(p) for p in self.parse_problems],
            "checks": self.checks,
        }

    @classmethod
    def from_dict(cls, d: dict, *, root: Path) -> "ChangeSet":
        if d.get("version") not in (1, RECORD_VERSION):
            raise ValueError(f"unsupported change set record version {d.get('version')!r}")
        return cls(
            Path(root),
            [FileChange.from_dict(unpack_change(c, root=Path(root))) for c in d.get("changes", [])],
            [ParseProblem(**p) for p in d.get("parse_problems", [])],
            list(d.get("checks") or []),
        )
