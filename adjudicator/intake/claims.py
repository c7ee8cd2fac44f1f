"""Claims (救助申请) at intake: matched to a registered member, screened (初筛), stored once.

A claim is received, then screened in the same transaction: screening today means matching
to a registered household member (no other obvious non-case rule yet), and a row that does not
match is rejected, not stored. A claim already stored under the same claim id, or for the same
household, member, category and document number, is DUPLICATE_CLAIM, never stored twice;
the identical row imported again is unchanged.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError
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
from adjudicator.rules.tariff import BUILTIN_SHAPES
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.models import Claim
from adjudicator.workflow import ClaimStatus, check_transition, move
from schemas.imports import DISASTER_FIELDS, EDUCATION_FIELDS, MEDICAL_FIELDS, ClaimRow

_PARTS = ("medical", "education", "disaster")
_ROWS = FastModel(ClaimRow, {
    **dict.fromkeys(("claim_id", "household_id", "member_id", "name", "document_no"),
                    fastrows.text(64)),
    "id_number": fastrows.id_number,
    **dict.fromkeys((*MEDICAL_FIELDS, *EDUCATION_FIELDS[1:], *DISASTER_FIELDS),
                    fastrows.amount)})


def parse(fields: dict[str, Any], options: dict[str, Any]) -> ClaimRow:
    values = filled(fields)
    category = values.get("category")
    own: dict[str, str] = options.get("category_labels", {})
    if isinstance(category, str) and category.strip() in own:  # 因被盗 -> theft
        values["category"] = own[category.strip()]
    for part in _PARTS:  # a JSON Lines claim may nest its amounts as schemas.case.Claim does
        nested = values.pop(part, None)
        if isinstance(nested, dict):
            values.update(filled(nested))
        elif nested is not None:
            values[part] = nested  # reported as an unknown field by the model
    if "source" not in values and options.get("default_source"):
        values["source"] = options["default_source"]
    record = _ROWS.validate(values)
    _check_own_category(record, values, options.get("category_shapes"))
    return record


def _check_own_category(record: ClaimRow, values: dict[str, Any],
                        shapes: dict[str, set[str]] | None) -> None:
    """A category that is not built in must be defined by a stored tariff, and the row's
    amounts must be of its shape."""
    if shapes is None or record.category in BUILTIN_SHAPES:
        return
    defined = shapes.get(record.category)
    if defined is None:
        known = ", ".join(sorted(shapes)) or "none"
        raise _row_problem("category", values.get("category"), "unknown_category",
                           f"no stored tariff defines the claim category "
                           f"'{record.category}' (tariff-defined categories: {known})")
    if record.shape not in defined:
        raise _row_problem("category", values.get("category"), "category_shape",
                           f"the claim category '{record.category}' is {'/'.join(sorted(defined))}"
                           f"-shaped: give its amounts ({record.shape} amounts were given)")


def _row_problem(field: str, value: Any, code: str, message: str) -> ValidationError:
    return ValidationError.from_exception_data("ClaimRow", [{
        "type": PydanticCustomError(code, message), "loc": (field,), "input": value}])


def category_options(ctx: Context) -> dict[str, Any]:
    """What the import needs to know of the categories the active stored tariffs define: a
    label -> name map (因被盗 -> theft) and each such category's shape."""
    from adjudicator.services.tariffs import TariffBook

    with transaction(ctx.factory) as session:
        book = TariffBook.load(session)
    labels: dict[str, str] = {}
    shapes: dict[str, set[str]] = {}
    for pk, tariff in sorted(book.by_pk.items()):
        if pk not in book.active:
            continue
        for name, rules in tariff.categories.items():
            shape = tariff.shape_of(name)
            if name not in BUILTIN_SHAPES and shape is not None:
                shapes.setdefault(name, set()).add(shape.value)
            if rules.label:
                labels[rules.label] = name
    return {"category_labels": labels, "category_shapes": shapes}


def _required(options: dict[str, Any]) -> tuple[str, ...]:
    return () if options.get("default_source") else ("source",)


def _content(household_id: str, member_id: str, rec: ClaimRow) -> dict[str, Any]:
    return {"household_id": household_id, "member_id": member_id,
            "category": rec.category, "event_date": rec.event_date,
            "source": rec.source.value, "document_no": rec.document_no,
            "cause": None if rec.cause is None else rec.cause.value,
            "amounts": rec.amounts()}


_CONTENT = ("household_id", "member_id", "category", "event_date", "source", "document_no",
            "cause", "amounts")


