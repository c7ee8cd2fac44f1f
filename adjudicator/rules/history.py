"""A claim's year so far (RULES.md): its history, whether it waits, and which tariff it takes.

Pure rules over plain data: the claims are anything with the attributes of `PastClaim` (the
stored rows, the batch's `BatchClaim`), the tariffs are parsed `Tariff`s. No database here;
the services read the rows and call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Protocol

from adjudicator.rules.money import ZERO
from adjudicator.rules.tariff import Tariff


class PastClaim(Protocol):
    """What the history and waiting rules read of a claim."""

    @property
    def claim_id(self) -> str: ...
    @property
    def member_id(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def event_date(self) -> dt.date: ...
    @property
    def status(self) -> str: ...
    @property
    def final_counted_expense(self) -> Decimal | None: ...
    @property
    def final_paid(self) -> Decimal | None: ...


def history_for(claim: PastClaim, tariff: Tariff, claims: Iterable[PastClaim]
                ) -> dict[str, Decimal]:
    """The household's final decisions in this claim's category and tariff period (RULES.md);
    under a per-person cap, also what the claim's member was paid in all categories."""
    expense = paid = paid_all = paid_member = ZERO
    for other in claims:
        if other.claim_id == claim.claim_id or other.final_counted_expense is None:
            continue
        if not tariff.valid_from <= other.event_date <= tariff.valid_to:
            continue
        paid_all += other.final_paid or ZERO
        if other.member_id == claim.member_id:
            paid_member += other.final_paid or ZERO
        if other.category == claim.category:
            expense += other.final_counted_expense
            paid += other.final_paid or ZERO
    history = {"eligible_expense_to_date": expense, "paid_to_date": paid,
               "paid_all_categories_to_date": paid_all}
    if tariff.person_annual_cap_all is not None:  # else the case reads as it always did
        history["paid_member_all_categories_to_date"] = paid_member
    return history


def caps_all_categories(tariff: Tariff) -> bool:
    """Whether the tariff caps what a household (or a person) receives in all categories:
    then a claim's history, and its waiting, take in every category (RULES.md)."""
    return tariff.caps_across_categories


def waiting_for(claim: PastClaim, tariff: Tariff, claims: Iterable[PastClaim],
                not_final: Collection[str]) -> PastClaim | None:
    """An earlier claim of the same household and period that is not final (its status in
    `not_final`): of the same category always, of any category when the tariff caps all
    categories (RULES.md: a pended payout would otherwise leave the all-category cap
    unguarded)."""
    key = (claim.event_date, claim.claim_id)
    any_category = caps_all_categories(tariff)
    for other in claims:
        if (other.claim_id != claim.claim_id
                and (any_category or other.category == claim.category)
                and (other.event_date, other.claim_id) < key
                and tariff.valid_from <= other.event_date <= tariff.valid_to
                and other.status in not_final):
            return other
    return None


def choose_tariff(tariffs: Mapping[int, Tariff], active: Collection[int], region_code: str,
                  event_date: dt.date) -> list[tuple[int, Tariff]]:
    """The tariff for a household's region on an event date (RULES.md): of the active tariffs
    in force that day, the one whose matching region code is the most specific.

    Returns `[]` when none covers it, `[(key, tariff)]` for the one chosen, and the two
    most specific when two are equally specific (a choice the caller refuses)."""
    best: list[tuple[int, int, Tariff]] = []
    for key, tariff in tariffs.items():
        if key not in active or not tariff.valid_from <= event_date <= tariff.valid_to:
            continue
        matched = tariff.covers_region(region_code)
        if matched is not None:
            best.append((len(matched), key, tariff))
    best.sort(key=lambda item: -item[0])
    if len(best) > 1 and best[0][0] == best[1][0]:
        return [(best[0][1], best[0][2]), (best[1][1], best[1][2])]
    return [(best[0][1], best[0][2])] if best else []


__all__ = ["PastClaim", "caps_all_categories", "choose_tariff", "history_for", "waiting_for"]
