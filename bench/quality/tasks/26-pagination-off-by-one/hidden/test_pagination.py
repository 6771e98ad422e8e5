import pytest

from webkit import pagination as P
from webkit.views import nav_links, page_footer


@pytest.mark.parametrize("total,per_page,expected", [
    (0, 10, 1), (1, 10, 1), (10, 10, 1), (11, 10, 2), (20, 10, 2), (21, 10, 3), (5, 1, 5),
])
def test_page_count(total, per_page, expected):
    assert P.page_count(total, per_page) == expected


def test_page_count_validation():
    with pytest.raises(ValueError, match="^per_page must be at least 1$"):
        P.page_count(5, 0)


def test_exact_multiple_has_no_extra_page():
    page = P.paginate(list(range(20)), 2, 10)
    assert page.items == list(range(10, 20))
    assert page.pages == 2
    assert not page.has_next and page.has_prev
    assert page_footer(page) == "Showing 11-20 of 20 - page 2 of 2"
    assert nav_links(page) == ["prev:1"]


def test_out_of_range():
    with pytest.raises(P.PageError) as exc:
        P.paginate(list(range(25)), 7, 10)
    assert str(exc.value) == "page 7 out of range (1-3)"
    with pytest.raises(P.PageError) as exc:
        P.paginate([], 2)
    assert str(exc.value) == "page 2 out of range (1-1)"
    with pytest.raises(P.PageError) as exc:
        P.paginate([1], 0)
    assert str(exc.value) == "page 0 out of range (1-1)"


def test_empty_list():
    page = P.paginate([], 1)
    assert page.items == [] and page.pages == 1
    assert not page.has_next and not page.has_prev
    assert page_footer(page) == "No results"


def test_validation_order():
    with pytest.raises(ValueError, match="^per_page must be at least 1$"):
        P.paginate([], 99, 0)


def test_existing_behaviour_unchanged():
    page = P.paginate(list(range(25)), 3, 10)
    assert page.items == list(range(20, 25))
    assert (page.first_index, page.last_index) == (21, 25)
    assert page_footer(page) == "Showing 21-25 of 25 - page 3 of 3"
    first = P.paginate(list("abc"), per_page=2)
    assert first.items == ["a", "b"] and nav_links(first) == ["next:2"]
