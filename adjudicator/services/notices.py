"""公示: post approved claims on village notices, record objections, close notice periods.

A notice lists one village's approved claims not yet posted; its period comes from the
tariff's `notice.period_days` (both ends included). An objection sends its claim back to
verification; closing a notice after its end date makes the claims without objection payable.
Every PDF written is stored with its SHA-256 in `documents` and in the event chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adjudicator.services.tariffs import TariffBook
from adjudicator.services.verification import DEFAULT_DAYS
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, DecisionRecord, Household, Member
from adjudicator.storage.models_notice import Document, Notice, NoticeItem, Objection
from adjudicator.workdays import add_working_days
from adjudicator.workflow import ClaimStatus, check_transition

ZERO = Decimal(0)


class NoticeRefused(ValueError):
    """A notice operation that cannot be done as asked."""


@dataclass(frozen=True)
class CreatedNotice:
    notice_id: int
    notice_no: str
    village_code: str
    claims: int
    households: int
    total: Decimal
    start: dt.date
    end: dt.date
    pdf: Path | None


def store_document(session: Session, ctx: Context, kind: str, ref: str, path: Path,
                   data: bytes, events: list[PendingEvent]) -> Document:
    """Write a generated file and record it with its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    document = Document(kind=kind, ref=ref, path=str(path), sha256=digest, size=len(data),
                        created_by=ctx.user_id, created_at=ctx.now())
    session.add(document)
    events.append(PendingEvent("document.generated", kind, ref,
                               {"path": str(path), "sha256": digest, "size": len(data)}))
    return document


def _postable(session: Session, township: str | None, village: str | None
              ) -> dict[str, list[tuple[Claim, Household]]]:
    query = (select(Claim, Household).join(Household, Household.household_id == Claim.household_id)
             .where(Claim.status == ClaimStatus.APPROVED.value)
             .order_by(Household.village_code, Claim.household_id, Claim.claim_id)
             .with_for_update(of=Claim))
    if township:
        query = query.where(Household.township_code.startswith(township))
    if village:
        query = query.where(Household.village_code == village)
    by_village: dict[str, list[tuple[Claim, Household]]] = defaultdict(list)
    for claim, household in session.execute(query):
        by_village[household.village_code].append((claim, household))
    return by_village


def create_notices(ctx: Context, out_dir: Path, *, township: str | None = None,
                   village: str | None = None, render: bool = True) -> list[CreatedNotice]:
    """One notice per village with approved claims not yet posted; claims go in_notice."""
    ctx.require("notice")
    created: list[CreatedNotice] = []
    with transaction(ctx.factory) as session:
        book = TariffBook.load(session)
        today = ctx.today()
        sequence = session.execute(select(func.count()).select_from(Notice)).scalar_one()
        events: list[PendingEvent] = []
        notices_to_render = []
        for village_code, entries in sorted(_postable(session, township, village).items()):
            first_claim, household = entries[0]
            assert first_claim.tariff_pk is not None
            tariff = book.by_pk[first_claim.tariff_pk]
            start = today
            end = start + dt.timedelta(days=tariff.notice.period_days - 1)
            sequence += 1
            notice_no = f"GS-{today:%Y%m%d}-{sequence:05d}"
            village_name = household.village_name or village_code
            total = sum((c.final_paid or ZERO for c, _ in entries), ZERO)
            notice = Notice(notice_no=notice_no, village_code=village_code,
                            township_code=household.township_code,
                            title=f"{village_name}防贫保障救助对象公示", start_date=start,
                            end_date=end, status="open", claims=len(entries), total=total,
                            created_by=ctx.user_id, created_at=ctx.now())
            session.add(notice)
            session.flush()
            for claim, _ in entries:
                assert claim.current_decision_id is not None
                session.add(NoticeItem(notice_id=notice.notice_id, claim_id=claim.claim_id,
                                       decision_id=claim.current_decision_id,
                                       payout=claim.final_paid or ZERO))
                claim.status = check_transition(claim.claim_id, claim.status,
                                                ClaimStatus.IN_NOTICE.value).value
                claim.updated_at = ctx.now()
                events.append(PendingEvent("claim.status", "claim", claim.claim_id, {
                    "from": "approved", "to": "in_notice", "notice_no": notice_no}))
            events.append(PendingEvent("notice.created", "notice", notice_no, {
                "village_code": village_code, "claims": len(entries), "total": total,
                "start": start.isoformat(), "end": end.isoformat(),
                "tariff_id": tariff.id}))
            notices_to_render.append((notice, entries, tariff, village_name, household))
        pdfs: dict[int, Path] = {}
        if render and notices_to_render:
            pdfs = _render_notices(session, ctx, out_dir, notices_to_render, events)
        append_events(session, ctx.user_id, ctx.now(), events)
        for notice, entries, _, _, _ in notices_to_render:
            created.append(CreatedNotice(notice.notice_id, notice.notice_no, notice.village_code,
                                         notice.claims, len({h.household_id for _, h in entries}),
                                         notice.total, notice.start_date, notice.end_date,
                                         pdfs.get(notice.notice_id)))
    return created


