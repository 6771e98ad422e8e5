"""read_plan: encodings, refusals with useful messages, and splitting into sections."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

import desktop.core.plan as plan_module
from desktop.core.plan import classify_heading, plan_from_text, read_plan
from desktop.errors import PlanError

TEXT = "# Export café data\n\nNaïve “quotes” — and €5 fees.\n"


def _write(tmp_path: Path, data: bytes, name: str = "plan.md") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, encoding",
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),  # Notepad-style without a BOM
        (TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-no-bom", "cp1252"],
)
def test_encodings_decode_to_the_same_text(tmp_path: Path, data: bytes, encoding: str) -> None:
    plan = read_plan(_write(tmp_path, data))
    assert plan.text == TEXT
    assert plan.encoding == encoding
    assert plan.sha256 == hashlib.sha256(data).hexdigest()
    assert plan.title == "Export café data"


def test_newlines_are_normalised(tmp_path: Path) -> None:
    plan = read_plan(_write(tmp_path, b"# T\r\n\r\nline one\r\nline two\rline three\n", "p.txt"))
    assert plan.text == "# T\n\nline one\nline two\nline three\n"


@pytest.mark.parametrize("suffix", [".md", ".MD", ".markdown", ".txt"])
def test_accepted_suffixes(tmp_path: Path, suffix: str) -> None:
    assert read_plan(_write(tmp_path, b"Do the thing.\n", "plan" + suffix)).text == "Do the thing.\n"


def test_title_falls_back_to_file_stem(tmp_path: Path) -> None:
    plan = read_plan(_write(tmp_path, b"Just a paragraph, no headings.\n", "csv-export.md"))
    assert plan.sections == ()
    assert plan.title == "csv-export"


# --- refusals -----------------------------------------------------------------------------


def _refused(path: Path, **kw) -> str:
    with pytest.raises(PlanError) as exc:
        read_plan(path, **kw)
    return str(exc.value)


def test_missing_file(tmp_path: Path) -> None:
    msg = _refused(tmp_path / "nope.md")
    assert "not found" in msg and "nope.md" in msg


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "plans.md").mkdir()
    assert "folder" in _refused(tmp_path / "plans.md")


@pytest.mark.parametrize("name", ["plan.docx", "plan.pdf", "plan.py", "PLAN"])
def test_other_extensions_suggest_md_or_txt(tmp_path: Path, name: str) -> None:
    msg = _refused(_write(tmp_path, b"# Plan\n", name))
    assert ".md" in msg and ".txt" in msg


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf", b"\xff\xfe" + " \n".encode("utf-16-le")])
def test_empty_or_blank(tmp_path: Path, data: bytes) -> None:
    msg = _refused(_write(tmp_path, data))
    assert "empty" in msg or "blank" in msg


def test_png_renamed_to_md(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    msg = _refused(_write(tmp_path, png))
    assert "PNG" in msg and "not text" in msg


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    data = b"# Plan\n" + bytes([0, 1, 2, 3, 0, 0, 7, 0, 9]) * 50
    assert "NUL" in _refused(_write(tmp_path, data))


def test_mostly_control_characters(tmp_path: Path) -> None:
    data = bytes([1, 2, 3, 4, 5, 6, 14, 15, 16, 17]) * 100 + b"some words"
    assert "control characters" in _refused(_write(tmp_path, data))


def test_undecodable(tmp_path: Path) -> None:
    # 0x81 and 0x8D are neither UTF-8 nor defined in cp1252.
    msg = _refused(_write(tmp_path, b"# Plan\nprice \x81\x8d\x90 total\n"))
    assert "cannot be decoded" in msg and "UTF-8" in msg


def test_over_the_cap_names_size_cap_and_setting(tmp_path: Path) -> None:
    p = _write(tmp_path, b"x" * 2_000)
    msg = _refused(p, max_bytes=1_000)
    assert "2,000 bytes" in msg and "1,000 bytes" in msg and "plan_max_bytes" in msg
    assert read_plan(p, max_bytes=2_000).text == "x" * 2_000  # exactly at the cap is fine


def test_huge_file_is_refused_without_reading_it(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "huge.md"
    with open(p, "wb") as f:  # sparse: 3 GB on paper, nothing on disk
        f.truncate(3_000_000_000)

    def no_open(*a, **k):
        raise AssertionError("read_plan opened a file it should have refused from stat")

    monkeypatch.setattr(plan_module, "open", no_open, raising=False)
    start = time.perf_counter()
    msg = _refused(p)
    assert time.perf_counter() - start < 0.5
    assert "3,000.0 MB" in msg and "plan_max_bytes" in msg


def test_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert "not a regular file" in _refused(fifo)  # and it did not block opening the FIFO


def test_plan_from_text_refuses_blank() -> None:
    with pytest.raises(PlanError, match="empty"):
        plan_from_text(" \n\n ")


# --- sections ----------------------------------------------------------------------------

SEED_PLAN = """\
# Feature: CSV export

