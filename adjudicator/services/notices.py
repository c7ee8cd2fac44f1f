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
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adjudicator.messages import Message, Refused, worded
from adjudicator.services.calendar import work_calendar
from adjudicator.services.cascade import redecide_later
from adjudicator.services.scope import require_claim_in_scope, require_scope, scoped
from adjudicator.services.tariffs import TariffBook
from adjudicator.services.verification import DEFAULT_DAYS
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, Household, Member
from adjudicator.storage.models_notice import Document, Notice, NoticeItem, Objection
from adjudicator.workflow import ClaimStatus, move
from schemas.vocabulary import CLAIM_STATUSES, NOTICE_STATUSES, Words

ZERO = Decimal(0)


class NoticeRefused(Refused):
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


def _postable(session: Session, ctx: Context, township: str | None, village: str | None
              ) -> dict[str, list[tuple[Claim, Household]]]:
    query = (select(Claim, Household).join(Household, Household.household_id == Claim.household_id)
             .where(Claim.status == ClaimStatus.APPROVED.value)
             .order_by(Household.village_code, Claim.household_id, Claim.claim_id))
    if township:
        query = query.where(Household.township_code.startswith(township))
    if village:
        query = query.where(Household.village_code == village)
    query = scoped(ctx, query, Household.township_code)
    by_village: dict[str, list[tuple[Claim, Household]]] = defaultdict(list)
    for claim, household in session.execute(query):
        by_village[household.village_code].append((claim, household))
    return by_village


@dataclass
class _Plan:
    """One village's notice as read from the database, before anything is written."""

    notice: Notice
    claims: list[tuple[str, int, Decimal]]  # claim id, decision id, payout
    households: int
    tariff_id: str
    model: Any  # the renderer's VillageNotice


def _plan(session: Session, ctx: Context, township: str | None, village: str | None
          ) -> list[_Plan]:
    from adjudicator.documents.models import NoticeRow, VillageNotice

    book = TariffBook.load(session)
    today = ctx.today()
    by_village = _postable(session, ctx, township, village)
    households = sorted({h.household_id for entries in by_village.values() for _, h in entries})
    members = {(m.household_id, m.member_id): m for m in session.execute(
        select(Member).where(Member.household_id.in_(households))).scalars()}
    posted_today = dict(session.execute(
        select(Notice.village_code, func.count()).where(Notice.start_date == today)
        .group_by(Notice.village_code)).all())
    plans = []
    for village_code, entries in sorted(by_village.items()):
        first_claim, household = entries[0]
        assert first_claim.tariff_pk is not None
        tariff = book.by_pk[first_claim.tariff_pk]
        settings = tariff.notice
        end = today + dt.timedelta(days=settings.period_days - 1)
        # One notice per village and day; a second batch the same day gets a suffix.
        again = posted_today.get(village_code, 0)
        notice_no = f"GS-{today:%Y%m%d}-{village_code}" + (f"-{again + 1}" if again else "")
        village_name = household.village_name or village_code
        total = sum((c.final_paid or ZERO for c, _ in entries), ZERO)
        notice = Notice(notice_no=notice_no, village_code=village_code,
                        township_code=household.township_code,
                        title=f"{village_name}防贫保障救助对象公示", start_date=today,
                        end_date=end, status="open", claims=len(entries), total=total,
                        created_by=ctx.user_id, created_at=ctx.now())
        rows = tuple(
            NoticeRow(household_id=c.household_id,
                      name=members[(c.household_id, c.member_id)].name,
                      id_number=members[(c.household_id, c.member_id)].id_number,
                      village=h.village_name or h.village_code, household_category=h.category,
                      claim_category=c.category,
                      claim_category_label=_category_label(book, c),
                      payout=c.final_paid or ZERO,
                      claim_id=c.claim_id)
            for c, h in entries)
        model = VillageNotice(
            issuing_office=settings.issuing_office or tariff.name, title=notice.title,
            village=village_name, township=household.township_name, notice_no=notice_no,
            notice_start=today, notice_end=end, issue_date=today, rows=rows,
            objection_phone=settings.objection_phone or "（见村务公开栏）",
            objection_address=settings.objection_address or "村民委员会")
        claims = [(c.claim_id, c.current_decision_id, c.final_paid or ZERO) for c, _ in entries
                  if c.current_decision_id is not None]
        plans.append(_Plan(notice, claims, len({h.household_id for _, h in entries}),
                           tariff.id, model))
    return plans


