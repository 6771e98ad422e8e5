import pytest

import textutils
from textutils import core


def test_basic_and_accents():
    assert core.slugify("Crème Brûlée: 2 servings!") == "creme-brulee-2-servings"
    assert core.slugify("Ünïcödé") == "unicode"
    assert core.slugify("Top 10 Tips") == "top-10-tips"


def test_separator_and_trimming():
    assert core.slugify("  Hello,   World  ", sep="_") == "hello_world"
    assert core.slugify("--Already--slugged--") == "already-slugged"
    assert core.slugify("a.b/c", sep="+") == "a+b+c"


def test_max_length():
    assert core.slugify("Hello World", max_length=6) == "hello"
    assert core.slugify("Hello World", max_length=7) == "hello-w"
    assert core.slugify("Hello World", max_length=50) == "hello-world"
    with pytest.raises(ValueError, match="^max_length must be positive$"):
        core.slugify("x", max_length=0)


def test_empty_results():
    assert core.slugify("!!!") == ""
    assert core.slugify("") == ""


def test_keyword_only():
    with pytest.raises(TypeError):
        core.slugify("a b", "_")


def test_exported():
    from textutils import slugify

    assert slugify("A B") == "a-b"
    assert "slugify" in textutils.__all__


def test_existing_behaviour_unchanged():
    assert textutils.snake_case("helloWorld") == "hello_world"
    assert textutils.truncate("abcdefgh", 6) == "abc..."
    assert textutils.title_case("the lord of the rings") == "The Lord of the Rings"
    assert textutils.wrap("aa bb cc", 5) == ["aa bb", "cc"]
