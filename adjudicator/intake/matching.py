"""Matching a row to a registered member (匹配): by household_id + member_id, or by the ID
number alone, as department feeds give it. Messages never repeat a name or an ID number."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from adjudicator.intake.pipeline import among, unique
from adjudicator.messages import Message
from adjudicator.storage.models import Household, Member


class Registered(NamedTuple):
    household_id: str
    member_id: str
    name: str
    id_number: str


@dataclass(frozen=True)
class Mismatch:
    field: str
    code: str
    reason: Message


class Register:
    """The registered members a chunk's rows may name, loaded in two queries."""

    def __init__(self, session: Session, household_ids: Iterable[str | None],
                 id_numbers: Iterable[str | None]) -> None:
        wanted_households, wanted_ids = unique(household_ids), unique(id_numbers)
        self.households: set[str] = set()
        if wanted_households:
            self.households = set(session.scalars(select(Household.household_id).where(
                among(session, Household.household_id, wanted_households))))
        self.by_key: dict[tuple[str, str], Registered] = {}
        self.by_id: dict[str, list[Registered]] = {}
        if not (wanted_households or wanted_ids):
            return
        conditions = []
        if wanted_households:
            conditions.append(among(session, Member.household_id, wanted_households))
        if wanted_ids:
            conditions.append(among(session, Member.id_number, wanted_ids))
        query = select(Member.household_id, Member.member_id, Member.name, Member.id_number)
        for hid, mid, name, idn in session.execute(query.where(or_(*conditions))):
            member = Registered(hid, mid, name, idn)  # a tuple: thousands per chunk
            self.by_key[(hid, mid)] = member
            self.by_id.setdefault(idn, []).append(member)

    def member(self, household_id: str | None, member_id: str | None,
               id_number: str | None, name: str | None) -> Registered | Mismatch:
        """The one member a row names, or why there is none."""
        if household_id is not None and member_id is not None:
            if household_id not in self.households:
                return Mismatch("household_id", "UNKNOWN_HOUSEHOLD",
                                Message("match.unknown_household", household=household_id))
            found = self.by_key.get((household_id, member_id))
            if found is None:
                return Mismatch("member_id", "UNKNOWN_MEMBER", Message(
                    "match.unknown_member", household=household_id, member=member_id))
            if id_number is not None and found.id_number != id_number:
                return Mismatch("id_number", "MEMBER_MISMATCH", Message(
                    "match.member_mismatch", household=household_id, member=member_id))
        else:
            assert id_number is not None
            matches = self.by_id.get(id_number, [])
            if household_id is not None:
                matches = [m for m in matches if m.household_id == household_id]
            if not matches:
                return Mismatch("id_number", "UNKNOWN_MEMBER",
                                Message("match.no_member_with_id") if household_id is None
                                else Message("match.no_member_with_id_in",
                                             household=household_id))
            if len(matches) > 1:
                return Mismatch("id_number", "AMBIGUOUS_MEMBER",
                                Message("match.ambiguous_member", count=len(matches)))
            found = matches[0]
        if name is not None and name != found.name:
            return Mismatch("name", "NAME_MISMATCH", Message(
                "match.name_mismatch", household=found.household_id, member=found.member_id))
        return found