def create_notices(ctx: Context, out_dir: Path, *, township: str | None = None,
                   village: str | None = None, render: bool = True) -> list[CreatedNotice]:
    """One notice per village with approved claims not yet posted; claims go in_notice.

    The PDFs are rendered before the write transaction, so that rendering a county's
    notices never holds the database's write lock; the transaction then posts a village's
    notice only if every one of its claims is still approved on the same decision (a
    village whose claims moved meanwhile is left for the next run).
    """
    from adjudicator.documents import render_notices

    ctx.require("notice")
    with ctx.factory() as session:
        plans = _plan(session, ctx, township, village)
    pdfs: list[bytes | None] = (list(render_notices([p.model for p in plans]))
                                if render and plans else [None] * len(plans))
    created: list[CreatedNotice] = []
    with transaction(ctx.factory) as session:
        events: list[PendingEvent] = []
        for plan, pdf in zip(plans, pdfs, strict=True):
            wanted = {claim_id: decision_id for claim_id, decision_id, _ in plan.claims}
            posted = {claim_id: payout for claim_id, _, payout in plan.claims}
            claims = session.execute(select(Claim).where(Claim.claim_id.in_(wanted))
                                     .with_for_update()).scalars().all()
            if len(claims) != len(wanted) or any(
                    c.status != ClaimStatus.APPROVED.value
                    or c.current_decision_id != wanted[c.claim_id] for c in claims):
                continue
            notice = plan.notice
            session.add(notice)
            session.flush()
            for claim_id, decision_id, payout in plan.claims:
                session.add(NoticeItem(notice_id=notice.notice_id, claim_id=claim_id,
                                       decision_id=decision_id, payout=payout))
            for claim in claims:
                move(claim, ClaimStatus.IN_NOTICE, at=ctx.now(), events=events,
                     notice_no=notice.notice_no, decision_id=wanted[claim.claim_id],
                     payout=posted[claim.claim_id])
            events.append(PendingEvent("notice.created", "notice", notice.notice_no, {
                "village_code": notice.village_code, "claims": notice.claims,
                "total": notice.total, "start": notice.start_date.isoformat(),
                "end": notice.end_date.isoformat(), "tariff_id": plan.tariff_id,
                "items": [[claim_id, decision_id, payout]
                          for claim_id, decision_id, payout in plan.claims]}))
            path = None
            if pdf is not None:
                path = out_dir / "notices" / f"{notice.notice_no}.pdf"
                store_document(session, ctx, "notice", notice.notice_no, path, pdf, events)
            created.append(CreatedNotice(notice.notice_id, notice.notice_no,
                                         notice.village_code, notice.claims, plan.households,
                                         notice.total, notice.start_date, notice.end_date,
                                         path))
        append_events(session, ctx.user_id, ctx.now(), events)
    if render:
        render_corrections(ctx, out_dir)
    return created


def render_corrections(ctx: Context, out_dir: Path) -> list[Path]:
    """The PDF of every corrected notice (更正公示) that has none yet, recorded like every
    notice's: the village's title, the original notice's number, and the claims withdrawn
    from it with the amounts it posted and why (names and ID numbers masked). A corrected
    notice is recorded when a claim leaves its notice (an objection, a re-decision); its PDF
    is written by the next `notice create`, which has the documents folder."""
    from adjudicator.documents import render_notices
    from adjudicator.documents.models import NoticeRow, VillageNotice

    ctx.require("notice")
    with ctx.factory() as session:
        done = select(Document.ref).where(Document.kind == "notice")
        pending = list(session.execute(scoped(ctx, select(Notice).where(
            Notice.corrects_notice_id.is_not(None), Notice.notice_no.not_in(done)),
            Notice.township_code).order_by(Notice.notice_id)).scalars())
        if not pending:
            return []
        book = TariffBook.load(session)
        models = []
        for notice in pending:
            original = session.get(Notice, notice.corrects_notice_id)
            changes = notice.changes or []
            claims = {c.claim_id: c for c in session.execute(select(Claim).where(
                Claim.claim_id.in_([ch["claim_id"] for ch in changes]))).scalars()}
            households = {h.household_id: h for h in session.execute(select(Household).where(
                Household.household_id.in_({c.household_id for c in claims.values()})))
                .scalars()}
            members = {(m.household_id, m.member_id): m for m in session.execute(
                select(Member).where(Member.household_id.in_(households))).scalars()}
            rows = []
            for change in changes:
                claim = claims[change["claim_id"]]
                household = households[claim.household_id]
                member = members[(claim.household_id, claim.member_id)]
                rows.append(NoticeRow(
                    household_id=claim.household_id, name=member.name,
                    id_number=member.id_number,
                    village=household.village_name or household.village_code,
                    household_category=household.category, claim_category=claim.category,
                    claim_category_label=_category_label(book, claim),
                    payout=Decimal(change["payout"]), claim_id=claim.claim_id))
            first = claims[changes[0]["claim_id"]]
            settings = book.by_pk[first.tariff_pk].notice if first.tariff_pk else None
            reasons = "；".join(dict.fromkeys(ch["reason"] for ch in changes))
            original_no = original.notice_no if original else ""
            models.append(VillageNotice(
                issuing_office=(settings.issuing_office if settings else None)
                or (book.by_pk[first.tariff_pk].name if first.tariff_pk else "县防贫保障办公室"),
                title=notice.title, village=households[first.household_id].village_name
                or notice.village_code, township=households[first.household_id].township_name,
                notice_no=notice.notice_no, notice_start=notice.start_date,
                notice_end=notice.end_date, issue_date=notice.start_date, rows=tuple(rows),
                objection_phone=(settings.objection_phone if settings else None)
                or "（见村务公开栏）",
                objection_address=(settings.objection_address if settings else None)
                or "村民委员会",
                preamble=f"原公示（编号 {original_no}）中的下列救助对象撤回公示，不予兑现。"
                         f"撤回原因：{reasons}。撤回的对象经重新核查、理算后仍符合条件的，"
                         "将另行公示。"))
    pdfs = list(render_notices(models))
    paths = []
    with transaction(ctx.factory) as session:
        events: list[PendingEvent] = []
        for notice, pdf in zip(pending, pdfs, strict=True):
            path = out_dir / "notices" / f"{notice.notice_no}.pdf"
            store_document(session, ctx, "notice", notice.notice_no, path, pdf, events)
            paths.append(path)
        append_events(session, ctx.user_id, ctx.now(), events)
    return paths