def _render_notices(session: Session, ctx: Context, out_dir: Path, notices: list,  # type: ignore[type-arg]
                    events: list[PendingEvent]) -> dict[int, Path]:
    from adjudicator.documents import render_notices
    from adjudicator.documents.models import NoticeRow, VillageNotice

    member_ids = {(c.household_id, c.member_id) for _, entries, _, _, _ in notices
                  for c, _ in entries}
    households = sorted({h for h, _ in member_ids})
    members = {(m.household_id, m.member_id): m for m in session.execute(
        select(Member).where(Member.household_id.in_(households))).scalars()}
    models = []
    for notice, entries, tariff, village_name, household in notices:
        settings = tariff.notice
        rows = tuple(
            NoticeRow(household_id=c.household_id, name=members[(c.household_id, c.member_id)].name,
                      id_number=members[(c.household_id, c.member_id)].id_number,
                      village=h.village_name or h.village_code, household_category=h.category,
                      claim_category=c.category, payout=c.final_paid or ZERO,
                      claim_id=c.claim_id)
            for c, h in entries)
        models.append(VillageNotice(
            issuing_office=settings.issuing_office or tariff.name, title=notice.title,
            village=village_name, township=household.township_name,
            notice_no=notice.notice_no, notice_start=notice.start_date,
            notice_end=notice.end_date, issue_date=notice.start_date, rows=rows,
            objection_phone=settings.objection_phone or "（见村务公开栏）",
            objection_address=settings.objection_address or "村民委员会"))
    paths: dict[int, Path] = {}
    for (notice, *_), pdf in zip(notices, render_notices(models), strict=True):
        path = out_dir / "notices" / f"{notice.notice_no}-{notice.village_code}.pdf"
        store_document(session, ctx, "notice", notice.notice_no, path, pdf, events)
        paths[notice.notice_id] = path
    return paths


