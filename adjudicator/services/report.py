"""Statistics (统计报表): households (户), persons (人), claims and amounts by claim category,
household category, township and month, as a county reports them upward."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from adjudicator.services.payments import confirmed_paid
from adjudicator.services.scope import scoped
from adjudicator.storage.context import Context
from adjudicator.storage.models import Claim, Household
from adjudicator.workflow import ClaimStatus

ZERO = Decimal(0)
#: Statuses of a claim whose decision grants a payout (approved and onward).
GRANTED = (ClaimStatus.APPROVED, ClaimStatus.IN_NOTICE, ClaimStatus.CLOSED, ClaimStatus.PAID)
DIMENSIONS = ("category", "household_category", "township", "month")


@dataclass
class Cell:
    """One row of a breakdown."""

    claims: int = 0
    households: set[str] = field(default_factory=set)
    persons: set[tuple[str, str]] = field(default_factory=set)
    decided: int = 0
    approved: int = 0
    approved_households: set[str] = field(default_factory=set)
    approved_amount: Decimal = ZERO
    paid: int = 0
    paid_households: set[str] = field(default_factory=set)
    paid_amount: Decimal = ZERO

    def as_dict(self) -> dict[str, object]:
        return {"claims": self.claims, "households": len(self.households),
                "persons": len(self.persons), "decided": self.decided,
                "approved": self.approved, "approved_households": len(self.approved_households),
                "approved_amount": f"{self.approved_amount:.2f}", "paid": self.paid,
                "paid_households": len(self.paid_households),
                "paid_amount": f"{self.paid_amount:.2f}"}


@dataclass
class Report:
    total: Cell
    by: dict[str, dict[str, Cell]]
    status_counts: dict[str, int]

    def as_dict(self) -> dict[str, object]:
        return {"total": self.total.as_dict(), "status": dict(sorted(self.status_counts.items())),
                **{dim: {key: cell.as_dict() for key, cell in sorted(rows.items())}
                   for dim, rows in self.by.items()}}


def build_report(ctx: Context, year: int | None = None) -> Report:
    """Aggregate every stored claim (of one year of event dates, if given)."""
    ctx.require("read")
    total = Cell()
    by: dict[str, dict[str, Cell]] = {dim: defaultdict(Cell) for dim in DIMENSIONS}
    status_counts: dict[str, int] = defaultdict(int)
    granted = {s.value for s in GRANTED}
    with ctx.factory() as session:
        paid = confirmed_paid(session)  # paid = the bank confirmed the transfer
        query = (select(Claim.claim_id, Claim.household_id, Claim.member_id, Claim.category,
                        Claim.event_date, Claim.status, Claim.final_paid,
                        Claim.current_decision_id, Household.category,
                        Household.township_code, Household.township_name)
                 .join(Household, Household.household_id == Claim.household_id))
        if year is not None:
            query = query.where(func.extract("year", Claim.event_date) == year)
        query = scoped(ctx, query, Household.township_code)
        for row in session.execute(query.execution_options(yield_per=5000)):
            (claim_id, household_id, member_id, category, event_date, status, final_paid,
             decision_id, household_category, township_code, township_name) = row
            status_counts[status] += 1
            township = f"{township_code} {township_name}" if township_name else township_code
            keys = {"category": category, "household_category": household_category,
                    "township": township, "month": event_date.strftime("%Y-%m")}
            for cell in [total, *(by[dim][keys[dim]] for dim in DIMENSIONS)]:
                cell.claims += 1
                cell.households.add(household_id)
                cell.persons.add((household_id, member_id))
                if decision_id is not None:
                    cell.decided += 1
                if status in granted:
                    cell.approved += 1
                    cell.approved_households.add(household_id)
                    cell.approved_amount += final_paid or ZERO
                if claim_id in paid:
                    cell.paid += 1
                    cell.paid_households.add(household_id)
                    cell.paid_amount += paid[claim_id][1]
    return Report(total, {dim: dict(rows) for dim, rows in by.items()}, dict(status_counts))