def record_objection(ctx: Context, claim_id: str, reason: str) -> Objection:
    """异议: the claim leaves the notice and goes back to verification."""
    ctx.require("notice")
    if not reason or not reason.strip():
        raise NoticeRefused(Message("notice.no_reason"))
    with transaction(ctx.factory) as session:
        claim = session.execute(select(Claim).where(Claim.claim_id == claim_id)
                                .with_for_update()).scalar_one_or_none()
        if claim is None:
            raise NoticeRefused(Message("notice.no_claim", claim=claim_id))
        require_claim_in_scope(ctx, session, claim_id)
        if claim.status != ClaimStatus.IN_NOTICE.value:
            raise NoticeRefused(Message("notice.not_in_notice", claim=claim_id,
                                        status=worded(CLAIM_STATUSES, claim.status),
                                        status_code=claim.status))
        item = session.execute(select(NoticeItem).where(NoticeItem.claim_id == claim_id)
                               .order_by(NoticeItem.pk.desc()).limit(1)).scalar_one()
        objection = Objection(claim_id=claim_id, notice_id=item.notice_id,
                              reason=reason.strip(), recorded_by=ctx.user_id,
                              recorded_at=ctx.now())
        session.add(objection)
        events = [PendingEvent("notice.objection", "claim", claim_id,
                               {"notice_id": item.notice_id, "reason": reason.strip()})]
        move(claim, ClaimStatus.OBJECTED, at=None, events=events)
        move(claim, ClaimStatus.UNDER_VERIFICATION, at=ctx.now(), events=events)
        # The approval is no longer final: it leaves the household's history until the
        # claim is verified and decided again, within a new verification deadline.
        claim.final_counted_expense = claim.final_paid = None
        claim.verification_due = work_calendar(session).deadline(ctx.today(),
                                                                 DEFAULT_DAYS).due
        withdraw_from_notices(session, ctx, [claim], f"公示期内收到异议：{reason.strip()}",
                              events)
        # Its approval entered the history of the household's later decisions: they are
        # decided again once it is final again (RULES.md).
        redecide_later(session, ctx, claim, "objection", events)
        append_events(session, ctx.user_id, ctx.now(), events)
        return objection


def withdraw_from_notices(session: Session, ctx: Context, claims: list[Claim], reason: str,
                          events: list[PendingEvent]) -> list[Notice]:
    """Claims leave the open notices they sit in: for each such notice, a corrected notice
    (更正公示) of the same village, recorded like any notice (a `notices` row, status
    `posted`, and its event), says which claims were withdrawn, with what amount, and why.
    Closing the original notice then makes none of them payable."""
    if not claims:
        return []
    by_notice: dict[int, list[tuple[Claim, NoticeItem]]] = defaultdict(list)
    for claim in claims:
        item = session.execute(select(NoticeItem).where(NoticeItem.claim_id == claim.claim_id)
                               .order_by(NoticeItem.pk.desc()).limit(1)).scalar_one_or_none()
        if item is not None:
            by_notice[item.notice_id].append((claim, item))
    corrected = []
    today = ctx.today()
    for notice_id, entries in sorted(by_notice.items()):
        original = session.get(Notice, notice_id)
        assert original is not None
        if original.status != "open":
            continue
        count = session.execute(select(func.count()).select_from(Notice).where(
            Notice.corrects_notice_id == notice_id)).scalar_one()
        changes = [{"claim_id": c.claim_id, "household_id": c.household_id,
                    "decision_id": item.decision_id, "payout": format(item.payout, "f"),
                    "change": "撤回", "reason": reason} for c, item in entries]
        notice = Notice(notice_no=f"{original.notice_no}-GZ{count + 1}",
                        village_code=original.village_code,
                        township_code=original.township_code,
                        title=original.title.removesuffix("公示") + "更正公示",
                        start_date=today, end_date=today, status="posted",
                        claims=len(entries), total=sum((i.payout for _, i in entries), ZERO),
                        created_by=ctx.user_id, created_at=ctx.now(),
                        corrects_notice_id=notice_id, changes=changes)
        session.add(notice)
        session.flush()
        events.append(PendingEvent("notice.corrected", "notice", notice.notice_no, {
            "corrects": original.notice_no, "village_code": notice.village_code,
            "total": notice.total, "changes": changes}))
        corrected.append(notice)
    return corrected


