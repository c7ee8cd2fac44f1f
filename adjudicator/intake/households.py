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

from adjudicator.intake import columns, fastrows
from adjudicator.intake.fastrows import FastModel
from adjudicator.intake.pipeline import (
    Chunk,
    Importer,
    Row,
    among,
    filled,
    insert_rows,
    unique,
    update_rows,
)
from adjudicator.messages import Message, field_name
from adjudicator.storage.models import Household, Member
from adjudicator.storage.models_office import Region
from schemas.imports import HouseholdRow, Relation, relation_known

#: How many households of a file are remembered to catch a household (or member) given twice
#: with different values; files grouped by household, as every register export is, are
#: checked completely, and memory stays bounded however long the file.
MEMO_HOUSEHOLDS = 100_000

_HOUSEHOLD_FIELDS = ("region_code", "category", "village_name", "township_name")
_MEMBER_FIELDS = ("name", "id_number", "relation", "counted")
#: The member's payment account: a blank account keeps the stored one (a file need not carry
#: accounts); a change is recorded by field name only, never its value.
_ACCOUNT_FIELDS = ("bank_name", "account_no", "account_kind")
_ROWS = FastModel(HouseholdRow, {
    **dict.fromkeys(("household_id", "member_id", "name"), fastrows.text(64)),
    **dict.fromkeys(("village_name", "township_name"), fastrows.text(100)),
    "id_number": fastrows.id_number})


def parse(fields: dict[str, Any], options: dict[str, Any]) -> HouseholdRow:
    return _ROWS.validate(filled(fields))


class _Fields:
    """Fields a message names, each as the file headed it, in the message's language."""

    def __init__(self, row: Row, names: list[str]) -> None:
        self.headers, self.names = row.headers, names

    def render(self, lang: str, label: Any = None) -> str:
        names = [self.headers.get(n) or field_name(n, lang) for n in self.names]
        if lang == "zh":
            return "、".join(f"“{n}”" for n in names)
        return ", ".join(names)


def _relation_warning(chunk: Chunk, row: Row) -> None:
    """A relation term the register uses that is not listed is registered as `other`, with a
    warning in the error report (the member is stored all the same)."""
    raw = row.fields.get("relation")
    if (row.record.relation is Relation.OTHER and isinstance(raw, str) and raw.strip()
            and not relation_known(raw)):
        chunk.warn(row, "relation", "RELATION_OTHER",
                   Message("household.relation_other", value=raw.strip()[:20]))


def _household_values(rec: HouseholdRow, stored: dict[str, Any] | None,
                     regions: dict[str, str] | None = None) -> dict[str, Any]:
    township = rec.township_name
    if township is None and stored is not None:
        township = stored["township_name"]
    if township is None and regions:  # the county's region file names it
        township = regions.get(rec.region_code[:9])
    return {"region_code": rec.region_code, "category": rec.household_category.value,
            "village_name": rec.village_name, "township_name": township}


def _member_values(rec: HouseholdRow) -> dict[str, Any]:
    values: dict[str, Any] = {"name": rec.name, "id_number": rec.id_number,
                              "relation": rec.relation.value,
                              "counted": rec.counted}
    if rec.account_no is not None:
        values.update({"bank_name": rec.bank_name, "account_no": rec.account_no,
                       "account_kind": str(rec.account_kind or "bank_card")})
    return values


class _Stored:
    """What a chunk's rows may touch, read in three set-based queries (no ORM objects): the
    households and members as dicts, and who holds each ID number. Rows created or changed by
    the chunk are kept here too, so a later row of the chunk sees them."""

    def __init__(self, session: Session, records: list[HouseholdRow]) -> None:
        household_ids = unique(r.household_id for r in records)
        self.households: dict[str, dict[str, Any]] = {
            row["household_id"]: dict(row) for row in session.execute(
                select(Household.household_id, *(getattr(Household, f)
                                                 for f in _HOUSEHOLD_FIELDS))
                .where(among(session, Household.household_id, household_ids))).mappings()}
        member_columns = (Member.pk, Member.household_id, Member.member_id,
                          *(getattr(Member, f) for f in _MEMBER_FIELDS + _ACCOUNT_FIELDS))
        self.members: dict[tuple[str, str], dict[str, Any]] = {
            (row["household_id"], row["member_id"]): dict(row) for row in session.execute(
                select(*member_columns).where(among(session, Member.household_id, household_ids)))
            .mappings()}
        self.owners: dict[str, tuple[str, str]] = {
            idn: (hid, mid) for hid, mid, idn in session.execute(
                select(Member.household_id, Member.member_id, Member.id_number)
                .where(among(session, Member.id_number, unique(r.id_number for r in records))))}
        self.owners.update({m["id_number"]: key for key, m in self.members.items()})
        self.regions: dict[str, str] = dict(session.execute(
            select(Region.code, Region.name).where(among(
                session, Region.code, unique(r.region_code[:9] for r in records)))).all())
        self.new_households: list[dict[str, Any]] = []
        self.new_members: list[dict[str, Any]] = []
        #: changed stored rows: household_id -> values, member pk -> values
        self.household_updates: dict[str, dict[str, Any]] = {}
        self.member_updates: dict[int, dict[str, Any]] = {}


