"""Households (户) and their members, one row per member: created, or updated in place.

A changed member is updated and the change recorded as an event that names the fields that
changed, never their values (names and ID numbers are personal data). Members missing from a
file are kept: a file may carry part of a household. One ID number belongs to one member.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.intake import columns
from adjudicator.intake.pipeline import Chunk, Importer, Row, filled, insert_rows, unique
from adjudicator.storage.models import Household, Member
from schemas.imports import HouseholdRow

#: How many households of a file are remembered to catch a household (or member) given twice
#: with different values; files grouped by household, as every register export is, are
#: checked completely, and memory stays bounded however long the file.
MEMO_HOUSEHOLDS = 100_000

_HOUSEHOLD_FIELDS = ("region_code", "category", "village_name", "township_name")
_MEMBER_FIELDS = ("name", "id_number", "relation", "counted")


def parse(fields: dict[str, Any], options: dict[str, Any]) -> HouseholdRow:
    return HouseholdRow.model_validate(filled(fields))


def _household_values(rec: HouseholdRow, stored: Household | None) -> dict[str, Any]:
    township = rec.township_name
    if township is None and stored is not None:
        township = stored.township_name
    return {"region_code": rec.region_code, "category": rec.household_category.value,
            "village_name": rec.village_name, "township_name": township}


def _member_values(rec: HouseholdRow) -> dict[str, Any]:
    return {"name": rec.name, "id_number": rec.id_number, "relation": rec.relation.value,
            "counted": rec.counted}


def store(session: Session, chunk: Chunk, rows: list[Row]) -> None:
    records: list[HouseholdRow] = [row.record for row in rows]
    household_ids = unique(r.household_id for r in records)
    households = {h.household_id: h for h in session.scalars(
        select(Household).where(Household.household_id.in_(household_ids)))}
    members = {(m.household_id, m.member_id): m for m in session.scalars(
        select(Member).where(Member.household_id.in_(household_ids)))}
    owners = {m.id_number: (m.household_id, m.member_id) for m in session.scalars(
        select(Member).where(Member.id_number.in_(unique(r.id_number for r in records))))}
    owners.update({m.id_number: key for key, m in members.items()})
    memo: OrderedDict[str, tuple[int, dict[str, Any], dict[str, tuple[int, Any]]]] = (
        chunk.run.memo.setdefault("households", OrderedDict()))
    new_households: list[dict[str, Any]] = []
    new_members: list[dict[str, Any]] = []
    at = chunk.run.at

    for row in rows:
        rec: HouseholdRow = row.record
        hid, key = rec.household_id, (rec.household_id, rec.member_id)
        stored = households.get(hid)
        values = _household_values(rec, stored)
        member_values = _member_values(rec)
        seen = memo.get(hid)
        if seen is not None:
            memo.move_to_end(hid)
            first_row, first_values, seen_members = seen
            differs = [f for f in _HOUSEHOLD_FIELDS
                       if f != "township_name" or rec.township_name is not None
                       if first_values[f] != values[f]]
            if differs:
                chunk.reject(row, "household_category" if differs[0] == "category"
                             else differs[0], "HOUSEHOLD_CONFLICT",
                             f"household {hid} has other {', '.join(differs)} at row "
                             f"{first_row} of this file")
                continue
            earlier = seen_members.get(rec.member_id)
            if earlier is not None and earlier[1] != member_values:
                chunk.reject(row, "member_id", "MEMBER_CONFLICT", f"member {rec.member_id} "
                             f"of household {hid} is at row {earlier[0]} of this file with "
                             "other values")
                continue
        owner = owners.get(rec.id_number)
        if owner is not None and owner != key:
            chunk.reject(row, "id_number", "DUPLICATE_ID_NUMBER", "this ID number is "
                         f"registered for member {owner[1]} of household {owner[0]}")
            continue
        if seen is None:
            memo[hid] = seen = (row.number, values, {})
            if len(memo) > MEMO_HOUSEHOLDS:
                memo.popitem(last=False)
        seen[2].setdefault(rec.member_id, (row.number, member_values))

        changed_household = _upsert_household(chunk, row, households, new_households, values,
                                               at)
        member = members.get(key)
        if member is None:
            created = {"household_id": hid, "member_id": rec.member_id, **member_values}
            new_members.append(created)
            members[key] = Member(**created)
            chunk.event(row, "member.added", "member", f"{hid}/{rec.member_id}",
                        {"household_id": hid, "member_id": rec.member_id,
                         "relation": member_values["relation"],
                         "counted": member_values["counted"]})
            changed_member = True
        else:
            diff = [f for f in _MEMBER_FIELDS if getattr(member, f) != member_values[f]]
            if diff:
                if "id_number" in diff:
                    owners.pop(member.id_number, None)
                for f in diff:
                    setattr(member, f, member_values[f])
                chunk.event(row, "member.updated", "member", f"{hid}/{rec.member_id}",
                            {"household_id": hid, "member_id": rec.member_id,
                             "changed": diff})
            changed_member = bool(diff)
        owners[rec.id_number] = key
        if changed_household or changed_member:
            chunk.accepted += 1
            existed = (stored is not None and member is not None)
            chunk.updated += existed
        else:
            chunk.unchanged += 1

    if new_households:
        insert_rows(session, Household, new_households)
    if new_members:
        insert_rows(session, Member, new_members)


def _upsert_household(chunk: Chunk, row: Row, households: dict[str, Household],
                      new: list[dict[str, Any]], values: dict[str, Any], at: str) -> bool:
    """Create the household or bring it to `values`; whether anything changed."""
    hid = row.record.household_id
    region = values["region_code"]
    household = households.get(hid)
    if household is None:
        created = {"household_id": hid, **values, "township_code": region[:9],
                   "village_code": region, "created_at": at, "updated_at": at}
        new.append(created)
        households[hid] = Household(**created)
        chunk.event(row, "household.created", "household", hid,
                    {k: v for k, v in created.items() if k not in ("created_at",
                                                                   "updated_at")})
        return True
    diff = [f for f in _HOUSEHOLD_FIELDS if getattr(household, f) != values[f]]
    if not diff:
        return False
    for f in diff:
        setattr(household, f, values[f])
    household.township_code, household.village_code = region[:9], region
    household.updated_at = at
    chunk.event(row, "household.updated", "household", hid, {"changed": diff})
    return True


IMPORTER = Importer("households", "import", columns.HOUSEHOLDS, parse, store)
