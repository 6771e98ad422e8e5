"""Annual leave requests and allowances.

Each employee has a yearly allowance in days. A request covers a range of dates, both
ends included; approved requests are deducted from the allowance of the year they start in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


class LeaveError(Exception):
    """A request that cannot be approved."""


def working_days(start: date, end: date) -> int:
    """Number of days taken off from ``start`` to ``end``, both included."""
    if end < start:
        raise ValueError("end is before start")
    return (end - start).days + 1


@dataclass
class LeaveRequest:
    employee: str
    start: date
    end: date
    approved: bool = False

    def days(self) -> int:
        return working_days(self.start, self.end)


@dataclass
class LeaveBook:
    allowances: dict[str, int] = field(default_factory=dict)  # employee -> days per year
    requests: list[LeaveRequest] = field(default_factory=list)

    def days_taken(self, employee: str, year: int) -> int:
        return sum(
            r.days() for r in self.requests
            if r.employee == employee and r.approved and r.start.year == year
        )

    def remaining(self, employee: str, year: int) -> int:
        return self.allowances.get(employee, 0) - self.days_taken(employee, year)

    def request(self, employee: str, start: date, end: date) -> LeaveRequest:
        if employee not in self.allowances:
            raise LeaveError(f"unknown employee: {employee}")
        req = LeaveRequest(employee, start, end)
        self.requests.append(req)
        return req

    def approve(self, req: LeaveRequest) -> None:
        if req.days() > self.remaining(req.employee, req.start.year):
            raise LeaveError(
                f"{req.employee} has only {self.remaining(req.employee, req.start.year)} days left"
            )
        req.approved = True