def record_objection(ctx: Context, claim_id: str, reason: str) -> Objection:
    """异议: the claim leaves the notice and goes back to verification."""
    ctx.require("notice")
    if not reason or not reason.strip():
        raise NoticeRefused("an objection needs its reason")
    with transaction(ctx.factory) as session:
        claim = session.execute(select(Claim).where(Claim.claim_id == claim_id)
                                .with_for_update()).scalar_one_or_none()
        if claim is None:
            raise NoticeRefused(f"no claim {claim_id}")
        if claim.status != ClaimStatus.IN_NOTICE.value:
            raise NoticeRefused(f"claim {claim_id} is {claim.status}: objections are recorded "
                                "during its notice period")
        item = session.execute(select(NoticeItem).where(NoticeItem.claim_id == claim_id)
                               .order_by(NoticeItem.pk.desc()).limit(1)).scalar_one()
        objection = Objection(claim_id=claim_id, notice_id=item.notice_id,
                              reason=reason.strip(), recorded_by=ctx.user_id,
                              recorded_at=ctx.now())
        session.add(objection)
        check_transition(claim_id, claim.status, ClaimStatus.OBJECTED.value)
        claim.status = check_transition(claim_id, ClaimStatus.OBJECTED.value,
                                        ClaimStatus.UNDER_VERIFICATION.value).value
        # The approval is no longer final: it leaves the household's history until the
        # claim is verified and decided again, within a new verification deadline.
        claim.final_counted_expense = claim.final_paid = None
        claim.verification_due = add_working_days(ctx.today(), DEFAULT_DAYS)
        claim.updated_at = ctx.now()
        append_events(session, ctx.user_id, ctx.now(), [
            PendingEvent("notice.objection", "claim", claim_id,
                         {"notice_id": item.notice_id, "reason": reason.strip()}),
            PendingEvent("claim.status", "claim", claim_id,
                         {"from": "in_notice", "to": "objected"}),
            PendingEvent("claim.status", "claim", claim_id,
                         {"from": "objected", "to": "under_verification"}),
        ])
        return objection


def close_notice(ctx: Context, notice_no: str) -> tuple[int, int]:
    """Close a notice after its end date: (claims now payable, claims objected)."""
    ctx.require("notice")
    with transaction(ctx.factory) as session:
        notice = session.execute(select(Notice).where(Notice.notice_no == notice_no)
                                 .with_for_update()).scalar_one_or_none()
        if notice is None:
            raise NoticeRefused(f"no notice {notice_no}")
        if notice.status != "open":
            raise NoticeRefused(f"notice {notice_no} is already {notice.status}")
        if ctx.today() <= notice.end_date:
            raise NoticeRefused(f"notice {notice_no} runs until {notice.end_date}: it can be "
                                f"closed from {notice.end_date + dt.timedelta(days=1)}")
        claim_ids = list(session.execute(select(NoticeItem.claim_id).where(
            NoticeItem.notice_id == notice.notice_id)).scalars())
        claims = session.execute(select(Claim).where(Claim.claim_id.in_(claim_ids))
                                 .with_for_update()).scalars().all()
        events: list[PendingEvent] = []
        payable = objected = 0
        for claim in claims:
            if claim.status == ClaimStatus.IN_NOTICE.value:
                claim.status = check_transition(claim.claim_id, claim.status,
                                                ClaimStatus.CLOSED.value).value
                claim.updated_at = ctx.now()
                payable += 1
                events.append(PendingEvent("claim.status", "claim", claim.claim_id,
                                           {"from": "in_notice", "to": "closed"}))
            else:
                objected += 1
        notice.status, notice.closed_by, notice.closed_at = "closed", ctx.user_id, ctx.now()
        events.append(PendingEvent("notice.closed", "notice", notice_no,
                                   {"payable": payable, "objected": objected}))
        append_events(session, ctx.user_id, ctx.now(), events)
        return payable, objected


def close_due_notices(ctx: Context) -> list[tuple[str, int, int]]:
    """Close every open notice whose period has ended."""
    ctx.require("notice")
    with ctx.factory() as session:
        due = list(session.execute(select(Notice.notice_no).where(
            Notice.status == "open", Notice.end_date < ctx.today())
            .order_by(Notice.notice_no)).scalars())
    return [(no, *close_notice(ctx, no)) for no in due]


def list_notices(ctx: Context, status: str | None = None) -> list[Notice]:
    ctx.require("read")
    with ctx.factory() as session:
        query = select(Notice).order_by(Notice.notice_id)
        if status:
            query = query.where(Notice.status == status)
        return list(session.execute(query).scalars())


__all__ = ["DecisionRecord", "close_due_notices", "close_notice", "create_notices",
           "list_notices", "record_objection"]