def close_notice(ctx: Context, notice_no: str) -> tuple[int, int]:
    """Close a notice after its end date: (claims now payable, claims objected)."""
    ctx.require("notice")
    with transaction(ctx.factory) as session:
        notice = session.execute(select(Notice).where(Notice.notice_no == notice_no)
                                 .with_for_update()).scalar_one_or_none()
        if notice is None:
            raise NoticeRefused(Message("notice.no_notice", notice=notice_no))
        require_scope(ctx, notice.township_code,
                      Words(f"公示 {notice_no}", f"notice {notice_no}"))
        if notice.status != "open":
            raise NoticeRefused(Message("notice.not_open", notice=notice_no,
                                        status=worded(NOTICE_STATUSES, notice.status),
                                        status_code=notice.status))
        if ctx.today() <= notice.end_date:
            raise NoticeRefused(Message("notice.running", notice=notice_no, end=notice.end_date,
                                        first=notice.end_date + dt.timedelta(days=1)))
        claim_ids = list(session.execute(select(NoticeItem.claim_id).where(
            NoticeItem.notice_id == notice.notice_id)).scalars())
        posted = dict(session.execute(select(NoticeItem.claim_id, NoticeItem.decision_id)
                                      .where(NoticeItem.notice_id == notice.notice_id)).all())
        claims = session.execute(select(Claim).where(Claim.claim_id.in_(claim_ids))
                                 .with_for_update()).scalars().all()
        events: list[PendingEvent] = []
        payable = objected = 0
        for claim in claims:
            # Only a claim still on this notice with the decision it posted becomes payable:
            # one that left it (an objection, a re-decision) or was posted again elsewhere
            # is not this notice's to close.
            if (claim.status == ClaimStatus.IN_NOTICE.value
                    and claim.current_decision_id == posted[claim.claim_id]
                    and _last_notice(session, claim.claim_id) == notice.notice_id):
                move(claim, ClaimStatus.CLOSED, at=ctx.now(), events=events)
                payable += 1
            else:
                objected += 1
        notice.status, notice.closed_by, notice.closed_at = "closed", ctx.user_id, ctx.now()
        events.append(PendingEvent("notice.closed", "notice", notice_no,
                                   {"payable": payable, "objected": objected}))
        append_events(session, ctx.user_id, ctx.now(), events)
        return payable, objected


def _last_notice(session: Session, claim_id: str) -> int | None:
    return session.execute(select(NoticeItem.notice_id).where(NoticeItem.claim_id == claim_id)
                           .order_by(NoticeItem.pk.desc()).limit(1)).scalar()


def close_due_notices(ctx: Context) -> list[tuple[str, int, int]]:
    """Close every open notice whose period has ended."""
    ctx.require("notice")
    with ctx.factory() as session:
        due = list(session.execute(scoped(ctx, select(Notice.notice_no).where(
            Notice.status == "open", Notice.end_date < ctx.today())
            .order_by(Notice.notice_no), Notice.township_code)).scalars())
    return [(no, *close_notice(ctx, no)) for no in due]


def list_notices(ctx: Context, status: str | None = None) -> list[Notice]:
    ctx.require("read")
    with ctx.factory() as session:
        query = scoped(ctx, select(Notice).order_by(Notice.notice_id), Notice.township_code)
        if status:
            query = query.where(Notice.status == status)
        return list(session.execute(query).scalars())


def _category_label(book: TariffBook, claim: Claim) -> str:
    """The claim's category as its tariff names it (因被盗 for a tariff's own theft)."""
    assert claim.tariff_pk is not None
    return book.by_pk[claim.tariff_pk].category_label(claim.category)


__all__ = ["CreatedNotice", "NoticeRefused", "close_due_notices", "close_notice",
           "create_notices", "list_notices", "record_objection", "store_document",
           "withdraw_from_notices"]
