"""The county officer's work through the services: the pend queue of their townships, a
decision in words, reviews, notices and their PDFs, sampling audits and the summary report.

Only display glue lives here (shaping figures for a page); every decision, state change and
document comes from `adjudicator.services`, which also keep to the officer's townships (the
request's Context carries them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from adjudicator.documents.models import (
    CLAIM_CATEGORY_LABELS,
    HOUSEHOLD_CATEGORY_LABELS,
    ClaimCategoryRow,
    Counts,
    HouseholdCategoryRow,
    SummaryReport,
    TownshipRow,
)
from adjudicator.explain import explain_decision
from adjudicator.rules.reasons import reason_text
from adjudicator.services.documents import summary_counts
from adjudicator.services.notices import CreatedNotice, create_notices
from adjudicator.services.review import PendedClaim, decision_json, list_pended, resolve
from adjudicator.services.scope import in_scope, require_scope
from adjudicator.storage.context import Context
from adjudicator.storage.db import fits_id
from adjudicator.storage.models import Review
from adjudicator.storage.models_notice import Document, Notice
from adjudicator.web.auth import SignedIn
from adjudicator.web.errors import REFUSALS, WebError, refusal
from schemas.vocabulary import ANSWERS

ZERO = Decimal(0)


def call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a service function; its refusals become WebErrors (Chinese, with a status)."""
    try:
        return function(*args, **kwargs)
    except REFUSALS as exc:
        raise refusal(exc) from exc


# --------------------------------------------------------------------------- pend queue


def pend_queue(ctx: Context, signed: SignedIn) -> list[PendedClaim]:
    """Pended claims of the officer's townships (all when the user has none), oldest first."""
    return list(call(list_pended, ctx))


@dataclass(frozen=True)
class DecisionView:
    """A stored decision as a page shows it."""

    claim_id: str
    decision: dict[str, Any]
    lines: list[str]
    reasons: list[tuple[str, str]]
    pended: PendedClaim | None


def decision_view(ctx: Context, signed: SignedIn, claim_id: str) -> DecisionView:
    decision = call(decision_json, ctx, claim_id)
    if decision is None:
        raise WebError(404, "not_found", "没有这个案件，或该案件还没有理算结论。",
                       detail=f"no decision for claim {claim_id}")
    pended = next((p for p in pend_queue(ctx, signed) if p.claim_id == claim_id), None)
    return DecisionView(claim_id, decision, explain_decision(decision, "zh"),
                        [(code, reason_text(code)) for code in decision["reasons"]], pended)


@dataclass(frozen=True)
class Evidence:
    pk: int
    kind: str
    ref: str
    note: str | None


@dataclass(frozen=True)
class CaseFacts:
    """What a reviewer needs in front of them: who, where, which document, the verification's
    itemised income and answers, and the evidence (photos served by `evidence_file`)."""

    claimant: str
    claimant_id: str
    relation: str
    household_id: str
    household_category: str
    township: str
    village: str
    document_no: str
    event_date: Any
    tariff_name: str
    members: list[tuple[str, str, bool]]
    verified_on: str | None
    verifier_id: str | None
    income: list[tuple[str, Any]]
    costs: list[tuple[str, Any]]
    answers: list[tuple[str, str]]
    findings: list[tuple[str, str]]
    evidence: list[Evidence]


