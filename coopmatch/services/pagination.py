"""Pages of query results."""

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.page_size + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.page_size)


def paginate(session: Session, query, *, page: int, page_size: int, count=None) -> Page:
    """Run a select() for one page, with the total count. count: a select of the same total
    that is cheaper than counting the query's rows (one that sums a large table to order by)."""
    if count is None:
        count = select(func.count()).select_from(query.order_by(None).subquery())
    total = session.exec(count).one()
    page = max(1, min(page, max(1, math.ceil(total / page_size))))
    items = list(session.exec(query.offset((page - 1) * page_size).limit(page_size)))
    return Page(items=items, total=total, page=page, page_size=page_size)
