"""Existing tests: behaviour the textutils helpers already have (unchanged by the plan)."""

import pytest

import textutils
from textutils import (
    camel_case,
    collapse_repeats,
    count_words,
    normalize_whitespace,
    snake_case,
    strip_accents,
    title_case,
    truncate,
    wrap,
)
from textutils.core import kebab_case, levenshtein, split_words


def test_package_exports_existing_helpers():
    expected = {
        "camel_case", "collapse_repeats", "count_words", "normalize_whitespace",
        "snake_case", "strip_accents", "title_case", "truncate", "wrap",
    }
    assert expected <= set(textutils.__all__)
    for name in expected:
        assert callable(getattr(textutils, name))


def test_strip_accents_and_normalize_whitespace():
    assert strip_accents("Crème brûlée") == "Creme brulee"
    assert strip_accents("Ünïcödé") == "Unicode"
    assert normalize_whitespace("  a \t b\n\nc  ") == "a b c"


def test_split_words_and_case_conversions():
    assert split_words("helloWorld_again-Now") == ["hello", "World", "again", "Now"]
    assert snake_case("Hello World") == "hello_world"
    assert snake_case("helloWorld") == "hello_world"
    assert kebab_case("Crème Brûlée") == "creme-brulee"
    assert camel_case("hello world") == "helloWorld"
    assert camel_case("hello world", upper_first=True) == "HelloWorld"
    assert camel_case("!!!") == ""


def test_title_case_keeps_small_words_lower():
    assert title_case("the lord of the rings") == "The Lord of the Rings"
    assert title_case("war and peace") == "War and Peace"


def test_truncate():
    assert truncate("hello", 10) == "hello"
    assert truncate("hello world", 8) == "hello..."
    assert truncate("hello", 2) == ".."
    with pytest.raises(ValueError):
        truncate("x", -1)


def test_collapse_repeats_and_count_words():
    assert collapse_repeats("a--b---c", "-") == "a-b-c"
    with pytest.raises(ValueError):
        collapse_repeats("abc", "--")
    assert count_words("don't stop, 2 go") == 4


def test_levenshtein():
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("", "abc") == 3


def test_wrap():
    assert wrap("the quick brown fox", 10) == ["the quick", "brown fox"]
    with pytest.raises(ValueError):
        wrap("x", 0)
