"""Split a list of results into numbered pages (page numbers start at 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Sequence, TypeVar

T = TypeVar("T")


class PageError(LookupError):
    """The requested page does not exist; shown to the user as a 404 message."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int  # number of items over all pages
    pages: int  # number of pages

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """1-based position of the first item on this page (0 for an empty result)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1 if self.items else 0


def page_count(total: int, per_page: int) -> int:
    """Number of pages needed for ``total`` items."""
    return total // per_page + 1


def paginate(items: Sequence[T], page: int = 1, per_page: int = 10) -> Page[T]:
    """The items of page number ``page``."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    pages = page_count(len(items), per_page)
    if page < 1:
        raise PageError(f"page {page} out of range (1-{pages})")
    start = (page - 1) * per_page
    return Page(list(items[start:start + per_page]), page, per_page, len(items), pages)
