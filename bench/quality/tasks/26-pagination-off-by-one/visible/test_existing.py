"""Existing behaviour's tests for pagination and the views that render pages."""

import pytest

from webkit.pagination import Page, PageError, page_count, paginate
from webkit.views import nav_links, page_footer


def test_page_count_when_total_is_not_a_multiple():
    assert page_count(0, 10) == 1
    assert page_count(1, 10) == 1
    assert page_count(11, 10) == 2
    assert page_count(25, 10) == 3
    assert page_count(7, 3) == 3


def test_paginate_middle_page():
    page = paginate(list(range(25)), 2, 10)
    assert page.items == list(range(10, 20))
    assert (page.number, page.per_page, page.total, page.pages) == (2, 10, 25, 3)
    assert page.has_prev and page.has_next
    assert (page.first_index, page.last_index) == (11, 20)


def test_paginate_last_partial_page():
    page = paginate(list("abcdefg"), 3, 3)
    assert page.items == ["g"]
    assert page.pages == 3
    assert page.has_prev and not page.has_next
    assert (page.first_index, page.last_index) == (7, 7)


def test_paginate_default_arguments_and_empty_list():
    page = paginate(list(range(5)))
    assert page.items == [0, 1, 2, 3, 4]
    assert (page.number, page.per_page, page.pages) == (1, 10, 1)
    assert not page.has_prev and not page.has_next
    empty = paginate([], 1)
    assert empty.items == [] and empty.pages == 1
    assert (empty.first_index, empty.last_index) == (0, 0)


def test_paginate_errors():
    with pytest.raises(PageError, match=r"page 0 out of range \(1-3\)"):
        paginate(list(range(25)), 0, 10)
    with pytest.raises(ValueError, match="per_page must be at least 1"):
        paginate(list(range(25)), 1, 0)
    # per_page is validated before the page number
    with pytest.raises(ValueError, match="per_page"):
        paginate([1, 2], 0, 0)
    assert issubclass(PageError, LookupError)


def test_page_footer():
    assert page_footer(paginate(list(range(25)), 2, 10)) == "Showing 11-20 of 25 - page 2 of 3"
    assert page_footer(paginate(list(range(25)), 3, 10)) == "Showing 21-25 of 25 - page 3 of 3"
    assert page_footer(paginate([], 1)) == "No results"


def test_nav_links():
    assert nav_links(paginate(list(range(25)), 1, 10)) == ["next:2"]
    assert nav_links(paginate(list(range(25)), 2, 10)) == ["prev:1", "next:3"]
    assert nav_links(paginate(list(range(25)), 3, 10)) == ["prev:2"]
    assert nav_links(paginate([], 1)) == []


def test_page_is_frozen():
    page = Page([1], 1, 10, 1, 1)
    with pytest.raises(Exception):
        page.number = 2  # type: ignore[misc]
