"""Plain-text rendering of paginated lists (used by the admin CLI and e-mails)."""

from __future__ import annotations

from webkit.pagination import Page


def page_footer(page: Page) -> str:
    """'Showing 11-20 of 25 - page 2 of 3' or 'No results' for an empty result."""
    if page.total == 0:
        return "No results"
    return (
        f"Showing {page.first_index}-{page.last_index} of {page.total}"
        f" - page {page.number} of {page.pages}"
    )


def nav_links(page: Page) -> list[str]:
    """'prev' / 'next' labels for the links that make sense on this page."""
    links = []
    if page.has_prev:
        links.append(f"prev:{page.number - 1}")
    if page.has_next:
        links.append(f"next:{page.number + 1}")
    return links
