"""Documents from the system of record: denial letters (不予救助告知书), decision records
(理算单) and the summary report (工作总结, PDF and XLSX).

Each builds the renderer's plain models from stored decisions and records every file written
with its SHA-256 (see `store_document`). Rendering runs in batches on every core.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from adjudicator.explain import explain_step
from adjudicator.messages import Message, Refused
from adjudicator.rules.tariff import Tariff
from adjudicator.services.notices import store_document
from adjudicator.services.payments import confirmed_paid
from adjudicator.services.scope import require_claim_in_scope, scoped
from adjudicator.services.tariffs import TariffBook, stored_category_labels
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, DecisionRecord, Household, Member
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_notice import Document, NoticeItem
from adjudicator.workflow import ClaimStatus

ZERO = Decimal(0)


@dataclass(frozen=True)
class Written:
    kind: str
    ref: str
    path: Path


def _head(members: list[Member]) -> Member:
    return next((m for m in members if m.relation in ("head", "户主")), members[0])


def _members_of(session: Any, household_ids: set[str]) -> dict[str, list[Member]]:
    found: dict[str, list[Member]] = defaultdict(list)
    for member in session.execute(select(Member).where(Member.household_id.in_(household_ids))
                                  .order_by(Member.household_id, Member.member_id)).scalars():
        found[member.household_id].append(member)
    return found


def _already(session: Any, kind: str) -> set[str]:
    return set(session.execute(select(Document.ref).where(Document.kind == kind)).scalars())


def _current(session: Any, ctx: Context, status: str | None, claim_ids: list[str] | None
             ) -> list[tuple[Claim, DecisionRecord, Household]]:
    query = (select(Claim, DecisionRecord, Household)
             .join(DecisionRecord, DecisionRecord.decision_id == Claim.current_decision_id)
             .join(Household, Household.household_id == Claim.household_id)
             .order_by(Household.village_code, Claim.claim_id))
    if status is not None:
        query = query.where(Claim.status == status)
    if claim_ids is not None:
        query = query.where(Claim.claim_id.in_(claim_ids))
    return [tuple(row) for row in session.execute(scoped(ctx, query, Household.township_code))]


class DocumentRefused(Refused):
    """A document asked for that cannot be written: its claim is unknown or not decided."""


def _all_named(session: Any, claim_ids: list[str] | None, found: set[str]) -> None:
    """Refuse claims named but not found: unknown, or not decided yet (a record asked for
    and silently not written reads as done)."""
    for claim_id in claim_ids or []:
        if claim_id in found:
            continue
        if session.get(Claim, claim_id) is None:
            raise DocumentRefused(Message("notice.no_claim", claim=claim_id))
        raise DocumentRefused(Message("documents.not_decided", claim=claim_id))


def _labels(tariff: Tariff) -> dict[str, str]:
    return dict(tariff.negative_items)


def denial_letters(ctx: Context, out_dir: Path) -> list[Written]:
    """One letter per denied claim whose current decision has no letter yet."""
    from adjudicator.documents import render_denial_letters
    from adjudicator.documents.models import DenialLetter, IncomeFigures, ReviewInstructions

    ctx.require("notice")
    written: list[Written] = []
    with transaction(ctx.factory) as session:
        book = TariffBook.load(session)
        done = _already(session, "denial_letter")
        rows = [(c, d, h) for c, d, h in _current(session, ctx, ClaimStatus.DENIED.value, None)
                if f"{c.claim_id}#{d.seq}" not in done]
        members = _members_of(session, {c.household_id for c, _, _ in rows})
        letters, refs = [], []
        for claim, decision, household in rows:
            tariff = book.by_pk[decision.tariff_pk]
            data = orjson.loads(decision.decision_json)
            head = _head(members[claim.household_id])
            claimant = next(m for m in members[claim.household_id]
                            if m.member_id == claim.member_id)
            income = None
            if data["per_capita_income"] is not None:
                income = IncomeFigures(net_income=data["net_income"],
                                       counted_members=data["counted_members"],
                                       cumulative_expense=data["cumulative_expense"],
                                       per_capita_income=data["per_capita_income"],
                                       income_line=tariff.income_line,
                                       income_test=tariff.income_test)
            settings = tariff.notice
            office = settings.issuing_office or tariff.name
            letters.append(DenialLetter(
                issuing_office=office, issue_date=ctx.today(),
                letter_no=f"{claim.claim_id}-{decision.seq}",
                household_head_name=head.name, household_head_id_number=head.id_number,
                address=household.village_name or household.village_code,
                case_id=f"{claim.claim_id}#{decision.seq}", claim_id=claim.claim_id,
                claim_category=claim.category,
                claim_category_label=tariff.category_label(claim.category),
                claimant_name=None if claimant.member_id == head.member_id else claimant.name,
                event_date=claim.event_date, reasons=tuple(data["reasons"]),
                custom_reason_labels=_labels(tariff), income=income,
                review=ReviewInstructions(days=settings.review_request_days, office=office,
                                          address=settings.objection_address,
                                          phone=settings.objection_phone)))
            refs.append((claim, decision))
        written += _store_per_decision(session, ctx, "denial_letter", out_dir / "letters", refs,
                                       render_denial_letters(letters))
    return written


def decision_records(ctx: Context, out_dir: Path, claim_ids: list[str] | None = None
                     ) -> list[Written]:
    """理算单 for the current decision of each claim (all decided claims, or the ones given)."""
    from adjudicator.documents import render_decision_records
    from adjudicator.documents.models import DecisionRecord as RecordModel

    ctx.require("read")
    written: list[Written] = []
    with transaction(ctx.factory) as session:
        book = TariffBook.load(session)
        for claim_id in claim_ids or []:
            require_claim_in_scope(ctx, session, claim_id)
        rows = _current(session, ctx, None, claim_ids)
        _all_named(session, claim_ids, {claim.claim_id for claim, _, _ in rows})
        members = _members_of(session, {c.household_id for c, _, _ in rows})
        models, refs = [], []
        for claim, decision, household in rows:
            tariff = book.by_pk[decision.tariff_pk]
            data = orjson.loads(decision.decision_json)
            claimant = next(m for m in members[claim.household_id]
                            if m.member_id == claim.member_id)
            labels = _labels(tariff)
            models.append(RecordModel(
                issuing_office=tariff.notice.issuing_office, case_id=data["case_id"],
                claim_id=claim.claim_id, household_id=claim.household_id,
                claimant_name=claimant.name, claimant_id_number=claimant.id_number,
                region_code=household.region_code, village=household.village_name,
                township=household.township_name, tariff_name=tariff.name,
                household_category=household.category, claim_category=claim.category,
                claim_category_label=tariff.category_label(claim.category),
                claim_source=claim.source, event_date=claim.event_date,
                decided_at=dt.datetime.fromisoformat(decision.decided_at.replace("Z", "+00:00")),
                outcome=data["outcome"], reasons=tuple(data["reasons"]),
                custom_reason_labels=labels, payout=data["payout"],
                eligible_expense=data["eligible_expense"],
                counted_expense=data["counted_expense"],
                per_capita_income=data["per_capita_income"], bands=tuple(data["bands"]),
                tariff_id=data["tariff_id"], tariff_sha256=data["tariff_sha256"],
                engine_version=data["engine_version"], trace=data["trace"],
                trace_sentences=[explain_step(step, "zh", labels) for step in data["trace"]]))
            refs.append((claim, decision))
        written += _store_per_decision(session, ctx, "decision_record", out_dir / "records",
                                       refs, render_decision_records(models))
    return written


def _store_per_decision(session: Any, ctx: Context, kind: str, folder: Path,
                        refs: list[tuple[Claim, DecisionRecord]], pdfs: list[bytes]
                        ) -> list[Written]:
    """Write one PDF per decision as CLAIM-SEQ.pdf under `folder`, each with its SHA-256 in
    the audit trail (one append for the batch)."""
    written: list[Written] = []
    events: list[PendingEvent] = []
    for (claim, decision), pdf in zip(refs, pdfs, strict=True):
        ref = f"{claim.claim_id}#{decision.seq}"
        path = folder / f"{claim.claim_id}-{decision.seq}.pdf"
        store_document(session, ctx, kind, ref, path, pdf, events)
        written.append(Written(kind, ref, path))
    append_events(session, ctx.user_id, ctx.now(), events)
    return written


def summary_counts(ctx: Context, year: int | None = None) -> dict[str, Any]:
    """Households and persons verified, posted and paid, and amounts paid: in total and by
    claim category, household category and township (the figures of a year-end summary)."""
    ctx.require("read")
    keys = ("totals", "category", "household_category", "township")
    sets: dict[str, dict[str, dict[str, Any]]] = {k: defaultdict(lambda: {
        "hv": set(), "pv": set(), "hp": set(), "pp": set(), "hd": set(), "pd": set(),
        "amount": ZERO}) for k in keys}
    with ctx.factory() as session:
        verified = set(session.execute(select(VerificationRow.claim_id).where(
            VerificationRow.status == "submitted")).scalars())
        posted = set(session.execute(select(NoticeItem.claim_id)).scalars())
        paid = {claim_id: amount  # paid = the bank confirmed the transfer
                for claim_id, (_, amount) in confirmed_paid(session).items()}
        query = (select(Claim.claim_id, Claim.household_id, Claim.member_id, Claim.category,
                        Claim.event_date, Household.category, Household.township_code,
                        Household.township_name)
                 .join(Household, Household.household_id == Claim.household_id))
        for row in session.execute(scoped(ctx, query, Household.township_code)):
            claim_id, household_id, member_id, category, event_date, hh_category, code, name = row
            if year is not None and event_date.year != year:
                continue
            person = (household_id, member_id)
            groups = {"totals": "all", "category": category, "household_category": hh_category,
                      "township": f"{name or code}"}
            for key, group in groups.items():
                cell = sets[key][group]
                if claim_id in verified:
                    cell["hv"].add(household_id)
                    cell["pv"].add(person)
                if claim_id in posted:
                    cell["hp"].add(household_id)
                    cell["pp"].add(person)
                if claim_id in paid:
                    cell["hd"].add(household_id)
                    cell["pd"].add(person)
                    cell["amount"] += paid[claim_id]

    def counts(cell: dict[str, Any]) -> dict[str, Any]:
        return {"households_verified": len(cell["hv"]), "persons_verified": len(cell["pv"]),
                "households_posted": len(cell["hp"]), "persons_posted": len(cell["pp"]),
                "households_paid": len(cell["hd"]), "persons_paid": len(cell["pd"]),
                "amount_paid": cell["amount"]}

    return {key: {group: counts(cell) for group, cell in sorted(groups.items())}
            for key, groups in sets.items()}


def default_office(ctx: Context) -> str:
    """The office that issues the county's documents: the `notice.issuing_office` of the
    active tariff that starts last (the one in force), else 乡村振兴局."""
    with ctx.factory() as session:
        book = TariffBook.load(session)
    tariffs = sorted((book.by_pk[pk] for pk in book.active), key=lambda t: t.valid_from,
                     reverse=True)
    return next((t.notice.issuing_office for t in tariffs if t.notice.issuing_office),
                "乡村振兴局")


def summary_report(ctx: Context, pdf_path: Path | None, xlsx_path: Path | None, *,
                   title: str, period_label: str, issuing_office: str | None = None,
                   year: int | None = None) -> list[Written]:
    """The year-end summary as PDF (with charts) and/or XLSX, recorded with their hashes.
    Without `issuing_office`, the tariff's (`default_office`)."""
    if issuing_office is None:
        issuing_office = default_office(ctx)
    from adjudicator.documents import render_summary_report, summary_report_xlsx
    from adjudicator.documents.models import (
        ClaimCategoryRow,
        Counts,
        HouseholdCategoryRow,
        SummaryReport,
        TownshipRow,
    )

    figures = summary_counts(ctx, year)
    totals = figures["totals"].get("all", {})
    with ctx.factory() as session:
        labels = stored_category_labels(session)
    report = SummaryReport(
        title=title, period_label=period_label, issuing_office=issuing_office,
        issue_date=ctx.today(), totals=Counts(**totals),
        by_claim_category=tuple(ClaimCategoryRow(category=k, label=labels.get(k), **v)
                                for k, v in figures["category"].items()),
        by_household_category=tuple(HouseholdCategoryRow(category=k, **v)
                                    for k, v in figures["household_category"].items()),
        by_township=tuple(TownshipRow(township=k, **v) for k, v in figures["township"].items()))
    written: list[Written] = []
    with transaction(ctx.factory) as session:
        events: list[PendingEvent] = []
        for path, make in ((pdf_path, render_summary_report), (xlsx_path, summary_report_xlsx)):
            if path is not None:
                store_document(session, ctx, "summary_report", path.name, path, make(report),
                               events)
                written.append(Written("summary_report", path.name, path))
        append_events(session, ctx.user_id, ctx.now(), events)
    return written
