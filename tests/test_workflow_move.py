"""`adjudicator.workflow.move`: the one way a service changes a claim's status."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from adjudicator.storage.events import PendingEvent
from adjudicator.workflow import ClaimStatus, IllegalTransition, move

ROOT = Path(__file__).resolve().parents[1] / "adjudicator"


def _claim(status: str) -> Any:
    return SimpleNamespace(claim_id="K-1", status=status, updated_at="before")


def test_a_move_sets_the_status_the_time_and_queues_its_event() -> None:
    claim, events = _claim("approved"), []
    assert move(claim, ClaimStatus.IN_NOTICE, at="now", events=events, notice_no="N-1") \
        == ClaimStatus.IN_NOTICE
    assert (claim.status, claim.updated_at) == ("in_notice", "now")
    assert events == [PendingEvent("claim.status", "claim", "K-1",
                                   {"from": "approved", "to": "in_notice", "notice_no": "N-1"})]


def test_a_move_without_time_or_events_changes_only_the_status() -> None:
    claim = _claim("closed")
    move(claim, "paid", at=None)
    assert (claim.status, claim.updated_at) == ("paid", "before")


def test_an_illegal_move_is_refused_and_leaves_the_claim_as_it_was() -> None:
    claim, events = _claim("approved"), []
    with pytest.raises(IllegalTransition, match="allowed from approved: in_notice"):
        move(claim, ClaimStatus.PAID, at="now", events=events)
    assert (claim.status, claim.updated_at, events) == ("approved", "before", [])


def test_redecision_settlement_and_reopening_have_their_own_checks() -> None:
    claim, events = _claim("closed"), []
    move(claim, ClaimStatus.VERIFIED, at="now", events=events, check="redecide",
         redecide="objection", because_of="K-0")
    assert events[0].payload == {"from": "closed", "to": "verified", "redecide": "objection",
                                 "because_of": "K-0"}
    with pytest.raises(IllegalTransition, match="only a decided claim"):
        move(_claim("screened"), ClaimStatus.VERIFIED, at=None, check="redecide")
    settled = _claim("approved")
    move(settled, ClaimStatus.PAID, at=None, check="settle")
    assert settled.status == "paid"
    with pytest.raises(IllegalTransition, match="only a new approval"):
        move(_claim("closed"), ClaimStatus.PAID, at=None, check="settle")
    # An audit may reopen a claim that is already verified: it stays, the event says so.
    events = []
    move(_claim("verified"), ClaimStatus.VERIFIED, at=None, events=events, check="reopen")
    assert events[0].payload == {"from": "verified", "to": "verified"}
    with pytest.raises(IllegalTransition):
        move(_claim("verified"), ClaimStatus.VERIFIED, at=None)


def test_no_service_sets_a_stored_claims_status_by_hand() -> None:
    """Services move an ORM claim only through `move` (replay restores stored states and the
    bulk importers write rows; they are not moves)."""
    by_hand = re.compile(r"\b(claim|other)\.status = ")
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted(ROOT.rglob("*.py"))
             if path.name not in {"workflow.py", "integrity.py", "verifications.py"}
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if by_hand.search(line)]
    assert found == []
