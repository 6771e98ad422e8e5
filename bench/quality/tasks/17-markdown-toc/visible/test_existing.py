"""Existing behaviour of the Markdown heading and link helpers (tests that pass before the planned change)."""

from mdtools.headings import (
    Heading,
    check_levels,
    document_title,
    outline,
    parse_headings,
    section,
    shift_levels,
    slugify_heading,
    strip_inline,
    unique_slugs,
    word_counts,
)
from mdtools.links import anchors, find_links

DOC = """# Guide

Intro text here.

## The **fast** path

Some words.

```
# not a heading
```

Usage
-----

Run it.

#### Deep ##
"""


def test_parse_headings_atx_setext_and_fences():
    assert parse_headings(DOC) == [
        Heading(1, "Guide", 0),
        Heading(2, "The fast path", 4),
        Heading(2, "Usage", 12),
        Heading(4, "Deep", 17),
    ]
    assert parse_headings("Title\n=====\n\ntext") == [Heading(1, "Title", 0)]
    assert parse_headings("```\n## x\n```") == []


def test_strip_inline():
    assert strip_inline("Use `run()` with **care** and *style* [here](http://x)") == "Use run() with care and style here"


def test_slugify_heading():
    assert slugify_heading("Hello, World!") == "hello-world"
    assert slugify_heading("API v2.0") == "api-v20"
    assert slugify_heading("Café au lait") == "cafe-au-lait"
    assert slugify_heading("snake_case-name") == "snake_case-name"


def test_unique_slugs_numbers_repeats():
    assert unique_slugs(["Usage", "Intro", "Usage", "usage"]) == ["usage", "intro", "usage-1", "usage-2"]
    assert unique_slugs([]) == []


def test_outline_indents_two_spaces_per_level():
    assert outline(DOC) == ["Guide", "  The fast path", "  Usage", "      Deep"]


def test_shift_levels_clamps_and_keeps_fences():
    text = "# A\n```\n# code\n```\n###### B\n"
    assert shift_levels(text, 1) == "## A\n```\n# code\n```\n###### B\n"
    assert shift_levels("## A", -3) == "# A"


def test_section_and_title():
    assert section(DOC, "usage") == "Run it.\n\n#### Deep ##"  # deeper headings stay in
    assert section(DOC, "the fast path").startswith("Some words.")
    assert section(DOC, "GUIDE").startswith("Intro text here.")
    assert section(DOC, "missing") is None
    assert document_title(DOC) == "Guide"
    assert document_title("## only two") is None


def test_word_counts_and_check_levels():
    counts = word_counts("before\n# A\none two\n## B\nthree\n")
    assert counts == {"": 1, "A": 2, "B": 1}
    assert check_levels(DOC) == ["line 18: level 4 after level 2"]


def test_links():
    text = 'See [the guide](#guide) and [site](https://example.com "Home").'
    assert find_links(text) == [("the guide", "#guide"), ("site", "https://example.com")]
    assert anchors(text) == ["guide"]
