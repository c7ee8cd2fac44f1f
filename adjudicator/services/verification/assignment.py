"""入户核查: assigning screened claims to field verifiers, the verification form, recording it.

A supervisor assigns screened claims to the verifiers who cover the household's township,
least loaded first and within each verifier's workload limit, with a deadline in working days.
The assigned verifier prints a form prefilled with what is known (members, the tariff's active
negative-list items, department findings, evidence), fills it at the household and records
it: an incomplete form is kept as a draft and the claim waits; a complete one is stored as
exactly a `schemas.case.Verification` (without cross-checks, which `build_case` adds from the
stored findings) and the claim becomes `verified`, ready for adjudication.

Personal data: the form carries members' real names (the verifier checks them at the door)
and masked ID numbers; events and errors carry item codes, member ids and counts, never a
name or an ID number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adjudicator.holiday_calendar import Deadline
from adjudicator.roles import PermissionDenied, Role
from adjudicator.rules import reasons as R
from adjudicator.rules.negative_list import CONCEALMENT, concealment_active, contradicted
from adjudicator.rules.tariff import Tariff
from adjudicator.services.calendar import work_calendar
from adjudicator.services.tariffs import TariffBook, TariffChoiceError
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, DecisionRecord, Finding, Household, Member, User
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_audit import VerificationEvidence
from adjudicator.workflow import ClaimStatus, IllegalTransition, move
from schemas.case import CostItem, Identifier, IncomeItem, ItemCode, Verification
from schemas.types import CostKind, CrossCheckSource, IncomeKind, Money
from schemas.vocabulary import (
    COST_KINDS,
    CROSS_CHECK_SOURCES,
    INCOME_KINDS,
    NO_WORDS,
    YES_WORDS,
    zh_table,
)

S = ClaimStatus
#: Statuses from which a complete verification moves a claim to `verified`.
RECORDABLE = frozenset({S.UNDER_VERIFICATION, S.SCREENED, S.PENDED, S.OBJECTED, S.DENIED})
DEFAULT_DAYS = 5

INCOME_LABELS: dict[str, str] = zh_table(INCOME_KINDS)
COST_LABELS: dict[str, str] = zh_table(COST_KINDS)
#: The department behind each cross-check source, as a verifier reads it on the form.
SOURCE_LABELS: dict[str, str] = zh_table(CROSS_CHECK_SOURCES)
EVIDENCE_KINDS = ("receipt", "photo", "document")


class VerificationRefused(ValueError):
    """The verification cannot be assigned, printed or recorded as asked; says why."""


# --------------------------------------------------------------------------- the form




def _answer(value: Any) -> Any:
    """A yes/no answer as written on a form: true/false, 是/否, 有/无; blank means unanswered."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in YES_WORDS:
            return True
        if text in NO_WORDS:
            return False
    raise PydanticCustomError("flag", "answer true (是) or false (否), or leave it blank (null)")


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Answer = Annotated[bool | None, BeforeValidator(_answer)]
OptionalMoney = Annotated[Money | None, BeforeValidator(_blank_to_none)]
OptionalDate = Annotated[dt.date | None, BeforeValidator(_blank_to_none)]
Text200 = Annotated[str, StringConstraints(max_length=200)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$", to_lower=True)]
_FORM = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FormMember(BaseModel):
    """A household member on the form; only `counted` is read back (name and ID are shown)."""

    model_config = _FORM

    member_id: Identifier
    name: Text200 | None = None
    relation: Text200 | None = None
    id_number: Text200 | None = None
    counted: Answer = None


class FormIncome(BaseModel):
    model_config = _FORM

    kind: IncomeKind
    label: Text200 | None = None
    amount: OptionalMoney = None
    note: Text200 | None = None


class FormCost(BaseModel):
    model_config = _FORM

    kind: CostKind
    label: Text200 | None = None
    amount: OptionalMoney = None
    note: Text200 | None = None


class FormAnswer(BaseModel):
    """One active negative-list item and the verifier's answer (None: not yet answered)."""

    model_config = _FORM

    item: ItemCode
    label: Text200 | None = None
    answer: Answer = None


class FormFinding(BaseModel):
    """A department finding shown on the form; read-only (the stored findings count)."""

    model_config = _FORM

    source: CrossCheckSource
    item: ItemCode
    found: bool
    message: Text200 | None = None
    detail: Text200 | None = None


class EvidenceEntry(BaseModel):
    """佐证材料: a receipt number, or a photo/document file name with its SHA-256."""

    model_config = _FORM

    kind: Literal["receipt", "photo", "document"]
    ref: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    sha256: Sha256 | None = None
    note: Text200 | None = None


class VerificationForm(BaseModel):
    """入户核查表: what a verifier (or an auditor re-checking) fills in at the household."""

    model_config = _FORM

    claim_id: Identifier
    household_id: Identifier
    verifier_id: Identifier | None = None
    verified_on: OptionalDate = None
    members: list[FormMember] = Field(default_factory=list)
    income: list[FormIncome] = Field(default_factory=list)
    costs: list[FormCost] = Field(default_factory=list)
    negative_list: list[FormAnswer] = Field(default_factory=list)
    findings: list[FormFinding] = Field(default_factory=list)
    evidence: list[EvidenceEntry] = Field(default_factory=list)
    note: Annotated[str, StringConstraints(max_length=500)] | None = None

    def counted_flags(self) -> dict[str, bool | None]:
        return {m.member_id: m.counted for m in self.members}

    def answers(self) -> dict[str, bool | None]:
        return {a.item: a.answer for a in self.negative_list}


def validation_problems(exc: PydanticValidationError) -> list[str]:
    """One line per problem, naming the field path; never the value (it may be personal)."""
    lines = []
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"]) or "(form)"
        lines.append(f"{path}: {error['msg']}")
    return lines


def parse_form(data: Any) -> VerificationForm:
    """A form from parsed YAML/JSON data, or VerificationRefused listing every problem."""
    if not isinstance(data, dict):
        raise VerificationRefused("the form must be a mapping (YAML) or an object (JSON)")
    try:
        return VerificationForm.model_validate(data)
    except PydanticValidationError as exc:
        raise VerificationRefused("invalid form: " + "; ".join(validation_problems(exc))) from exc


def load_form(path: Path) -> VerificationForm:
    """Read a filled form: JSON when the file ends in .json, YAML otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise VerificationRefused(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        where = getattr(exc, "problem_mark", None) or getattr(exc, "lineno", "")
        raise VerificationRefused(f"{path} is not valid {path.suffix or 'YAML'} ({where})"
                                  ) from exc
    return parse_form(data)


# --------------------------------------------------------------------------- loading


@dataclass
class ClaimFacts:
    """What the form and its checks need about one claim, loaded in one session."""

    claim: Claim
    household: Household
    members: list[Member]
    findings: list[Finding]
    tariff_pk: int
    tariff: Tariff


def load_facts(session: Session, claim_id: str, *, lock: bool = False,
               tariff: tuple[int, Tariff] | None = None) -> ClaimFacts:
    """The claim, its household, members, findings and the tariff: the one given (an audit
    uses the stored decision's), else the one that will apply (TariffBook.choose)."""
    query = select(Claim).where(Claim.claim_id == claim_id)
    claim = session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
    if claim is None:
        raise VerificationRefused(f"no claim {claim_id}")
    household = session.get(Household, claim.household_id)
    assert household is not None  # a foreign key
    members = list(session.execute(select(Member).where(
        Member.household_id == household.household_id).order_by(Member.member_id)).scalars())
    findings = list(session.execute(select(Finding).where(
        Finding.household_id == household.household_id).order_by(Finding.pk)).scalars())
    if tariff is None:
        try:
            tariff = TariffBook.load(session).choose(household.region_code, claim.event_date)
        except TariffChoiceError as exc:
            raise VerificationRefused(str(exc)) from exc
    return ClaimFacts(claim, household, members, findings, tariff[0], tariff[1])


def finding_message(source: str, item: str, found: bool, tariff: Tariff) -> str:
    """'车管部门比对发现: 家庭拥有消费型车辆' — a finding as the verifier reads it."""
    who = SOURCE_LABELS.get(source, source)
    return f"{who}比对{'发现' if found else '未发现'}: {tariff.item_label(item)}"


def _mask_id(id_number: str) -> str:
    """Region part and last 4 characters: enough to match the card shown at the door."""
    if len(id_number) <= 10:
        return "*" * len(id_number)
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- assignment


@dataclass(frozen=True)
class Assigned:
    claim_id: str
    household_id: str
    township_code: str
    verifier_id: str
    due: dt.date


@dataclass(frozen=True)
class Unassigned:
    claim_id: str
    household_id: str
    township_code: str
    reason: str


@dataclass
class AssignResult:
    assigned: list[Assigned] = field(default_factory=list)
    unassigned: list[Unassigned] = field(default_factory=list)
    #: the deadline of this run's assignments and the calendar it was counted on
    deadline: Deadline | None = None


def _covers(user: User, region_code: str) -> bool:
    return any(region_code.startswith(str(code)) for code in user.townships or [])


def _open_loads(session: Session) -> dict[str, int]:
    """Open assignments per verifier: assigned and not yet verified."""
    rows = session.execute(
        select(Claim.assigned_verifier, func.count()).where(
            Claim.status == S.UNDER_VERIFICATION.value, Claim.assigned_verifier.is_not(None))
        .group_by(Claim.assigned_verifier))
    return {verifier: count for verifier, count in rows if verifier is not None}


def assign_claims(ctx: Context, *, township: str | None = None, verifier: str | None = None,
                  days: int = DEFAULT_DAYS, holidays: Collection[dt.date] = frozenset(),
                  workdays: Collection[dt.date] = frozenset()) -> AssignResult:
    """Assign screened claims (oldest first) to verifiers covering their township.

    Each claim goes to the least loaded covering verifier below their limit (ties by user id),
    and moves screened → under_verification with a deadline `days` working days after today,
    counted on the county's calendar (official holidays and 调休 working days, the county's
    own days off, and `holidays` / `workdays` given here). Claims nobody can take are
    reported with the reason and stay screened.
    """
    ctx.require("verify.assign")
    if days < 1:
        raise VerificationRefused("a verification deadline is at least 1 working day")
    now = ctx.now()
    result = AssignResult()
    with transaction(ctx.factory) as session:
        deadline = work_calendar(session).with_days(holidays, workdays).deadline(ctx.today(),
                                                                                 days)
        due, result.deadline = deadline.due, deadline
        query = (select(User).where(User.role == Role.VERIFIER.value, User.active.is_(True))
                 .order_by(User.user_id).with_for_update())
        if verifier is not None:
            query = query.where(User.user_id == verifier)
        verifiers = list(session.execute(query).scalars())
        if verifier is not None and not verifiers:
            raise VerificationRefused(f"{verifier} is not an active verifier")
        loads = _open_loads(session)
        claims = (select(Claim, Household.region_code, Household.township_code)
                  .join(Household, Household.household_id == Claim.household_id)
                  .where(Claim.status == S.SCREENED.value)
                  .order_by(Claim.received_at, Claim.claim_id).with_for_update(of=Claim))
        if township:
            claims = claims.where(Household.region_code.startswith(township))
        events: list[PendingEvent] = []
        for claim, region_code, township_code in session.execute(claims).all():
            covering = [v for v in verifiers if _covers(v, region_code)]
            free = [v for v in covering if loads.get(v.user_id, 0) < v.max_open_assignments]
            if not free:
                reason = _why_unassigned(covering, loads, township_code, verifier)
                result.unassigned.append(Unassigned(claim.claim_id, claim.household_id,
                                                    township_code, reason))
                continue
            chosen = min(free, key=lambda v: (loads.get(v.user_id, 0), v.user_id))
            moved: list[PendingEvent] = []
            move(claim, S.UNDER_VERIFICATION, at=now, events=moved)
            claim.assigned_verifier, claim.assigned_at = chosen.user_id, now
            claim.verification_due = due
            loads[chosen.user_id] = loads.get(chosen.user_id, 0) + 1
            result.assigned.append(Assigned(claim.claim_id, claim.household_id, township_code,
                                            chosen.user_id, due))
            events += [
                PendingEvent("verification.assigned", "claim", claim.claim_id,
                             {"verifier": chosen.user_id, "due": due.isoformat(),
                              "working_days": days,
                              "calendar_years": list(deadline.calendar_years),
                              "unknown_years": list(deadline.unknown_years)}),
                *moved,
            ]
        append_events(session, ctx.user_id, now, events)
    return result


def _why_unassigned(covering: list[User], loads: dict[str, int], township_code: str,
                    verifier: str | None) -> str:
    if not covering:
        if verifier is not None:
            return f"verifier {verifier} does not cover township {township_code}"
        return f"no active verifier covers township {township_code}"
    limits = ", ".join(f"{v.user_id} {loads.get(v.user_id, 0)}/{v.max_open_assignments}"
                       for v in covering)
    return f"every verifier of township {township_code} is at the workload limit ({limits})"


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class Assignment:
    """An open assignment as a verifier or a supervisor sees it."""

    claim_id: str
    household_id: str
    township_code: str
    village_name: str | None
    category: str
    verifier_id: str
    assigned_at: str | None
    due: dt.date | None
    working_days_left: int | None
    overdue: bool
    has_draft: bool

    def as_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "household_id": self.household_id,
                "township": self.township_code, "village": self.village_name,
                "category": self.category, "verifier": self.verifier_id,
                "assigned_at": self.assigned_at,
                "due": self.due.isoformat() if self.due else None,
                "working_days_left": self.working_days_left, "overdue": self.overdue,
                "has_draft": self.has_draft}


def _scope(ctx: Context, everyone: bool) -> str | None:
    """Whose assignments the acting user may list: a verifier only their own."""
    ctx.require("verify.read")
    if ctx.role == Role.VERIFIER.value:
        if everyone:
            raise PermissionDenied(f"user {ctx.user_id} (verifier) sees only their own "
                                   "assignments (--mine)")
        return ctx.user_id
    return None if everyone else ctx.user_id


def _assignments(ctx: Context, verifier: str | None, late_only: bool,
                 holidays: Collection[dt.date], workdays: Collection[dt.date]
                 ) -> list[Assignment]:
    today = ctx.today()
    with ctx.factory() as session:
        query = (select(Claim, Household.township_code, Household.village_name)
                 .join(Household, Household.household_id == Claim.household_id)
                 .where(Claim.status == S.UNDER_VERIFICATION.value,
                        Claim.assigned_verifier.is_not(None))
                 .order_by(Claim.verification_due, Claim.claim_id))
        if verifier is not None:
            query = query.where(Claim.assigned_verifier == verifier)
        if late_only:
            query = query.where(Claim.verification_due < today)
        rows = session.execute(query).all()
        calendar = work_calendar(session).with_days(holidays, workdays)
        ids = [c.claim_id for c, _, _ in rows]
        drafts = set(session.execute(select(VerificationRow.claim_id).where(
            VerificationRow.claim_id.in_(ids), VerificationRow.status == "draft")).scalars()
        ) if ids else set()
    found = []
    for claim, township_code, village_name in rows:
        due = claim.verification_due
        left = None if due is None else calendar.working_days_between(today, due)
        found.append(Assignment(claim.claim_id, claim.household_id, township_code, village_name,
                                claim.category, claim.assigned_verifier or "",
                                claim.assigned_at, due, left,
                                due is not None and due < today, claim.claim_id in drafts))
    return found


def list_assignments(ctx: Context, *, everyone: bool = False,
                     holidays: Collection[dt.date] = frozenset(),
                     workdays: Collection[dt.date] = frozenset()) -> list[Assignment]:
    """Open assignments, earliest deadline first: the acting user's, or everyone's."""
    return _assignments(ctx, _scope(ctx, everyone), False, holidays, workdays)


def overdue_assignments(ctx: Context, holidays: Collection[dt.date] = frozenset(),
                        workdays: Collection[dt.date] = frozenset()) -> list[Assignment]:
    """Late assignments (due before today, not verified): a verifier's own, else all."""
    verifier = _scope(ctx, ctx.role != Role.VERIFIER.value)
    return _assignments(ctx, verifier, True, holidays, workdays)


# --------------------------------------------------------------------------- template


def verification_template(ctx: Context, claim_id: str, evidence_dir: Path | None = None
                          ) -> VerificationForm:
    """The form for a claim, prefilled with what is known.

    Members with their `counted` flags, the income kinds (blank), the household's last known
    production costs, every active negative-list item of the tariff that will apply (blank),
    the department findings, the claim's receipt and the photos in `evidence_dir` with their
    SHA-256. The assigned verifier's own latest draft, if any, fills the answers in. A
    verifier gets forms of their own assignments only; an auditor or officer gets a blank
    form to re-check independently.
    """
    ctx.require("verify.read")
    with ctx.factory() as session:
        facts = load_facts(session, claim_id)
        claim = facts.claim
        if ctx.role == Role.VERIFIER.value and claim.assigned_verifier != ctx.user_id:
            raise VerificationRefused(f"claim {claim_id} is not assigned to {ctx.user_id}")
        draft = None
        if claim.assigned_verifier == ctx.user_id:
            draft = session.execute(select(VerificationRow).where(
                VerificationRow.claim_id == claim_id, VerificationRow.status == "draft",
                VerificationRow.created_by == ctx.user_id)
                .order_by(VerificationRow.pk.desc()).limit(1)).scalar_one_or_none()
        last_known = session.execute(select(VerificationRow.payload).where(
            VerificationRow.household_id == claim.household_id,
            VerificationRow.status == "submitted").order_by(VerificationRow.pk.desc())
            .limit(1)).scalar_one_or_none()
        evidence: list[EvidenceEntry] = []
        if draft is not None:
            evidence = [EvidenceEntry(kind=e.kind, ref=e.ref, sha256=e.sha256, note=e.note)
                        for e in session.execute(select(VerificationEvidence).where(
                            VerificationEvidence.verification_pk == draft.pk)
                            .order_by(VerificationEvidence.pk)).scalars()]
    base: dict[str, Any] = dict(draft.payload) if draft is not None else {}
    costs = base.get("costs") or (last_known or {}).get("costs") or []
    answers = base.get("negative_list") or {}
    income = base.get("income") or []
    tariff = facts.tariff
    if not evidence and claim.document_no:
        evidence.append(EvidenceEntry(kind="receipt", ref=claim.document_no))
    listed = {e.ref for e in evidence}
    for photo in _files(evidence_dir):
        if photo.name not in listed:
            evidence.append(EvidenceEntry(kind="photo", ref=photo.name, sha256=sha256_of(photo)))
    return VerificationForm(
        claim_id=claim.claim_id, household_id=claim.household_id, verifier_id=ctx.user_id,
        verified_on=base.get("verified_on"),
        members=[FormMember(member_id=m.member_id, name=m.name, relation=m.relation,
                            id_number=_mask_id(m.id_number), counted=m.counted)
                 for m in facts.members],
        income=_income_rows(income),
        costs=[FormCost(kind=c["kind"], label=COST_LABELS.get(c["kind"]), amount=c["amount"],
                        note=c.get("note")) for c in costs]
        or [FormCost(kind=CostKind.PRODUCTION, label=COST_LABELS["production"])],
        negative_list=[FormAnswer(item=item, label=tariff.item_label(item),
                                  answer=answers.get(item)) for item in tariff.negative_list],
        findings=[FormFinding(source=f.source, item=f.item, found=f.found, detail=f.detail,
                              message=finding_message(f.source, f.item, f.found, tariff))
                  for f in facts.findings],
        evidence=evidence,
    )


def _income_rows(items: Iterable[dict[str, Any]]) -> list[FormIncome]:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], []).append(item)
    rows = []
    for kind in IncomeKind:
        for item in by_kind.get(kind.value) or [{"amount": None}]:
            rows.append(FormIncome(kind=kind, label=INCOME_LABELS[kind.value],
                                   amount=item.get("amount"), note=item.get("note")))
    return rows


