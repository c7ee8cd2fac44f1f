"""Checking a filled form against the stored claim: what is wrong (refused), what is
missing (it can only be a draft) and what contradicts a department finding (a warning).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from adjudicator.messages import Message
from adjudicator.rules.negative_list import CONCEALMENT, concealment_active, contradicted
from adjudicator.services.verification.facts import ClaimFacts, finding_message
from adjudicator.services.verification.form import (
    INCOME_LABELS,
    EvidenceEntry,
    VerificationForm,
    VerificationRefused,
)
from schemas.types import IncomeKind
from schemas.vocabulary import Words


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
    errors: list[Words] = []  # (Chinese, English)
    if form.claim_id != claim.claim_id:
        errors.append(Words(f"核查表是案件 {form.claim_id} 的，不是案件 {claim.claim_id} 的",
                            f"the form is for claim {form.claim_id}, not {claim.claim_id}"))
    if form.household_id != claim.household_id:
        errors.append(Words(f"核查表是户 {form.household_id} 的，不是户 {claim.household_id} 的",
                            f"the form is for household {form.household_id}, not "
                            f"{claim.household_id}"))
    if form.verified_on is not None and form.verified_on > today:
        errors.append(Words(f"入户核查日期 {form.verified_on} 晚于今天",
                            f"verified_on {form.verified_on} is in the future"))
    elif form.verified_on is not None and form.verified_on < claim.event_date:
        early = (f"核查日期 {form.verified_on} 早于申请 {claim.claim_id} 的事发日期 "
                 f"{claim.event_date}：请核对日期")
        errors.append(Words(early, early))
    known = {m.member_id for m in facts.members}
    listed = [m.member_id for m in form.members]
    if len(set(listed)) != len(listed):
        errors.append(Words("同一成员在家庭成员中出现两次", "a member appears twice in members"))
    for member_id in sorted(set(listed) - known):
        errors.append(Words(f"家庭成员：{member_id} 不是户 {claim.household_id} 的成员",
                            f"members: {member_id} is not a member of household "
                            f"{claim.household_id}"))
    for member_id in sorted(known - set(listed)):
        errors.append(Words(f"家庭成员：核查表缺少成员 {member_id}",
                            f"members: {member_id} is missing from the form"))
    answers = form.answers()
    if len(answers) != len(form.negative_list):
        errors.append(Words("同一项目在负面清单中出现两次",
                            "an item appears twice in negative_list"))
    for item in sorted(set(answers) - set(tariff.negative_list)):
        errors.append(Words(f"负面清单：{item} 不是保障方案 {tariff.id} 的项目",
                            f"negative_list: {item} is not an item of tariff {tariff.id}"))
    errors += evidence_problems(form.evidence, evidence_dir)
    if errors:
        raise VerificationRefused(Message("verification.problems", problems=Words(
            "；".join(e.zh for e in errors), "; ".join(e.en for e in errors))))

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


def evidence_problems(entries: list[EvidenceEntry], evidence_dir: Path | None) -> list[Words]:
    """Every photo needs a SHA-256; with `evidence_dir`, each listed file must be there and
    match its SHA-256 (a file name never leads outside the folder). Each problem in Chinese
    and in English."""
    problems = []
    root = evidence_dir.resolve() if evidence_dir is not None else None
    if root is not None and not root.is_dir():
        return [Words(f"佐证材料文件夹 {evidence_dir} 不存在",
                      f"evidence folder {evidence_dir} does not exist")]
    for i, entry in enumerate(entries):
        where = f"evidence[{i}]"
        if entry.kind == "photo" and entry.sha256 is None:
            problems.append(Words(f"{where}：照片须附 sha256",
                                  f"{where}: a photo needs its sha256"))
        if root is None or entry.kind == "receipt":
            continue
        path = (root / entry.ref).resolve()
        if not path.is_relative_to(root):
            problems.append(Words(f"{where}：{entry.ref!r} 在佐证材料文件夹之外",
                                  f"{where}: {entry.ref!r} is outside the evidence folder"))
        elif not path.is_file():
            problems.append(Words(f"{where}：佐证材料文件夹中没有文件 {entry.ref!r}",
                                  f"{where}: file {entry.ref!r} is not in the evidence folder"))
        elif entry.sha256 is not None and sha256_of(path) != entry.sha256:
            problems.append(Words(f"{where}：文件 {entry.ref!r} 的 SHA-256 与记录的不符",
                                  f"{where}: the SHA-256 of {entry.ref!r} does not match the "
                                  "file"))
    return problems



def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