Let analysts export reports.

## Components to reuse
- `write_rows` in the exporter

## User stories
As an analyst I want CSV.

### Notes on stories
More detail that still belongs to the stories.

Technical requirements
----------------------
- Must stream rows.

**Edge cases**
- An empty report gives a header only.

```python
# Steps: this comment is code, not a heading
def f(): ...
```

## Implementation steps
1. Add the option.
2. Write the rows.

## Background
Why we do this.
"""


def test_sections_by_heading_kind() -> None:
    plan = plan_from_text(SEED_PLAN)
    assert plan.title == "Feature: CSV export"
    got = [(s.kind, s.title) for s in plan.sections]
    assert got == [
        ("other", "Feature: CSV export"),
        ("components", "Components to reuse"),
        ("user_stories", "User stories"),
        ("user_stories", "Notes on stories"),
        ("requirements", "Technical requirements"),
        ("edge_cases", "Edge cases"),
        ("steps", "Implementation steps"),
        ("other", "Background"),
    ]
    assert plan.section_text("components") == "- `write_rows` in the exporter"
    assert plan.section_text("user_stories") == (
        "As an analyst I want CSV.\n\nMore detail that still belongs to the stories."
    )
    edge = plan.section_text("edge_cases")
    assert "# Steps: this comment is code" in edge  # the fenced block stays in its section
    assert plan.section_text("steps") == "1. Add the option.\n2. Write the rows."


def test_plain_text_labels() -> None:
    text = "CSV export\n\nUser stories:\n- as a user...\n\nREQUIREMENTS\n- fast\n\nNote: not a heading line.\n"
    plan = plan_from_text(text)
    assert [(s.kind, s.title) for s in plan.sections] == [
        ("other", ""),
        ("user_stories", "User stories"),
        ("requirements", "REQUIREMENTS"),
    ]
    assert plan.sections[0].text == "CSV export"
    assert "Note: not a heading line." in plan.section_text("requirements")


def test_no_heading_means_no_sections() -> None:
    plan = plan_from_text("Add a CSV button.\nIt writes the table.\n")
    assert plan.sections == ()
    assert plan.section_text("steps") == ""
    assert plan.title == "Untitled plan"
    with pytest.raises(ValueError):
        plan.section_text("stories")


@pytest.mark.parametrize(
    "title, kind",
    [
        ("Components to reuse", "components"),
        ("Reusable components", "components"),
        ("Existing code", "components"),
        ("User stories", "user_stories"),
        ("Requirements", "requirements"),
        ("Technical requirements", "requirements"),
        ("Acceptance criteria", "requirements"),
        ("Edge cases", "edge_cases"),
        ("Steps", "steps"),
        ("Implementation steps", "steps"),
        ("Development steps", "steps"),
        ("Tasks", "steps"),
        ("Plan", "steps"),
        ("3. Steps", "steps"),
        ("**Edge Cases:**", "edge_cases"),
        ("Background", "other"),
        ("Out of scope", "other"),
    ],
)
def test_classify_heading(title: str, kind: str) -> None:
    assert classify_heading(title) == kind
