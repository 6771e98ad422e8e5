import pytest

from mdtools import headings as H

DOC = """# Project

Intro text.

## Install

```bash
# not a heading
pip install thing
```

## Usage

### The **fast** path

#### Deep detail

Other Section
-------------

## Usage
"""


def test_default_levels():
    assert H.build_toc(DOC) == "\n".join([
        "- [Project](#project)",
        "  - [Install](#install)",
        "  - [Usage](#usage)",
        "    - [The fast path](#the-fast-path)",
        "  - [Other Section](#other-section)",
        "  - [Usage](#usage-1)",
    ])


def test_min_level_and_bullet():
    assert H.build_toc(DOC, min_level=2, max_level=4, bullet="*") == "\n".join([
        "* [Install](#install)",
        "* [Usage](#usage)",
        "  * [The fast path](#the-fast-path)",
        "    * [Deep detail](#deep-detail)",
        "* [Other Section](#other-section)",
        "* [Usage](#usage-1)",
    ])


def test_duplicate_numbering_counts_filtered_headings():
    doc = "# Usage\n\n## Usage\n\n## Usage\n"
    assert H.build_toc(doc, min_level=2) == "- [Usage](#usage-1)\n- [Usage](#usage-2)"


def test_no_headings():
    assert H.build_toc("just text\n") == ""
    assert H.build_toc("#### deep only\n", max_level=3) == ""


def test_invalid_ranges():
    for kwargs in ({"min_level": 0}, {"max_level": 7}, {"min_level": 3, "max_level": 2}):
        with pytest.raises(ValueError, match="^invalid level range$"):
            H.build_toc(DOC, **kwargs)


def test_existing_behaviour_unchanged():
    hs = H.parse_headings(DOC)
    assert [(h.level, h.text) for h in hs][:3] == [(1, "Project"), (2, "Install"), (2, "Usage")]
    assert H.unique_slugs(["A b", "A b"]) == ["a-b", "a-b-1"]
    assert H.slugify_heading("API v2.0") == "api-v20"
    assert H.section(DOC, "install").startswith("```bash")
