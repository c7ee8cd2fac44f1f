"""Verification reuse: a claim verified by the household's verification on record (within
the tariff's `verification_valid_days`) rather than a visit of its own. The case snapshot
says which: `verification.reused_from_claim` and `verification.reused_verification_id`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.storage.models import Verification
from adjudicator.storage.models_feeds import VerificationReuse


def reused_verifications(session: Session, claim_ids: list[str]) -> dict[str, dict[str, Any]]:
    """claim id -> the payload of the verification it reuses, marked with where it is from
    (only for claims that reuse one)."""
    if not claim_ids:
        return {}
    found: dict[str, dict[str, Any]] = {}
    for claim_id, pk, from_claim, payload in session.execute(
            select(VerificationReuse.claim_id, Verification.pk, Verification.claim_id,
                   Verification.payload)
            .join(Verification, Verification.pk == VerificationReuse.verification_pk)
            .where(VerificationReuse.claim_id.in_(claim_ids))):
        found[claim_id] = {**payload, "reused_from_claim": from_claim,
                           "reused_verification_id": pk}
    return found
