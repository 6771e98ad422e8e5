"""Pack the most relevant files into what is left of the model's context window.

Counted in the model's own tokens. Whole files go in, best-ranked first; the first file
that does not fit whole may go in cut at a line boundary; everything else is listed as
left out, with the reason, so the user sees exactly what the model saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from desktop.errors import CodebaseError

_LANGS = {
    ".py": "python", ".js": "javascript", ".ts": "typescript", ".tsx": "tsx", ".jsx": "jsx",
    ".go": "go", ".rs": "rust", ".java": "java", ".kt": "kotlin", ".c": "c", ".h": "c",
    ".cpp": "cpp", ".hpp": "cpp", ".cs": "csharp", ".rb": "ruby", ".php": "php",
    ".sh": "bash", ".md": "markdown", ".toml": "toml", ".yaml": "yaml", ".yml": "yaml",
    ".json": "json", ".sql": "sql", ".html": "html", ".css": "css", ".swift": "swift",
}

# A cut file is only worth including if this much of it fits.
_MIN_CUT_TOKENS = 200


def fence_language(path: str) -> str:
    return _LANGS.get(PurePosixPath(path).suffix.lower(), "")


def render_file(path: str, text: str, *, note: str = "") -> str:
    fence = "````" if "```" in text else "```"
    body = text if text.endswith("\n") else text + "\n"
    suffix = f"  ({note})" if note else ""
    return f"{path}{suffix}\n{fence}{fence_language(path)}\n{body}{fence}\n"


@dataclass(frozen=True)
class PackedFile:
    path: str
    tokens: int
    text: str
    cut_at_line: int | None = None  # lines kept when the file was cut


@dataclass
class ContextPack:
    budget: int
    files: list[PackedFile] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def used(self) -> int:
        return sum(f.tokens for f in self.files)

    @property
    def cut(self) -> list[PackedFile]:
        return [f for f in self.files if f.cut_at_line is not None]

    def render(self) -> str:
        parts = []
        for f in self.files:
            note = f"first {f.cut_at_line} lines only" if f.cut_at_line is not None else ""
            parts.append(render_file(f.path, f.text, note=note))
        return "\n".join(parts)

    def omitted_note(self) -> str:
        if not self.left_out and not self.cut:
            return ""
        n = len(self.left_out)
        cut = ", ".join(f.path for f in self.cut)
        bits = []
        if n:
            bits.append(f"{n} other file{'s' if n != 1 else ''} of the codebase did not fit and are not shown")
        if cut:
            bits.append(f"shown only in part: {cut}")
        return "(" + "; ".join(bits) + ".)"

    def summary(self) -> str:
        lines = [f"Context: {len(self.files)} files, {self.used} of {self.budget} tokens"]
        lines += [f"  cut    {f.path} (first {f.cut_at_line} lines)" for f in self.cut]
        lines += [f"  left out {path}: {reason}" for path, reason in self.left_out[:20]]
        if len(self.left_out) > 20:
            lines.append(f"  ... and {len(self.left_out) - 20} more left out")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "budget": self.budget,
            "files": [{"path": f.path, "tokens": f.tokens, "cut_at_line": f.cut_at_line} for f in self.files],
            "left_out": [list(x) for x in self.left_out],
        }


def pack_context(
    *,
    ranked_paths: Iterable[str],
    read_text: Callable[[str], str],
    count_tokens: Callable[[str], int],
    budget: int,
    pinned: Iterable[str] = (),
    dropped: Iterable[str] = (),
    max_files: int = 60,
) -> ContextPack:
    """Fill `budget` tokens with files: pinned first, then by rank; `dropped` never go in."""
    dropped_set = set(dropped)
    pinned_list = [p for p in pinned if p not in dropped_set]
    order = pinned_list + [p for p in ranked_paths if p not in dropped_set and p not in pinned_list]
    pack = ContextPack(budget=budget)
    pack.left_out.extend((p, "dropped by you") for p in sorted(dropped_set))
    remaining = budget
    for index, path in enumerate(order):
        if len(pack.files) >= max_files:
            pack.left_out.extend((p, "beyond the file limit") for p in order[index:])
            break
        try:
            text = read_text(path)
        except CodebaseError as exc:
            pack.left_out.append((path, str(exc)))
            continue
        rendered_tokens = count_tokens(render_file(path, text))
        if rendered_tokens <= remaining:
            pack.files.append(PackedFile(path, rendered_tokens, text))
            remaining -= rendered_tokens
            continue
        if not pack.cut and remaining >= _MIN_CUT_TOKENS and (index == 0 or path in pinned_list):
            cut = _cut_to_fit(path, text, count_tokens=count_tokens, budget=remaining)
            if cut is not None:
                pack.files.append(cut)
                remaining -= cut.tokens
                continue
        pack.left_out.append((path, f"does not fit ({rendered_tokens} tokens, {remaining} left)"))
    return pack


def _cut_to_fit(path: str, text: str, *, count_tokens: Callable[[str], int], budget: int) -> PackedFile | None:
    lines = text.splitlines(keepends=True)
    lo, hi, best = 1, len(lines), None
    while lo <= hi:  # the most lines whose rendering fits
        mid = (lo + hi) // 2
        part = "".join(lines[:mid])
        n = count_tokens(render_file(path, part, note=f"first {mid} lines only"))
        if n <= budget:
            best, lo = PackedFile(path, n, part, cut_at_line=mid), mid + 1
        else:
            hi = mid - 1
    return best
