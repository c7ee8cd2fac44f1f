"""What the form, its checks and an audit re-check need to know about one claim."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.messages import Message
from adjudicator.rules.tariff import Tariff
from adjudicator.services.tariffs import TariffBook, TariffChoiceError
from adjudicator.services.verification.form import SOURCE_LABELS, VerificationRefused
from adjudicator.storage.models import Claim, Finding, Household, Member


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
        raise VerificationRefused(Message("verification.unknown_claim", claim=claim_id))
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
            raise VerificationRefused(Message("verification.refused", detail=exc.message)) from exc
    return ClaimFacts(claim, household, members, findings, tariff[0], tariff[1])


def finding_message(source: str, item: str, found: bool, tariff: Tariff) -> str:
    """'车管部门比对发现: 家庭拥有消费型车辆' — a finding as the verifier reads it."""
    who = SOURCE_LABELS.get(source, source)
    return f"{who}比对{'发现' if found else '未发现'}: {tariff.item_label(item)}"
