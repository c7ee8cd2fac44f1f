"""入户核查表: the verification form a verifier fills in, its models and how it is read.

`VerificationForm` is what `verify template` prints (YAML or JSON) and `verify record` reads
back (`load_form`, `parse_form`); `VerificationRefused` is what every part of the
verification service raises to say why it cannot do what was asked.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from adjudicator.messages import Message, Refused, os_reason, validation_reason
from schemas.case import Identifier, ItemCode
from schemas.types import CostKind, CrossCheckSource, IncomeKind, Money
from schemas.vocabulary import (
    COST_KINDS,
    CROSS_CHECK_SOURCES,
    INCOME_KINDS,
    NO_WORDS,
    YES_WORDS,
    Words,
    zh_table,
)
from schemas.vocabulary import EVIDENCE_KINDS as VOCABULARY_EVIDENCE_KINDS

INCOME_LABELS: dict[str, str] = zh_table(INCOME_KINDS)
COST_LABELS: dict[str, str] = zh_table(COST_KINDS)
#: The department behind each cross-check source, as a verifier reads it on the form.
SOURCE_LABELS: dict[str, str] = zh_table(CROSS_CHECK_SOURCES)
EVIDENCE_KINDS = tuple(VOCABULARY_EVIDENCE_KINDS)  # receipt, photo, document


class VerificationRefused(Refused):
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


def validation_problems(exc: PydanticValidationError, lang: str = "en") -> list[str]:
    """One line per problem, naming the field path; never the value (it may be personal).
    In English pydantic's own words; in Chinese (`lang="zh"`) worded by the error's type."""
    lines = []
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"]) or "(form)"
        if lang == "zh":
            lines.append(f"{path}：{validation_reason(error, 'zh')}")
        else:
            lines.append(f"{path}: {error['msg']}")
    return lines


def parse_form(data: Any) -> VerificationForm:
    """A form from parsed YAML/JSON data, or VerificationRefused listing every problem."""
    if not isinstance(data, dict):
        raise VerificationRefused(Message("verification.not_mapping"))
    try:
        return VerificationForm.model_validate(data)
    except PydanticValidationError as exc:
        raise VerificationRefused(Message("verification.invalid_form", problems=Words(
            "；".join(validation_problems(exc, "zh")), "; ".join(validation_problems(exc))))
        ) from exc


def load_form(path: Path) -> VerificationForm:
    """Read a filled form: JSON when the file ends in .json, YAML otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise VerificationRefused(Message("verification.cannot_read", path=path,
                                          reason=os_reason(exc))) from exc
    except UnicodeDecodeError as exc:  # saved as GBK, or not text at all (a PDF, a photo)
        raise VerificationRefused(Message("verification.not_utf8", path=path,
                                          offset=exc.start + 1)) from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        where = getattr(exc, "problem_mark", None) or getattr(exc, "lineno", "")
        raise VerificationRefused(Message("verification.not_parsable", path=path,
                                          kind=path.suffix or "YAML", where=where)) from exc
    return parse_form(data)