def _files(directory: Path | None) -> list[Path]:
    if directory is None:
        return []
    if not directory.is_dir():
        raise VerificationRefused(f"evidence folder {directory} does not exist")
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))


def _q(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML and keep Chinese readable."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def form_yaml(form: VerificationForm) -> str:
    """The form as YAML with Chinese comments explaining each field (what `verify template`
    prints); `load_form` reads it back to the same form."""
    data = form.model_dump(mode="json")
    out = [
        "# 防贫保入户核查表 (verification form)",
        "# 填写说明: 逐项填写后用 `adjudicator verify record CLAIM --file 本文件` 提交。",
        "# 留空 (null) 的必填项视为未完成: 表格保存为草稿, 命令列出缺少的项目。",
        "# 本表含家庭成员真实姓名, 仅供入户核查使用, 请勿外传。",
        "",
        "# 案件编号与户编号 (请勿修改)",
        f"claim_id: {_q(form.claim_id)}",
        f"household_id: {_q(form.household_id)}",
        "# 核查员编号 (自动填写, 须为提交人本人)",
        f"verifier_id: {_q(form.verifier_id)}",
        "# 入户核查日期, 格式 YYYY-MM-DD (必填)",
        f"verified_on: {_q(form.verified_on)}",
        "",
        "# 家庭成员: counted 表示是否计入家庭人口 (共同生活、参与计算人均收入)",
        "#   true 计入 / false 不计入; 至少一人计入。姓名和身份证号仅供核对, 修改无效。",
        "members:",
    ]
    for m in data["members"]:
        out += [f"  - member_id: {_q(m['member_id'])}",
                f"    name: {_q(m['name'])}",
                f"    relation: {_q(m['relation'])}",
                f"    id_number: {_q(m['id_number'])}",
                f"    counted: {_q(m['counted'])}"]
    out += ["",
            "# 家庭全年收入 (元), 按类别填写: 工资性、经营净、财产净、转移净收入。",
            "#   每一类都须填写, 没有该类收入填 0; 同类多笔可复制一行。",
            "income:"]
    for item in data["income"]:
        out += [f"  - kind: {item['kind']}    # {INCOME_LABELS.get(item['kind'], '')}",
                f"    label: {_q(item['label'])}",
                f"    amount: {_q(item['amount'])}",
                f"    note: {_q(item['note'])}"]
    out += ["",
            "# 生产经营性支出 (元), 从收入中扣除; 没有填 0 (选填)",
            "costs:"]
    for item in data["costs"]:
        out += [f"  - kind: {item['kind']}    # {COST_LABELS.get(item['kind'], '')}",
                f"    label: {_q(item['label'])}",
                f"    amount: {_q(item['amount'])}",
                f"    note: {_q(item['note'])}"]
    out += ["",
            "# 负面清单: 本保障方案生效的每一项都须回答。",
            "#   answer: true (是, 存在该情形) / false (否); 留空 (null) 为未回答。",
            "negative_list:"]
    for item in data["negative_list"]:
        out += [f"  - item: {item['item']}",
                f"    label: {_q(item['label'])}",
                f"    answer: {_q(item['answer'])}"]
    out += ["",
            "# 部门比对结果 (只读, 供核查参考, 修改无效)。若比对发现某项而核查回答“否”,",
            "#   理算将认定该项, 并认定刻意隐瞒 (NEG_CONCEALMENT, 本方案列有该项时)。",
            "findings:" + (" []" if not data["findings"] else "")]
    for f in data["findings"]:
        out += [f"  - source: {f['source']}",
                f"    item: {f['item']}",
                f"    found: {_q(f['found'])}",
                f"    message: {_q(f['message'])}",
                f"    detail: {_q(f['detail'])}"]
    out += ["",
            "# 佐证材料: kind 为 receipt (票据, ref 填票据号)、photo (照片, ref 填文件名,",
            "#   sha256 必填) 或 document (其他文件)。提交时用 --evidence-dir 指定照片所在",
            "#   文件夹, 系统核对文件的 SHA-256。",
            "evidence:" + (" []" if not data["evidence"] else "")]
    for e in data["evidence"]:
        out += [f"  - kind: {e['kind']}",
                f"    ref: {_q(e['ref'])}",
                f"    sha256: {_q(e['sha256'])}",
                f"    note: {_q(e['note'])}"]
    out += ["",
            "# 备注 (选填, 勿写身份证号)",
            f"note: {_q(form.note)}",
            ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- checking


@dataclass
class FormCheck:
    """What a form lacks (it can only be a draft) and what it contradicts (a warning)."""

    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    contradictions: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def check_form_against(facts: ClaimFacts, form: VerificationForm, *, today: dt.date,
                       evidence_dir: Path | None = None) -> FormCheck:
    """Check a form against the stored claim: errors raise VerificationRefused; what is
    missing or contradicted is returned. Pure apart from reading the evidence files."""
    claim, tariff = facts.claim, facts.tariff
    errors: list[str] = []
    if form.claim_id != claim.claim_id:
        errors.append(f"the form is for claim {form.claim_id}, not {claim.claim_id}")
    if form.household_id != claim.household_id:
        errors.append(f"the form is for household {form.household_id}, not {claim.household_id}")
    if form.verified_on is not None and form.verified_on > today:
        errors.append(f"verified_on {form.verified_on} is in the future")
    elif form.verified_on is not None and form.verified_on < claim.event_date:
        errors.append(f"核查日期 {form.verified_on} 早于申请 {claim.claim_id} 的事发日期 "
                      f"{claim.event_date}：请核对日期")
    known = {m.member_id for m in facts.members}
    listed = [m.member_id for m in form.members]
    if len(set(listed)) != len(listed):
        errors.append("a member appears twice in members")
    for member_id in sorted(set(listed) - known):
        errors.append(f"members: {member_id} is not a member of household {claim.household_id}")
    for member_id in sorted(known - set(listed)):
        errors.append(f"members: {member_id} is missing from the form")
    answers = form.answers()
    if len(answers) != len(form.negative_list):
        errors.append("an item appears twice in negative_list")
    for item in sorted(set(answers) - set(tariff.negative_list)):
        errors.append(f"negative_list: {item} is not an item of tariff {tariff.id}")
    errors += evidence_problems(form.evidence, evidence_dir)
    if errors:
        raise VerificationRefused("; ".join(errors))

    check = FormCheck()
    if form.verified_on is None:
        check.missing.append("verified_on: 入户核查日期未填写")
    for member in form.members:
        if member.counted is None:
            check.missing.append(f"members.{member.member_id}.counted: 是否计入家庭人口未填写")
    if not any(m.counted for m in form.members):
        check.missing.append("members: 没有计入家庭人口的成员")
    kinds = {i.kind for i in form.income}
    for kind in IncomeKind:
        if kind not in kinds or any(i.amount is None for i in form.income if i.kind is kind):
            check.missing.append(f"income.{kind.value}: {INCOME_LABELS[kind.value]}未填写 "
                                 "(没有该类收入填 0)")
    for item in tariff.negative_list:
        if answers.get(item) is None:
            check.missing.append(f"negative_list.{item}: {tariff.item_label(item)} — 未回答")
    contradictions = contradicted(tariff.negative_list, answers,
                                  {f.item for f in facts.findings if f.found})
    for finding in facts.findings:
        if finding.found and finding.item in contradictions:
            check.contradictions.append(finding.item)
            also = (f"及“{tariff.item_label(CONCEALMENT)}”"
                    if concealment_active(tariff.negative_list) else "")
            check.warnings.append(
                f"{finding_message(finding.source, finding.item, True, tariff)}，但核查回答"
                f"“否”：理算将认定“{tariff.item_label(finding.item)}”{also}，不予救助")
    check.contradictions = sorted(set(check.contradictions))
    return check


def evidence_problems(entries: list[EvidenceEntry], evidence_dir: Path | None) -> list[str]:
    """Every photo needs a SHA-256; with `evidence_dir`, each listed file must be there and
    match its SHA-256 (a file name never leads outside the folder)."""
    problems = []
    root = evidence_dir.resolve() if evidence_dir is not None else None
    if root is not None and not root.is_dir():
        return [f"evidence folder {evidence_dir} does not exist"]
    for i, entry in enumerate(entries):
        where = f"evidence[{i}]"
        if entry.kind == "photo" and entry.sha256 is None:
            problems.append(f"{where}: a photo needs its sha256")
        if root is None or entry.kind == "receipt":
            continue
        path = (root / entry.ref).resolve()
        if not path.is_relative_to(root):
            problems.append(f"{where}: {entry.ref!r} is outside the evidence folder")
        elif not path.is_file():
            problems.append(f"{where}: file {entry.ref!r} is not in the evidence folder")
        elif entry.sha256 is not None and sha256_of(path) != entry.sha256:
            problems.append(f"{where}: the SHA-256 of {entry.ref!r} does not match the file")
    return problems


def form_to_verification(form: VerificationForm, verifier_id: str) -> Verification:
    """The complete form as exactly the `schemas.case.Verification` adjudication reads."""
    assert form.verified_on is not None
    return Verification(
        verified_on=form.verified_on, verifier_id=verifier_id,
        income=[IncomeItem(kind=i.kind, amount=i.amount, note=i.note)
                for i in form.income if i.amount is not None],
        costs=[CostItem(kind=c.kind, amount=c.amount, note=c.note)
               for c in form.costs if c.amount is not None],
        negative_list=dict(sorted(form.answers().items())),
    )


def verification_payload(verification: Verification) -> dict[str, Any]:
    """The stored JSON of a verification: the schema's JSON form, cross-checks left out."""
    return verification.model_dump(mode="json", exclude={"cross_checks"})


def _draft_payload(form: VerificationForm, verifier_id: str) -> dict[str, Any]:
    """A draft keeps the Verification's keys; blanks stay null (it is never adjudicated)."""
    return {
        "verified_on": form.verified_on.isoformat() if form.verified_on else None,
        "verifier_id": verifier_id,
        "income": [i.model_dump(mode="json", exclude={"label"}) for i in form.income],
        "costs": [c.model_dump(mode="json", exclude={"label"}) for c in form.costs],
        "negative_list": dict(sorted(form.answers().items())),
    }


def evidence_rows(claim_id: str, entries: list[EvidenceEntry], *,
                  verification_pk: int | None = None, recheck_pk: int | None = None
                  ) -> list[VerificationEvidence]:
    return [VerificationEvidence(claim_id=claim_id, verification_pk=verification_pk,
                                 recheck_pk=recheck_pk, kind=e.kind, ref=e.ref,
                                 sha256=e.sha256, note=e.note) for e in entries]


def apply_counted_flags(members: list[Member], flags: Mapping[str, bool | None]
                        ) -> dict[str, bool]:
    """Set members' `counted` from a form; returns the flags that changed (member id → new)."""
    changed: dict[str, bool] = {}
    for member in members:
        new = flags.get(member.member_id)
        if new is not None and new != member.counted:
            member.counted = new
            changed[member.member_id] = new
    return changed


# --------------------------------------------------------------------------- recording


@dataclass(frozen=True)
class RecordResult:
    claim_id: str
    status: Literal["draft", "submitted"]
    verification_pk: int
    missing: list[str]
    warnings: list[str]
    claim_status: str


def _recordable(ctx: Context, session: Session, claim: Claim) -> None:
    if claim.assigned_verifier != ctx.user_id:
        who = claim.assigned_verifier or "nobody (a supervisor assigns it: verify assign)"
        raise VerificationRefused(f"claim {claim.claim_id} is assigned to {who}, "
                                  f"not {ctx.user_id}: only the assigned verifier records it")
    if ClaimStatus(claim.status) not in RECORDABLE:
        raise VerificationRefused(f"claim {claim.claim_id} is {claim.status}: a verification "
                                  "is recorded while it is under verification, screened, "
                                  "pended for an incomplete verification, objected or denied")
    if claim.status == S.PENDED.value:
        decision = session.get(DecisionRecord, claim.current_decision_id or 0)
        if decision is None or R.PEND_INCOMPLETE_VERIFICATION not in decision.reasons:
            raise VerificationRefused(f"claim {claim.claim_id} is pended for a person's "
                                      "review, not for an incomplete verification")


def check_form(ctx: Context, claim_id: str, form: VerificationForm,
               evidence_dir: Path | None = None) -> FormCheck:
    """What recording this form would report, without recording it (for a confirmation)."""
    ctx.require("verify.record")
    with ctx.factory() as session:
        facts = load_facts(session, claim_id)
        _recordable(ctx, session, facts.claim)
        return check_form_against(facts, form, today=ctx.today(), evidence_dir=evidence_dir)


def record_verification(ctx: Context, claim_id: str, form: VerificationForm,
                        evidence_dir: Path | None = None) -> RecordResult:
    """Record the assigned verifier's form: a draft when incomplete, else submitted.

    A submitted form updates the members' `counted` flags and moves the claim to `verified`.
    A contradiction with a department finding is returned as a warning and does not stop
    the submission: adjudication will deny it (NEG_<ITEM>, NEG_CONCEALMENT).
    """
    ctx.require("verify.record")
    if form.verifier_id not in (None, ctx.user_id):
        raise VerificationRefused(f"the form is signed by {form.verifier_id}; {ctx.user_id} "
                                  "records only their own verification")
    now = ctx.now()
    with transaction(ctx.factory) as session:
        facts = load_facts(session, claim_id, lock=True)
        claim = facts.claim
        _recordable(ctx, session, claim)
        check = check_form_against(facts, form, today=ctx.today(), evidence_dir=evidence_dir)
        answered = sorted(item for item, answer in form.answers().items() if answer is not None)
        events: list[PendingEvent] = []
        status: Literal["draft", "submitted"] = "submitted" if check.complete else "draft"
        if status == "submitted":
            payload = verification_payload(form_to_verification(form, ctx.user_id))
        else:
            payload = _draft_payload(form, ctx.user_id)
        row = VerificationRow(claim_id=claim_id, household_id=claim.household_id,
                              verifier_id=ctx.user_id, verified_on=form.verified_on,
                              status=status, payload=payload, created_at=now,
                              created_by=ctx.user_id)
        session.add(row)
        session.flush()
        session.add_all(evidence_rows(claim_id, form.evidence, verification_pk=row.pk))
        summary: dict[str, Any] = {"verification_pk": row.pk, "answered": answered,
                                   "evidence": len(form.evidence)}
        if status == "draft":
            events.append(PendingEvent("verification.draft_saved", "claim", claim_id, {
                **summary, "missing": [m.split(":")[0] for m in check.missing]}))
        else:
            changed = apply_counted_flags(facts.members, form.counted_flags())
            old = claim.status
            moved: list[PendingEvent] = []
            try:
                move(claim, S.VERIFIED, at=now, events=moved)
            except IllegalTransition as exc:  # pragma: no cover - RECORDABLE guards it
                raise VerificationRefused(str(exc)) from exc
            # A denial verified again (复核申请) leaves the household's history until it is
            # decided again; the later decisions that counted it follow it.
            follow = old == S.DENIED.value
            claim.final_counted_expense = claim.final_paid = None
            events += [
                PendingEvent("verification.submitted", "claim", claim_id, {
                    **summary, "verified_on": form.verified_on, "answers": payload[
                        "negative_list"], "income_kinds": sorted({i.kind.value for i in
                                                                  form.income}),
                    "counted_members": sum(1 for m in form.members if m.counted),
                    "contradictions": check.contradictions}),
                *moved,
            ]
            if changed:
                events.append(PendingEvent("household.members_counted", "household",
                                           claim.household_id, {"claim_id": claim_id,
                                                                "changed": changed}))
            if follow:
                from adjudicator.services.cascade import redecide_later

                redecide_later(session, ctx, claim, "verification", events)
        append_events(session, ctx.user_id, now, events)
        return RecordResult(claim_id, status, row.pk, check.missing, check.warnings,
                            claim.status)
