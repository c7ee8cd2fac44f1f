"""Request and response models of the JSON API (they make its OpenAPI schema).

Amounts are decimal strings with two decimals ("10500.00"), dates ISO-8601, as everywhere in
the project's JSON. The verification form is the service's own `VerificationForm`."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from adjudicator.services.verification import VerificationForm

_IN = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. csrf_failed, "
                                  "not_assigned, maker_checker, upload_type.")
    message: str = Field(description="What went wrong, in Chinese, for a person.")
    detail: str | None = Field(None, description="The service's own reason, if any.")
    fields: list[dict[str, str]] = Field(default_factory=list,
                                         description="Wrong fields: {field, message}.")


class ErrorOut(BaseModel):
    error: ErrorBody


class TokenRequest(BaseModel):
    model_config = _IN
    username: str = Field(max_length=64)
    password: str = Field(max_length=256)


class Me(BaseModel):
    user_id: str
    role: str
    display_name: str
    townships: list[str]


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: str
    user: Me


class AssignmentOut(BaseModel):
    claim_id: str
    household_id: str
    township: str
    village: str | None
    category: str
    due: dt.date | None
    working_days_left: int | None
    overdue: bool
    has_draft: bool


class RecordRequest(BaseModel):
    """A verification to record. `draft` saves an incomplete form (a complete one is
    refused: submit it); `submit` submits a complete form (an incomplete one is saved as a
    draft and its missing items listed). Contradictions with department findings are
    returned as `needs_confirmation` until `confirm_warnings` is true."""

    model_config = _IN
    form: VerificationForm
    action: Literal["draft", "submit"] = "submit"
    confirm_warnings: bool = False


class RecordOut(BaseModel):
    claim_id: str
    status: Literal["draft", "submitted", "needs_confirmation"]
    verification_pk: int | None
    missing: list[str]
    warnings: list[str]
    claim_status: str | None


class Reason(BaseModel):
    code: str
    text: str


class PendedOut(BaseModel):
    claim_id: str
    household_id: str
    township: str
    category: str
    payout: str
    reasons: list[Reason]
    verifier_id: str | None
    decided_at: str


class BandOut(BaseModel):
    from_: str = Field(alias="from")
    to: str | None
    rate: str
    amount: str

    model_config = ConfigDict(populate_by_name=True)


class DecisionOut(BaseModel):
    claim_id: str
    outcome: str
    payout: str
    eligible_expense: str
    counted_expense: str
    per_capita_income: str | None
    net_income: str | None
    bands: list[BandOut]
    reasons: list[Reason]
    explanation: list[str] = Field(description="The rule trace in words (Chinese).")
    pended: bool = Field(description="Waiting in this officer's pend queue.")
    decision: dict[str, Any] = Field(description="The stored decision JSON with its trace.")


class ReviewRequest(BaseModel):
    model_config = _IN
    action: Literal["approve", "deny"]
    reason: str = Field(min_length=1, max_length=1000)


class ReviewOut(BaseModel):
    claim_id: str
    decision_id: int
    action: str
    reason: str
    user_id: str
    at: str


class NoticeOut(BaseModel):
    notice_no: str
    village_code: str
    township_code: str
    title: str
    status: str
    claims: int
    total: str
    start: dt.date
    end: dt.date
    pdf_url: str


class CreateNoticesRequest(BaseModel):
    model_config = _IN
    township: str | None = Field(None, max_length=12)
    village: str | None = Field(None, max_length=12)


class CreatedNoticeOut(BaseModel):
    notice_no: str
    village_code: str
    claims: int
    households: int
    total: str
    start: dt.date
    end: dt.date
    pdf_url: str | None


class ClosedOut(BaseModel):
    notice_no: str
    payable: int
    objected: int


class ObjectionRequest(BaseModel):
    model_config = _IN
    reason: str = Field(min_length=1, max_length=1000)


class ObjectionOut(BaseModel):
    claim_id: str
    notice_id: int
    recorded_at: str


class SampleRequest(BaseModel):
    model_config = _IN
    # (0, 1] with at most four decimals: a fraction with a non-zero digit, or 1.
    rate: str = Field(pattern=(r"^0?\.([1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9])$"
                               r"|^1(\.0{1,4})?$"),
                      description="Sampling rate in (0, 1], e.g. \"0.05\".")
    seed: int = Field(ge=0, lt=2**63)
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class SampleOut(BaseModel):
    sample_id: int
    seed: int
    rate: str
    population_size: int
    population_sha256: str
    sample_size: int
    strata: list[dict[str, Any]]
    claims: list[dict[str, Any]]


class RateRowOut(BaseModel):
    key: str
    sampled: int
    rechecked: int
    with_discrepancies: int
    material: int
    error_rate: float | None
    ci95_low: float | None
    ci95_high: float | None
    payout_at_stake: str


class AuditReportOut(BaseModel):
    samples: list[int]
    generated_at: str
    total: RateRowOut
    by_verifier: list[RateRowOut]
    by_township: list[RateRowOut]
    material: list[dict[str, Any]]


class CountsOut(BaseModel):
    households_verified: int
    persons_verified: int
    households_posted: int
    persons_posted: int
    households_paid: int
    persons_paid: int
    amount_paid: str


class BreakdownOut(CountsOut):
    key: str
    label: str


class SummaryOut(BaseModel):
    year: int | None
    sentences: list[str]
    totals: CountsOut
    by_claim_category: list[BreakdownOut]
    by_household_category: list[BreakdownOut]
    by_township: list[BreakdownOut]


class DocumentRequest(BaseModel):
    model_config = _IN
    format: Literal["pdf", "xlsx"] = "pdf"
    year: int | None = Field(None, ge=2000, le=2100)
