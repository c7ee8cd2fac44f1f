"""Department data (信息比对): medical insurance, housing, business registry, bank, vehicle
registry, payroll and civil affairs findings about a household's negative-list items.

Each finding is stored once: its `row_key` is the SHA-256 of the normalized row (household,
source, item, found, detail, reported_on), so a file imported again adds nothing, and the same
finding sent by ID number one month and by household id the next is one finding.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.intake import columns, fastrows
from adjudicator.intake.fastrows import FastModel
from adjudicator.intake.matching import Mismatch, Register
from adjudicator.intake.pipeline import (
    Chunk,
    Importer,
    Row,
    among,
    filled,
    insert_rows,
    unique,
)
from adjudicator.messages import Message
from adjudicator.storage.events import canonical
from adjudicator.storage.models import Finding
from schemas.imports import DepartmentDataRow

_ROWS = FastModel(DepartmentDataRow, {
    **dict.fromkeys(("household_id", "name"), fastrows.text(64)),
    "detail": fastrows.text(200), "id_number": fastrows.id_number})


def parse(fields: dict[str, Any], options: dict[str, Any]) -> DepartmentDataRow:
    return _ROWS.validate(filled(fields))


def row_key(household_id: str, rec: DepartmentDataRow) -> str:
    normalized = {"household_id": household_id, "source": rec.source.value, "item": rec.item,
                  "found": rec.found, "detail": rec.detail,
                  "reported_on": None if rec.reported_on is None else
                  rec.reported_on.isoformat()}
    return hashlib.sha256(canonical(normalized).encode()).hexdigest()


def store(session: Session, chunk: Chunk, rows: list[Row]) -> None:
    records: list[DepartmentDataRow] = [row.record for row in rows]
    register = Register(session, (r.household_id for r in records),
                        (r.id_number for r in records))
    resolved: dict[int, str | Mismatch] = {}
    for row in rows:
        rec: DepartmentDataRow = row.record
        if rec.id_number is None:
            assert rec.household_id is not None
            resolved[id(row)] = (rec.household_id if rec.household_id in register.households
                                 else Mismatch("household_id", "UNKNOWN_HOUSEHOLD", Message(
                                     "match.unknown_household", household=rec.household_id)))
        else:
            found = register.member(rec.household_id, None, rec.id_number, rec.name)
            resolved[id(row)] = found if isinstance(found, Mismatch) else found.household_id
    keys = {id(row): row_key(hid, row.record) for row in rows
            if isinstance(hid := resolved[id(row)], str)}
    stored = set(session.scalars(select(Finding.row_key).where(
        among(session, Finding.row_key, unique(keys.values())))))
    new: list[dict[str, Any]] = []

    for row in rows:
        rec = row.record
        household = resolved[id(row)]
        if isinstance(household, Mismatch):
            chunk.reject(row, household.field, household.code, household.reason)
            continue
        key = keys[id(row)]
        if key in stored:
            chunk.unchanged += 1
            continue
        stored.add(key)
        new.append({"household_id": household, "source": rec.source.value, "item": rec.item,
                    "found": rec.found, "detail": rec.detail, "reported_on": rec.reported_on,
                    "row_key": key, "import_batch_id": chunk.run.batch_id})
        chunk.change(row, "finding.recorded", "household", household,
                     {"source": rec.source.value, "item": rec.item, "found": rec.found,
                      "row_key": key})
        chunk.accepted += 1
    if new:
        insert_rows(session, Finding, new)


IMPORTER = Importer("department-data", "import", columns.DEPARTMENT_DATA, parse, store,
                    tables=(Finding,))