def case_facts(ctx: Context, signed: SignedIn, claim_id: str) -> CaseFacts | None:
    """The facts of a claim's current decision, for an officer of its township."""
    import orjson

    from adjudicator.masking import mask_id_number
    from adjudicator.rules.negative_items import BUILTIN_ITEMS
    from adjudicator.services.tariffs import TariffBook
    from adjudicator.services.verification import INCOME_LABELS, SOURCE_LABELS
    from adjudicator.storage.models import Claim, DecisionRecord, Household, Member
    from adjudicator.storage.models_audit import VerificationEvidence
    from adjudicator.web.labels import RELATION_LABELS

    ctx.require("read")
    with ctx.factory() as session:
        claim = session.get(Claim, claim_id)
        if claim is None or claim.current_decision_id is None:
            return None
        household = session.get(Household, claim.household_id)
        decision = session.get(DecisionRecord, claim.current_decision_id)
        assert household is not None and decision is not None
        if not in_scope(ctx, household.township_code):
            raise WebError(403, "out_of_scope", "该案件不属于您负责的乡镇。",
                           detail=f"claim {claim_id} is in township {household.township_code}")
        members = list(session.execute(select(Member).where(
            Member.household_id == claim.household_id).order_by(Member.member_id)).scalars())
        tariff = TariffBook.load(session).by_pk[decision.tariff_pk]
        rows = session.execute(select(VerificationEvidence).where(
            VerificationEvidence.claim_id == claim_id,
            VerificationEvidence.verification_pk.is_not(None))
            .order_by(VerificationEvidence.pk)).scalars()
        evidence = [Evidence(e.pk, e.kind, e.ref, e.note) for e in rows]
    case = orjson.loads(decision.case_json)
    found = case.get("verification") or {}
    counted = {m["member_id"]: m.get("counted", True)
               for m in case.get("household", {}).get("members", [])}
    labels = {**BUILTIN_ITEMS, **dict(tariff.negative_items)}
    claimant = next((m for m in members if m.member_id == claim.member_id), None)
    return CaseFacts(
        claimant=claimant.name if claimant else claim.member_id,
        claimant_id=mask_id_number(claimant.id_number) if claimant else "",
        relation=RELATION_LABELS.get(claimant.relation, "") if claimant else "",
        household_id=claim.household_id,
        household_category=HOUSEHOLD_CATEGORY_LABELS.get(household.category,
                                                         household.category),
        township=household.township_name or household.township_code,
        village=household.village_name or household.village_code,
        document_no=claim.document_no or "—", event_date=claim.event_date,
        tariff_name=tariff.name,
        members=[(m.name, RELATION_LABELS.get(m.relation, m.relation),
                  bool(counted.get(m.member_id, m.counted))) for m in members],
        verified_on=found.get("verified_on"), verifier_id=found.get("verifier_id"),
        income=[(INCOME_LABELS.get(i["kind"], i["kind"]), Decimal(i["amount"]))
                for i in found.get("income") or []],
        costs=[("生产经营性支出" if c["kind"] == "production" else c["kind"],
                Decimal(c["amount"])) for c in found.get("costs") or []],
        answers=[(labels.get(item, item), ANSWERS[None if answer is None else bool(answer)].zh)
                 for item, answer in (found.get("negative_list") or {}).items()],
        findings=[(SOURCE_LABELS.get(c.get("source", ""), c.get("source", "")),
                   labels.get(c.get("item", ""), c.get("item", "")))
                  for c in found.get("cross_checks") or [] if c.get("found")],
        evidence=evidence)


#: Evidence served to a browser: photos and scanned documents, by their stored type.
_EVIDENCE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def evidence_file(ctx: Context, signed: SignedIn, claim_id: str, pk: int,
                  evidence_dir: Path) -> tuple[Path, str]:
    """The stored file of one piece of evidence of `claim_id`, for an officer of its
    township or an auditor: only a file of the evidence folder named by its SHA-256, whose
    content still has that hash (a changed or missing file is refused)."""
    from adjudicator.storage.models import Claim, Household
    from adjudicator.storage.models_audit import VerificationEvidence

    ctx.require("read")
    with ctx.factory() as session:
        row = session.get(VerificationEvidence, pk) if fits_id(pk) else None
        claim = session.get(Claim, claim_id)
        household = session.get(Household, claim.household_id) if claim else None
    missing = WebError(404, "not_found", "没有这份佐证材料。",
                       detail=f"no evidence {pk} of claim {claim_id}")
    if row is None or household is None or row.claim_id != claim_id or not row.sha256:
        raise missing
    if ctx.role == "officer" and not in_scope(ctx, household.township_code):
        raise WebError(403, "out_of_scope", "该案件不属于您负责的乡镇。",
                       detail=f"claim {claim_id} is in township {household.township_code}")
    name = Path(row.ref).name
    stem, _, extension = name.partition(".")
    if stem != row.sha256 or extension not in _EVIDENCE_TYPES:
        raise missing
    path = evidence_dir / name
    if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != row.sha256:
        raise WebError(409, "evidence_changed", "佐证材料文件缺失或已被改动，请联系管理员。",
                       detail=f"evidence {pk}: {name}")
    return path, _EVIDENCE_TYPES[extension]


def review(ctx: Context, signed: SignedIn, claim_id: str, action: str, reason: str) -> Review:
    """Approve or deny with the service (it enforces maker-checker and the officer's
    townships)."""
    return call(resolve, ctx, claim_id, action, reason)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- notices


def post_notices(ctx: Context, signed: SignedIn, out_dir: Path, township: str | None,
                 village: str | None) -> list[CreatedNotice]:
    """Post notices for a township or village of the officer's (all of theirs by default)."""
    ctx.require("notice")
    if township and not in_scope(ctx, township):
        raise WebError(403, "out_of_scope", "该乡镇不属于您负责的范围。")
    if village and not in_scope(ctx, village):
        raise WebError(403, "out_of_scope", "该村不属于您负责的范围。")
    return list(call(create_notices, ctx, out_dir, township=township or None,
                     village=village or None))


