"""Find where a SEARCH block's lines sit in a file, tolerating what small models get wrong.

Tried in order: exact; ignoring trailing whitespace; ignoring a uniform indentation
difference (the replacement is re-indented by the same amount); the same three again
with the SEARCH's leading and trailing blank lines dropped. At each step a SEARCH that
matches several places is ambiguous, so an exact unique match always wins.
"""

from __future__ import annotations

import difflib
import heapq
import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["Match", "NoMatch", "find_match", "closest_region"]

_TOKEN = re.compile(r"\w+|[^\w\s]")
_CANDIDATES = 16  # windows scored with difflib after the token prefilter


@dataclass(frozen=True)
class Match:
    start: int  # 0-based index of the first matched line
    end: int  # exclusive
    replace: list[str]  # the replacement, re-indented when the match needed it
    how: str  # "exact" | "whitespace" | "indentation"


@dataclass(frozen=True)
class NoMatch:
    starts: list[int]  # 0-based starts of the places it matched; empty when none

    @property
    def ambiguous(self) -> bool:
        return len(self.starts) > 1


def _lead(s: str) -> str:
    return s[: len(s) - len(s.lstrip(" \t"))]


def _indent_shift(found: list[str], search: list[str]) -> tuple[str, str] | None:
    """("add"|"remove", prefix) turning search's indentation into found's, if uniform."""
    shift: tuple[str, str] | None = None
    for f, s in zip(found, search):
        f, s = f.rstrip(), s.rstrip()
        if not f and not s:
            continue
        if not f or not s or f.lstrip() != s.lstrip():
            return None
        fi, si = _lead(f), _lead(s)
        if len(fi) >= len(si) and fi.endswith(si):
            this = ("add", fi[: len(fi) - len(si)])
        elif si.endswith(fi):
            this = ("remove", si[: len(si) - len(fi)])
        else:
            return None
        if shift is None:
            shift = this
        elif this != shift:
            return None
    return shift


def _reindent(lines: list[str], shift: tuple[str, str]) -> list[str]:
    how, prefix = shift
    out = []
    for line in lines:
        if not line.strip():
            out.append(line)
        elif how == "add":
            out.append(prefix + line)
        elif line.startswith(prefix):
            out.append(line[len(prefix):])
        else:
            # Less indented than the SEARCH was: remove what leading whitespace there is.
            lead = _lead(line)
            out.append(line[min(len(lead), len(prefix)):])
    return out


def _starts(lines: list[str], search: list[str], *, same) -> list[int]:
    n = len(search)
    return [i for i in range(len(lines) - n + 1) if same(lines[i:i + n], search)]


def _try(lines: list[str], search: list[str], *, replace: list[str]) -> Match | NoMatch:
    n = len(search)
    exact = _starts(lines, search, same=lambda a, b: a == b)
    if len(exact) == 1:
        return Match(exact[0], exact[0] + n, replace, "exact")
    if exact:
        return NoMatch(exact)
    loose = _starts(lines, search,
                   same=lambda a, b: [x.rstrip() for x in a] == [y.rstrip() for y in b])
    if len(loose) == 1:
        return Match(loose[0], loose[0] + n, replace, "whitespace")
    if loose:
        return NoMatch(loose)
    shifted = [(i, s) for i in range(len(lines) - n + 1)
               if (s := _indent_shift(lines[i:i + n], search)) is not None]
    if len(shifted) == 1:
        i, shift = shifted[0]
        return Match(i, i + n, _reindent(replace, shift), "indentation")
    return NoMatch([i for i, _ in shifted])


def _trim_blank(search: list[str], replace: list[str]) -> tuple[list[str], list[str]]:
    # Drop the blank lines around SEARCH, and as many around REPLACE where it has them,
    # so a model's decorative blank line does not block the match or leak into the file.
    top = next((i for i, s in enumerate(search) if s.strip()), len(search))
    bottom = next((i for i, s in enumerate(reversed(search)) if s.strip()), 0)
    rtop = min(top, next((i for i, s in enumerate(replace) if s.strip()), len(replace)))
    rbottom = min(bottom, next((i for i, s in enumerate(reversed(replace)) if s.strip()), 0))
    return search[top:len(search) - bottom], replace[rtop:len(replace) - rbottom]


def find_match(lines: list[str], search: list[str], *, replace: list[str]) -> Match | NoMatch:
    """Where `search` (non-empty, lines without newlines) sits in `lines`."""
    result = _try(lines, search, replace=replace)
    if isinstance(result, Match) or result.ambiguous:
        return result
    trimmed, trimmed_replace = _trim_blank(search, replace)
    if trimmed and trimmed != search:
        return _try(lines, trimmed, replace=trimmed_replace)
    return result


def _tokens(line: str) -> list[str]:
    return _TOKEN.findall(line)


def closest_region(lines: list[str], search: list[str]) -> tuple[int, float] | None:
    """(0-based start, similarity 0..1) of the window of len(search) lines most like it.

    Scoring every window with difflib is too slow on big files, so windows are ranked by
    how many of the SEARCH's tokens they share (a sliding count), and only the best few
    are scored with difflib.
    """
    if not lines or not search:
        return None
    n = min(len(search), len(lines))
    want = Counter(t for line in search for t in _tokens(line))
    toks = [_tokens(line) for line in lines]
    have: Counter[str] = Counter()
    shared = 0
    ranked: list[tuple[int, int]] = []
    for i, line_tokens in enumerate(toks):
        for t in line_tokens:
            if have[t] < want[t]:
                shared += 1
            have[t] += 1
        if i >= n:
            for t in toks[i - n]:
                have[t] -= 1
                if have[t] < want[t]:
                    shared -= 1
        if i >= n - 1:
            ranked.append((shared, -(i - n + 1)))
    candidates = [-neg for _, neg in heapq.nlargest(_CANDIDATES, ranked)]
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2("\n".join(s.strip() for s in search))  # seq2 is the cached side
    best, best_ratio = candidates[0], -1.0
    for i in sorted(candidates):
        matcher.set_seq1("\n".join(s.strip() for s in lines[i:i + n]))
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = i, ratio
    return best, best_ratio