def store(session: Session, chunk: Chunk, rows: list[Row]) -> None:
    records: list[HouseholdRow] = [row.record for row in rows]
    stored_rows = _Stored(session, records)
    households, members, owners = (stored_rows.households, stored_rows.members,
                                   stored_rows.owners)
    memo: OrderedDict[str, tuple[int, dict[str, Any], dict[str, tuple[int, Any]]]] = (
        chunk.run.memo.setdefault("households", OrderedDict()))
    at = chunk.run.at

    for row in rows:
        rec: HouseholdRow = row.record
        hid, key = rec.household_id, (rec.household_id, rec.member_id)
        stored = households.get(hid)
        values = _household_values(rec, stored, stored_rows.regions)
        member_values = _member_values(rec)
        seen = memo.get(hid)
        if seen is not None:
            memo.move_to_end(hid)
            first_row, first_values, seen_members = seen
            differs = [f for f in _HOUSEHOLD_FIELDS
                       if f != "township_name" or rec.township_name is not None
                       if first_values[f] != values[f]]
            if differs:
                names = ["household_category" if f == "category" else f for f in differs]
                chunk.reject(row, names[0], "HOUSEHOLD_CONFLICT", Message(
                    "household.conflict", household=hid, fields=_Fields(row, names),
                    row=first_row))
                continue
            earlier = seen_members.get(rec.member_id)
            if earlier is not None and earlier[1] != member_values:
                chunk.reject(row, "member_id", "MEMBER_CONFLICT", Message(
                    "household.member_conflict", household=hid, member=rec.member_id,
                    row=earlier[0]))
                continue
        owner = owners.get(rec.id_number)
        if owner is not None and owner != key:
            chunk.reject(row, "id_number", "DUPLICATE_ID_NUMBER", Message(
                "household.duplicate_id_number", household=owner[0], member=owner[1]))
            continue
        if seen is None:
            memo[hid] = seen = (row.number, values, {})
            if len(memo) > MEMO_HOUSEHOLDS:
                memo.popitem(last=False)
        seen[2].setdefault(rec.member_id, (row.number, member_values))
        _relation_warning(chunk, row)

        changed_household = _upsert_household(chunk, row, stored_rows, values, at)
        member = members.get(key)
        if member is None:
            created = {"household_id": hid, "member_id": rec.member_id,
                       **dict.fromkeys(_ACCOUNT_FIELDS), **member_values}
            stored_rows.new_members.append(created)
            members[key] = created
            chunk.change(row, "member.added", "member", f"{hid}/{rec.member_id}",
                         {"household_id": hid, "member_id": rec.member_id,
                          "relation": member_values["relation"],
                          "counted": member_values["counted"]})
            changed_member = True
        else:
            diff = [f for f in _MEMBER_FIELDS + _ACCOUNT_FIELDS
                    if f in member_values and member.get(f) != member_values[f]]
            if diff:
                if "id_number" in diff:
                    owners.pop(member["id_number"], None)
                for f in diff:
                    member[f] = member_values[f]
                if "pk" in member:  # stored; else created by this chunk: inserted as it is
                    stored_rows.member_updates.setdefault(member["pk"], {}).update(
                        {f: member_values[f] for f in diff})
                chunk.change(row, "member.updated", "member", f"{hid}/{rec.member_id}",
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

    insert_rows(session, Household, stored_rows.new_households)
    update_rows(session, Household, "household_id", stored_rows.household_updates)
    # Members' ID numbers are indexed, not unique: the order of updates does not matter.
    update_rows(session, Member, "pk", stored_rows.member_updates)
    insert_rows(session, Member, stored_rows.new_members)


def _upsert_household(chunk: Chunk, row: Row, stored_rows: _Stored, values: dict[str, Any],
                      at: str) -> bool:
    """Create the household or bring it to `values`; whether anything changed."""
    hid = row.record.household_id
    region = values["region_code"]
    household = stored_rows.households.get(hid)
    if household is None:
        created = {"household_id": hid, **values, "township_code": region[:9],
                   "village_code": region, "created_at": at, "updated_at": at}
        stored_rows.new_households.append(created)
        stored_rows.households[hid] = created
        chunk.change(row, "household.created", "household", hid,
                     {k: v for k, v in created.items() if k not in ("created_at",
                                                                    "updated_at")})
        return True
    diff = [f for f in _HOUSEHOLD_FIELDS if household[f] != values[f]]
    if not diff:
        return False
    changes = {**{f: values[f] for f in diff}, "township_code": region[:9],
               "village_code": region, "updated_at": at}
    household.update(changes)
    if "created_at" not in household:  # stored before this chunk
        stored_rows.household_updates.setdefault(hid, {}).update(changes)
    chunk.change(row, "household.updated", "household", hid, {"changed": diff})
    return True


IMPORTER = Importer("households", "import", columns.HOUSEHOLDS, parse, store,
                    tables=(Household, Member))