def notice_pdf(ctx: Context, notice_no: str, documents_dir: Path) -> tuple[Path, str]:
    """The stored PDF of a notice, checked against the SHA-256 recorded when it was written.

    The `documents` row is not trusted alone: it must be the one the event chain recorded
    (path and SHA-256), and the file must lie in the documents folder; a row pointing
    anywhere else is refused, never served."""
    from adjudicator.storage.models import Event

    ctx.require("read")
    with ctx.factory() as session:
        notice = session.execute(select(Notice.township_code).where(
            Notice.notice_no == notice_no)).scalar_one_or_none()
        if notice is not None:
            call(require_scope, ctx, notice, f"notice {notice_no}")
        document = session.execute(
            select(Document).where(Document.kind == "notice", Document.ref == notice_no)
            .order_by(Document.pk.desc()).limit(1)).scalar_one_or_none()
        recorded = [orjson.loads(p) for p in session.execute(
            select(Event.payload).where(Event.entity_id == notice_no,
                                        Event.kind == "document.generated")).scalars()]
    if document is None:
        raise WebError(404, "not_found", "这个公示没有生成 PDF 文件。")
    if not any(r.get("path") == document.path and r.get("sha256") == document.sha256
               for r in recorded):
        raise WebError(500, "document_changed", "公示 PDF 的登记与审计链记录不一致，已停止下载。",
                       detail=f"document {document.pk}: not the one the chain recorded")
    path = Path(document.path)
    if not path.resolve().is_relative_to(documents_dir.resolve()):
        raise WebError(403, "document_outside", "公示 PDF 不在文书目录内，已拒绝下载。",
                       detail=f"document {document.pk} lies outside the documents folder")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WebError(410, "document_missing", "公示 PDF 文件已不在存放位置，请联系管理员。",
                       detail=f"document {document.pk} is not readable") from exc
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise WebError(500, "document_changed", "公示 PDF 文件与生成时记录的不一致，已停止下载。",
                       detail=f"document {document.pk}: SHA-256 differs from the record")
    return path, document.sha256


# --------------------------------------------------------------------------- summary


def summary_model(ctx: Context, year: int | None, office: str, period: str,
                  title: str = "防贫保障工作总结") -> SummaryReport:
    """The summary's figures (the same the PDF and XLSX print) as the documents' model."""
    figures = summary_counts(ctx, year)
    totals = figures["totals"].get("all") or dict.fromkeys(Counts.model_fields, 0)
    return SummaryReport(
        title=title, period_label=period, issuing_office=office, issue_date=ctx.today(),
        totals=Counts(**totals),
        by_claim_category=tuple(ClaimCategoryRow(category=k, **v)
                                for k, v in figures["category"].items()),
        by_household_category=tuple(HouseholdCategoryRow(category=k, **v)
                                    for k, v in figures["household_category"].items()),
        by_township=tuple(TownshipRow(township=k, **v) for k, v in figures["township"].items()))


@dataclass(frozen=True)
class Bar:
    label: str
    households: int
    amount: Decimal
    percent: float


def bars(rows: list[tuple[str, int, Decimal]]) -> list[Bar]:
    """Rows scaled for a CSS bar chart (the longest bar is 100 %)."""
    top = max((amount for _, _, amount in rows), default=ZERO)
    return [Bar(label, households, amount,
                float(amount / top * 100) if top > 0 else 0.0)
            for label, households, amount in rows]


def charts(report: SummaryReport) -> list[tuple[str, list[Bar]]]:
    return [
        ("按救助类别", bars([(CLAIM_CATEGORY_LABELS.get(r.category, r.category),
                             r.households_paid, r.amount_paid)
                            for r in report.by_claim_category])),
        ("按户类别", bars([(HOUSEHOLD_CATEGORY_LABELS.get(r.category, r.category),
                           r.households_paid, r.amount_paid)
                          for r in report.by_household_category])),
        ("按乡镇", bars([(r.township, r.households_paid, r.amount_paid)
                        for r in report.by_township])),
    ]


def period_label(year: int | None) -> str:
    return f"{year}年" if year else "全部年度"


def write_summary(ctx: Context, documents_dir: Path, office: str, year: int | None,
                  fmt: str) -> Path:
    """The summary report as PDF or XLSX under `documents_dir/reports`, written and recorded
    (with its SHA-256) by the documents service."""
    from adjudicator.services.documents import summary_report

    moment = "".join(ch for ch in ctx.now() if ch.isdigit())[:14]
    path = documents_dir / "reports" / f"summary-{year or 'all'}-{moment}.{fmt}"
    call(summary_report, ctx, path if fmt == "pdf" else None, path if fmt == "xlsx" else None,
         title="防贫保障工作总结", period_label=period_label(year), issuing_office=office,
         year=year)
    return path