def store(session: Session, chunk: Chunk, rows: list[Row]) -> None:
    records: list[ClaimRow] = [row.record for row in rows]
    register = Register(session, (r.household_id for r in records),
                        (r.id_number for r in records))
    wanted_ids = unique(r.claim_id for r in records)
    by_id: dict[str, dict[str, Any]] = {
        claim_id: dict(zip(_CONTENT, content, strict=True)) for claim_id, *content in
        session.execute(select(Claim.claim_id, *(getattr(Claim, f) for f in _CONTENT))
                        .where(among(session, Claim.claim_id, wanted_ids)))}
    matched = {id(row): register.member(row.record.household_id, row.record.member_id,
                                        row.record.id_number, row.record.name)
               for row in rows}
    doc_keys = unique((m.household_id, m.member_id, r.category, r.document_no)
                      for r, m in ((row.record, matched[id(row)]) for row in rows)
                      if r.document_no is not None and not isinstance(m, Mismatch))
    by_document: dict[tuple[str, str, str, str | None], str] = {}
    if doc_keys:
        # By household (indexed on both databases), then the exact key here: a row-value IN
        # would scan the whole table on SQLite.
        wanted = set(doc_keys)
        for c in session.execute(select(Claim.claim_id, Claim.household_id, Claim.member_id,
                                        Claim.category, Claim.document_no)
                                 .where(among(session, Claim.household_id,
                                              unique(k[0] for k in doc_keys)),
                                        among(session, Claim.document_no,
                                              unique(k[3] for k in doc_keys)))):
            found = (c.household_id, c.member_id, c.category, c.document_no)
            if found in wanted:
                by_document[found] = c.claim_id
    check_transition("(intake)", ClaimStatus.RECEIVED, ClaimStatus.SCREENED)
    new: list[dict[str, Any]] = []
    causes: dict[str, str] = {}
    at = chunk.run.at
    today = chunk.run.ctx.today()  # the day the claims are received

    for row in rows:
        rec: ClaimRow = row.record
        member = matched[id(row)]
        if isinstance(member, Mismatch):
            chunk.reject(row, member.field, member.code, member.reason)
            continue
        content = _content(member.household_id, member.member_id, rec)
        stored = by_id.get(rec.claim_id)
        if stored is not None:
            if stored == content:
                chunk.unchanged += 1
            elif _establishes_cause(stored, content):
                causes[rec.claim_id] = content["cause"]
                by_id[rec.claim_id] = content
                chunk.change(row, "claim.cause_established", "claim", rec.claim_id,
                             {"cause": content["cause"]})
                chunk.accepted += 1
                chunk.updated += 1
            else:
                chunk.reject(row, "claim_id", "DUPLICATE_CLAIM",
                             Message("claim.duplicate_id", claim=rec.claim_id))
            continue
        if rec.event_date > today:
            chunk.reject(row, "event_date", "EVENT_IN_FUTURE", f"事发日期 {rec.event_date} 晚于"
                         f"收到申请的日期 {today}：不能受理尚未发生的事件，请核对日期")
            continue
        doc_key = (member.household_id, member.member_id, rec.category, rec.document_no)
        if rec.document_no is not None and doc_key in by_document:
            chunk.reject(row, "document_no", "DUPLICATE_CLAIM",
                         Message("claim.duplicate_document", claim=by_document[doc_key]))
            continue
        new.append({"claim_id": rec.claim_id, **content,
                    "status": ClaimStatus.SCREENED.value, "received_at": at, "updated_at": at})
        by_id[rec.claim_id] = content
        if rec.document_no is not None:
            by_document[doc_key] = rec.claim_id
        # One event per claim: received and screened in the same transaction.
        chunk.change(row, "claim.received", "claim", rec.claim_id,
                     {**content, "status": ClaimStatus.SCREENED.value,
                      "screening": "matched to a registered household member"})
        chunk.accepted += 1
    if new:
        insert_rows(session, Claim, new)
    if causes:
        _store_causes(session, causes, at)


def _establishes_cause(stored: dict[str, Any], content: dict[str, Any]) -> bool:
    """The row is the stored claim with the cause it lacked (the visit established it)."""
    return (stored["cause"] is None and content["cause"] is not None
            and {**stored, "cause": content["cause"]} == content)


def _store_causes(session: Session, causes: dict[str, str], at: str) -> None:
    """Store the causes; a pended claim (its cause was missing) is ready to be decided again."""
    for claim in session.execute(select(Claim).where(Claim.claim_id.in_(sorted(causes)))
                                 ).scalars():
        claim.cause = causes[claim.claim_id]
        claim.updated_at = at
        if claim.status == ClaimStatus.PENDED.value:
            move(claim, ClaimStatus.VERIFIED, at=at)


IMPORTER = Importer("claims", "import", columns.CLAIMS, parse, store, _required,
                    tables=(Claim,))
