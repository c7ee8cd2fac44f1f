"""公示 and 兑现 on the stored system: post, object, close after the period, pay exactly once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.notices import (
    NoticeRefused,
    close_due_notices,
    close_notice,
    create_notices,
    record_objection,
)
from adjudicator.services.payments import pay_closed
from adjudicator.storage.models import Claim, Payment
from tests.seed import add_claim, add_household, load_demo_tariff


def _status(ctx, claim_id: str) -> str:
    with ctx.factory() as session:
        return session.get(Claim, claim_id).status


@pytest.fixture
def approved(admin_ctx):
    """Three approved claims in two households of one village."""
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H1")
    add_household(admin_ctx, "H2")
    add_claim(admin_ctx, "K-1", "H1", "25000")
    add_claim(admin_ctx, "K-2", "H1", "10000", event_date=dt.date(2026, 4, 1))
    add_claim(admin_ctx, "K-3", "H2", "45000", wages="30000")
    result = adjudicate_ready(admin_ctx.as_user("sup"))
    assert result.outcomes == {"approved": 3}
    return admin_ctx


def test_notice_object_close_and_pay_exactly_once(approved, clock, tmp_path) -> None:
    officer = approved.as_user("off")
    notices = create_notices(officer, tmp_path, render=False)
    assert len(notices) == 1
    notice = notices[0]
    assert (notice.claims, notice.households, notice.total) == (3, 2, Decimal("39000.00"))
    assert notice.end - notice.start == dt.timedelta(days=6)  # 7 days, both ends included
    assert {_status(approved, k) for k in ("K-1", "K-2", "K-3")} == {"in_notice"}
    assert create_notices(officer, tmp_path, render=False) == []  # nothing left to post

    record_objection(officer, "K-3", "村民反映该户有经营性收入未申报")
    assert _status(approved, "K-3") == "under_verification"
    with approved.factory() as session:
        assert session.get(Claim, "K-3").final_paid is None

    with pytest.raises(NoticeRefused, match="runs until"):
        close_notice(officer, notice.notice_no)
    clock.advance(days=7)
    assert close_due_notices(officer) == [(notice.notice_no, 2, 1)]

    supervisor = approved.as_user("sup")
    run = pay_closed(supervisor, tmp_path)
    assert (run.payments, run.households, run.total) == (2, 1, Decimal("16500.00"))
    assert run.register is not None and "张三" in run.register.read_text("utf-8-sig")
    assert pay_closed(supervisor).payments == 0  # a second run pays nothing
    with approved.factory() as session:
        assert session.execute(select(func.count()).select_from(Payment)).scalar_one() == 2
    assert {_status(approved, k) for k in ("K-1", "K-2")} == {"paid"}


def test_objections_only_during_the_notice(approved, tmp_path) -> None:
    with pytest.raises(NoticeRefused, match="during its notice period"):
        record_objection(approved.as_user("off"), "K-1", "理由")
    create_notices(approved.as_user("off"), tmp_path, render=False)
    with pytest.raises(NoticeRefused, match="reason"):
        record_objection(approved.as_user("off"), "K-1", " ")


def test_only_officers_post_notices(approved, tmp_path) -> None:
    from adjudicator.roles import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_notices(approved.as_user("sup"), tmp_path, render=False)


def test_notice_pdf_is_written_masked_and_recorded_with_its_hash(approved, tmp_path) -> None:
    import hashlib

    from pypdf import PdfReader

    from adjudicator.storage.events import verify_chain
    from adjudicator.storage.models import Event
    from adjudicator.storage.models_notice import Document

    notice = create_notices(approved.as_user("off"), tmp_path)[0]
    assert notice.pdf is not None and notice.pdf.is_file()
    data = notice.pdf.read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(notice.pdf).pages)
    assert "合计 共 2 户，3 人次 39,000.00" in text
    assert "公示期：2026年3月15日至2026年3月21日（共7天）" in text
    assert "330102********0018" in text
    assert "张三" not in text  # the full name never reaches the public notice
    with approved.factory() as session:
        document = session.execute(select(Document)).scalar_one()
        event = session.execute(select(Event).where(Event.kind == "document.generated")
                                ).scalar_one()
        _, problem = verify_chain(session)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.sha256 in event.payload
    assert problem is None


def test_an_objected_claim_is_decided_again_and_supersedes(approved, tmp_path) -> None:
    from adjudicator.storage.db import transaction
    from adjudicator.storage.models import DecisionRecord, Verification
    from tests.casebuilder import DEMO_ITEMS

    officer = approved.as_user("off")
    create_notices(officer, tmp_path, render=False)
    record_objection(officer, "K-3", "村民反映有经营收入")
    with transaction(approved.factory) as session:  # the verifier's second visit finds more
        claim = session.get(Claim, "K-3")
        claim.status = "verified"
        session.add(Verification(
            claim_id="K-3", household_id="H2", verifier_id="v2", verified_on=dt.date(2026, 3, 20),
            status="submitted", created_at=approved.now(), created_by="v2",
            payload={"verified_on": "2026-03-20", "verifier_id": "v2",
                     "income": [{"kind": "wage", "amount": "30000"},
                                {"kind": "business", "amount": "80000"}],
                     "costs": [], "negative_list": dict.fromkeys(DEMO_ITEMS, False)}))
    result = adjudicate_ready(approved.as_user("sup"))
    # (110000 - 45000) / 4 = 16250 > 7000, and 45000 < 0.5 x 110000: no hardship route
    assert result.outcomes == {"denied": 1}
    with approved.factory() as session:
        decisions = session.execute(select(DecisionRecord).where(
            DecisionRecord.claim_id == "K-3").order_by(DecisionRecord.seq)).scalars().all()
        claim = session.get(Claim, "K-3")
    assert [(d.seq, d.outcome, d.payout) for d in decisions] == [
        (1, "approved", Decimal("22500.00")), (2, "denied", Decimal("0.00"))]
    assert claim.current_decision_id == decisions[1].decision_id
    assert (claim.final_paid, claim.final_counted_expense) == (Decimal("0.00"),
                                                               Decimal("45000.00"))


def test_a_claim_that_moves_while_pdfs_render_is_not_posted(approved, tmp_path,
                                                            monkeypatch) -> None:
    """Rendering happens outside the write transaction; the transaction re-checks each claim
    and leaves a village whose claims moved meanwhile for the next run."""
    import adjudicator.documents as documents
    from adjudicator.storage.db import transaction

    def render_while_someone_reopens_k3(models):
        with transaction(approved.factory) as session:
            session.get(Claim, "K-3").status = "under_verification"
        return [b"%PDF-1.7 stand-in" for _ in models]

    monkeypatch.setattr(documents, "render_notices", render_while_someone_reopens_k3,
                        raising=False)
    assert create_notices(approved.as_user("off"), tmp_path) == []
    assert {_status(approved, k) for k in ("K-1", "K-2")} == {"approved"}
    assert not (tmp_path / "notices").exists()
