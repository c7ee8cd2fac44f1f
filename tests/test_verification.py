"""入户核查 on the stored system: assignment, deadlines, the form, drafts and submissions — on
SQLite and PostgreSQL alike (every test takes `admin_ctx`)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from sqlalchemy import select

from adjudicator.roles import PermissionDenied
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.verification import (
    VerificationForm,
    VerificationRefused,
    assign_claims,
    check_form,
    form_yaml,
    list_assignments,
    load_form,
    overdue_assignments,
    parse_form,
    record_verification,
    verification_template,
)
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import verify_chain
from adjudicator.storage.models import Claim, DecisionRecord, Event, Finding, Member, User
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_audit import VerificationEvidence
from schemas.case import Verification
from tests.casebuilder import DEMO_ITEMS
from tests.seed import add_claim, add_household, load_demo_tariff

T1, T2, T3 = "330102001", "330102002", "330102003"
VISIT = dt.date(2026, 3, 14)


def set_verifier(ctx: Context, user_id: str, townships: list[str], max_open: int = 20) -> None:
    with transaction(ctx.factory) as session:
        user = session.get(User, user_id)
        user.townships, user.max_open_assignments = townships, max_open


def add_finding(ctx: Context, household_id: str, item: str, source: str, found: bool = True
                ) -> None:
    with transaction(ctx.factory) as session:
        session.add(Finding(household_id=household_id, source=source, item=item, found=found,
                            detail=None, reported_on=dt.date(2026, 3, 5),
                            row_key=f"{household_id}-{item}-{source}"))


def screened(ctx: Context, claim_id: str, household_id: str, township: str = T1,
             members: int = 4, total: str = "20000") -> None:
    add_household(ctx, household_id, members=members, region=township + "001")
    add_claim(ctx, claim_id, household_id, total, status="screened")


def fill(form: VerificationForm, *, answers: dict[str, Any] | None = None,
         wage: str | None = "40000", visited: dt.date | None = VISIT,
         counted: dict[str, bool] | None = None) -> VerificationForm:
    """The template filled in as a verifier would: every item answered false unless said."""
    data = form.model_dump(mode="json")
    data["verified_on"] = visited
    for row in data["income"]:
        row["amount"] = (wage if row["kind"] == "wage" else "0") if wage is not None else None
    for row in data["negative_list"]:
        row["answer"] = (answers or {}).get(row["item"], False)
    for row in data["members"]:
        row["counted"] = (counted or {}).get(row["member_id"], row["counted"])
    return parse_form(data)


def claim_of(ctx: Context, claim_id: str) -> Claim:
    with ctx.factory() as session:
        return session.get(Claim, claim_id)


def kinds_of(ctx: Context, entity_id: str) -> list[str]:
    with ctx.factory() as session:
        return list(session.execute(select(Event.kind).where(Event.entity_id == entity_id)
                                    .order_by(Event.seq)).scalars())


def assigned(ctx: Context, claim_id: str, household_id: str, verifier: str = "v1",
             **kw: Any) -> None:
    """A screened claim assigned to `verifier` (who covers township T1 only)."""
    screened(ctx, claim_id, household_id, **kw)
    set_verifier(ctx, verifier, [T1])
    result = assign_claims(ctx.as_user("sup"), verifier=verifier)
    assert [a.claim_id for a in result.assigned] == [claim_id]


# --------------------------------------------------------------------------- assignment


def test_assignment_by_township_is_balanced_within_workload_limits(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1], max_open=2)
    set_verifier(admin_ctx, "v2", [T1, T2], max_open=2)
    for n, township in [(1, T1), (2, T1), (3, T1), (4, T2), (5, T3)]:
        screened(admin_ctx, f"K{n}", f"H{n}", township)
    sup = admin_ctx.as_user("sup")
    result = assign_claims(sup)
    assert [(a.claim_id, a.verifier_id) for a in result.assigned] == [
        ("K1", "v1"), ("K2", "v2"), ("K3", "v1"), ("K4", "v2")]
    assert [(u.claim_id, u.reason.render("en")) for u in result.unassigned] == [
        ("K5", "no active verifier covers township 330102003")]
    assert result.unassigned[0].reason.render("zh") == "没有在用的核查员负责乡镇 330102003"
    k1 = claim_of(admin_ctx, "K1")
    assert (k1.status, k1.assigned_verifier) == ("under_verification", "v1")
    assert k1.assigned_at == admin_ctx.now()
    assert claim_of(admin_ctx, "K5").status == "screened"  # reported, not dropped
    assert kinds_of(admin_ctx, "K1") == ["verification.assigned", "claim.status"]

    screened(admin_ctx, "K6", "H6", T1)
    again = assign_claims(sup)
    assert again.assigned == []
    reasons = {u.claim_id: u.reason.render("en") for u in again.unassigned}
    assert reasons["K6"] == ("every verifier of township 330102001 is at the workload limit "
                             "(v1 2/2, v2 2/2)")
    # A recorded verification frees a place: the limit counts open assignments only.
    record_verification(admin_ctx.as_user("v1"), "K1",
                        fill(verification_template(admin_ctx.as_user("v1"), "K1")))
    assert [(a.claim_id, a.verifier_id) for a in assign_claims(sup).assigned] == [("K6", "v1")]


def test_assignment_filters_by_township_and_verifier(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1])
    set_verifier(admin_ctx, "v2", [T2])
    screened(admin_ctx, "K1", "H1", T1)
    screened(admin_ctx, "K2", "H2", T2)
    sup = admin_ctx.as_user("sup")
    only_t2 = assign_claims(sup, township=T2)
    assert [(a.claim_id, a.verifier_id) for a in only_t2.assigned] == [("K2", "v2")]
    assert only_t2.unassigned == []
    by_v2 = assign_claims(sup, verifier="v2")
    assert by_v2.assigned == []
    assert [u.reason.render("en") for u in by_v2.unassigned] == [
        "verifier v2 does not cover township 330102001"]
    with pytest.raises(VerificationRefused, match="not an active verifier"):
        assign_claims(sup, verifier="sup")
    with pytest.raises(PermissionDenied):
        assign_claims(admin_ctx.as_user("v1"))


def test_deadline_counts_working_days_across_the_weekend(admin_ctx, clock) -> None:
    load_demo_tariff(admin_ctx)
    clock.moment = dt.datetime(2026, 3, 13, 9, 0, tzinfo=dt.UTC)  # a Friday
    set_verifier(admin_ctx, "v1", [T1])
    screened(admin_ctx, "K1", "H1")
    sup = admin_ctx.as_user("sup")
    assert assign_claims(sup, township=T1, days=5).assigned[0].due == dt.date(2026, 3, 20)
    assert claim_of(admin_ctx, "K1").verification_due == dt.date(2026, 3, 20)
    screened(admin_ctx, "K2", "H2")
    # Three working days with Monday a holiday: Tue, Wed, Thu.
    result = assign_claims(sup, days=3, holidays={dt.date(2026, 3, 16)})
    assert result.assigned[0].due == dt.date(2026, 3, 19)


def test_lists_and_overdue_assignments(admin_ctx, clock) -> None:
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1])
    set_verifier(admin_ctx, "v2", [T2])
    clock.moment = dt.datetime(2026, 3, 13, 9, 0, tzinfo=dt.UTC)  # Friday: due 20 March
    screened(admin_ctx, "K1", "H1", T1)
    screened(admin_ctx, "K2", "H2", T2)
    sup = admin_ctx.as_user("sup")
    assign_claims(sup)
    mine = list_assignments(admin_ctx.as_user("v1"))
    assert [(a.claim_id, a.due, a.working_days_left, a.overdue) for a in mine] == [
        ("K1", dt.date(2026, 3, 20), 5, False)]
    assert {a.claim_id for a in list_assignments(sup, everyone=True)} == {"K1", "K2"}
    with pytest.raises(PermissionDenied, match="own assignments"):
        list_assignments(admin_ctx.as_user("v1"), everyone=True)
    assert overdue_assignments(sup) == []

    clock.moment = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)  # the due day: not late
    assert overdue_assignments(sup) == []
    clock.moment = dt.datetime(2026, 3, 23, 9, 0, tzinfo=dt.UTC)  # the Monday after
    late = overdue_assignments(sup)
    assert [(a.claim_id, a.working_days_left, a.overdue) for a in late] == [
        ("K1", -1, True), ("K2", -1, True)]
    assert [a.claim_id for a in overdue_assignments(admin_ctx.as_user("v2"))] == ["K2"]
    # Verified claims are no longer late.
    v1 = admin_ctx.as_user("v1")
    record_verification(v1, "K1", fill(verification_template(v1, "K1")))
    assert [a.claim_id for a in overdue_assignments(sup)] == ["K2"]


# --------------------------------------------------------------------------- the form


def test_template_lists_members_every_active_item_and_the_findings(admin_ctx, tmp_path
                                                                   ) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K1", "H1")
    add_finding(admin_ctx, "H1", "VEHICLE", "vehicle_registry")
    add_finding(admin_ctx, "H1", "SHOP", "housing", found=False)
    photo = tmp_path / "door.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the door")
    form = verification_template(admin_ctx.as_user("v1"), "K1", evidence_dir=tmp_path)
    assert [a.item for a in form.negative_list] == DEMO_ITEMS
    assert all(a.answer is None and a.label for a in form.negative_list)
    assert form.negative_list[1].label == "家庭拥有消费型车辆"
    assert [f.message for f in form.findings] == ["车管部门比对发现: 家庭拥有消费型车辆",
                                                  "住建部门比对未发现: 家庭拥有铺面"]
    assert [(m.member_id, m.counted) for m in form.members] == [
        ("M1", True), ("M2", True), ("M3", True), ("M4", True)]
    assert form.members[0].name == "张三" and "*" in (form.members[0].id_number or "")
    assert [(i.kind.value, i.amount) for i in form.income] == [
        ("wage", None), ("business", None), ("property", None), ("transfer", None)]
    assert [(e.kind, e.ref, e.sha256) for e in form.evidence] == [
        ("receipt", "K1", None),
        ("photo", "door.jpg", hashlib.sha256(photo.read_bytes()).hexdigest())]
    assert form.verifier_id == "v1" and form.verified_on is None

    text = form_yaml(form)
    assert "# 负面清单" in text and "车管部门比对发现: 家庭拥有消费型车辆" in text
    for item in DEMO_ITEMS:
        assert f"item: {item}" in text
    path = tmp_path / "form.yaml"
    path.write_text(text, "utf-8")
    assert load_form(path) == form  # the printed YAML reads back to the same form
    json_path = tmp_path / "form.json"
    json_path.write_text(form.model_dump_json(), "utf-8")
    assert load_form(json_path) == form


def test_a_verifier_gets_forms_of_their_own_assignments_only(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K1", "H1")
    with pytest.raises(VerificationRefused, match="not assigned to v2"):
        verification_template(admin_ctx.as_user("v2"), "K1")
    blank = verification_template(admin_ctx.as_user("aud"), "K1")  # an auditor re-checks
    assert blank.verifier_id == "aud"


def test_an_incomplete_form_is_a_draft_listing_what_is_missing(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K1", "H1")
    v1 = admin_ctx.as_user("v1")
    form = fill(verification_template(v1, "K1"), answers={"SHOP": None}, wage=None,
                visited=None)
    result = record_verification(v1, "K1", form)
    assert result.status == "draft" and result.claim_status == "under_verification"
    assert [m.split(":")[0] for m in result.missing] == [
        "verified_on", "income.wage", "income.business", "income.property",
        "income.transfer", "negative_list.SHOP"]
    assert "家庭拥有铺面" in result.missing[-1]
    assert claim_of(admin_ctx, "K1").status == "under_verification"
    with admin_ctx.factory() as session:
        event = session.execute(select(Event).where(Event.kind == "verification.draft_saved")
                                ).scalar_one()
    payload = orjson.loads(event.payload)
    assert payload["missing"][0] == "verified_on" and "SHOP" not in payload["answered"]
    assert "张" not in event.payload  # never a name in the audit trail

    # The next template carries the draft's answers; completing it submits.
    again = verification_template(v1, "K1")
    assert again.answers()["VEHICLE"] is False and again.answers()["SHOP"] is None
    no_counted = fill(again, counted={f"M{i}": False for i in range(1, 5)})
    assert "members: 没有计入家庭人口的成员" in check_form(v1, "K1", no_counted).missing
    done = record_verification(v1, "K1", fill(again, counted={"M4": False}))
    assert (done.status, done.missing, done.claim_status) == ("submitted", [], "verified")
    with admin_ctx.factory() as session:
        row = session.get(VerificationRow, done.verification_pk)
        counted = dict(session.execute(select(Member.member_id, Member.counted).where(
            Member.household_id == "H1")).all())
    # Stored exactly as the schema's Verification (without cross_checks).
    assert Verification.model_validate(row.payload).model_dump(
        mode="json", exclude={"cross_checks"}) == row.payload
    assert row.payload["negative_list"] == dict.fromkeys(sorted(DEMO_ITEMS), False)
    assert row.verified_on == VISIT and row.status == "submitted"
    assert counted == {"M1": True, "M2": True, "M3": True, "M4": False}
    assert kinds_of(admin_ctx, "K1")[-3:] == ["verification.draft_saved",
                                              "verification.submitted", "claim.status"]
    assert kinds_of(admin_ctx, "H1") == ["household.members_counted"]

    # adjudicate_ready builds the case from it: 3 counted members, wages 40000, E = 20000.
    result = adjudicate_ready(admin_ctx.as_user("sup"), claim_id="K1")
    assert result.outcomes == {"approved": 1}
    with admin_ctx.factory() as session:
        decision = session.execute(select(DecisionRecord).where(
            DecisionRecord.claim_id == "K1")).scalar_one()
    assert orjson.loads(decision.decision_json)["counted_members"] == 3
    with admin_ctx.factory() as session:
        assert verify_chain(session)[1] is None


def test_a_contradiction_with_a_finding_warns_and_may_still_be_submitted(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K1", "H1")
    add_finding(admin_ctx, "H1", "VEHICLE", "vehicle_registry")
    v1 = admin_ctx.as_user("v1")
    form = fill(verification_template(v1, "K1"))
    check = check_form(v1, "K1", form)
    assert check.complete and check.contradictions == ["VEHICLE"]
    # the reasons by their Chinese names, never as codes (NEG_VEHICLE 及 NEG_CONCEALMENT)
    assert check.warnings == ["车管部门比对发现: 家庭拥有消费型车辆，但核查回答“否”：理算将认定"
                              "“家庭拥有消费型车辆”及“刻意隐瞒家庭真实情况、拒不配合核查或虚报开支”"
                              "，不予救助"]
    result = record_verification(v1, "K1", form)
    assert result.status == "submitted" and result.warnings == check.warnings
    adjudicate_ready(admin_ctx.as_user("sup"))
    with admin_ctx.factory() as session:
        decision = session.execute(select(DecisionRecord).where(
            DecisionRecord.claim_id == "K1")).scalar_one()
    assert (decision.outcome, decision.reasons) == ("denied", ["NEG_CONCEALMENT", "NEG_VEHICLE"])


def test_only_the_assigned_verifier_records(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K1", "H1")
    form = fill(verification_template(admin_ctx.as_user("v1"), "K1"))
    with pytest.raises(VerificationRefused, match="assigned to v1, not v2"):
        record_verification(admin_ctx.as_user("v2"), "K1", form.model_copy(
            update={"verifier_id": None}))
    with pytest.raises(VerificationRefused, match="signed by v1"):
        record_verification(admin_ctx.as_user("v2"), "K1", form)
    with pytest.raises(PermissionDenied, match=r"verify\.record"):
        record_verification(admin_ctx.as_user("sup"), "K1", form)
    with pytest.raises(PermissionDenied):
        record_verification(admin_ctx.as_user("aud"), "K1", form)
    record_verification(admin_ctx.as_user("v1"), "K1", form)
    with pytest.raises(VerificationRefused, match="is verified"):
        record_verification(admin_ctx.as_user("v1"), "K1", form)


def test_form_errors_are_refused_with_the_field(admin_ctx, tmp_path: Path) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K1", "H1")
    v1 = admin_ctx.as_user("v1")
    form = fill(verification_template(v1, "K1"))
    data = form.model_dump(mode="json")
    data["members"] = [*data["members"][:3], {"member_id": "M9", "counted": True}]
    data["negative_list"].append({"item": "LARGE_DEPOSITS", "answer": False})
    with pytest.raises(VerificationRefused) as info:
        record_verification(v1, "K1", parse_form(data))
    message = str(info.value)
    assert "M9 is not a member" in message and "M4 is missing" in message
    assert "LARGE_DEPOSITS is not an item of tariff demo-county/2026" in message
    with pytest.raises(VerificationRefused, match=r"income\.0\.amount"):
        parse_form({**form.model_dump(mode="json"),
                    "income": [{"kind": "wage", "amount": "4万"}]})
    with pytest.raises(VerificationRefused, match="in the future"):
        record_verification(v1, "K1", fill(form, visited=dt.date(2026, 3, 16)))
    bad = tmp_path / "bad.yaml"
    bad.write_text("claim_id: [unclosed", "utf-8")
    with pytest.raises(VerificationRefused, match="not valid"):
        load_form(bad)


def test_yes_no_answers_may_be_written_in_chinese() -> None:
    form = parse_form({"claim_id": "K", "household_id": "H",
                       "negative_list": [{"item": "VEHICLE", "answer": "否"},
                                         {"item": "SHOP", "answer": "是"},
                                         {"item": "COMPANY", "answer": ""}]})
    assert form.answers() == {"VEHICLE": False, "SHOP": True, "COMPANY": None}
    with pytest.raises(VerificationRefused, match="answer true"):
        parse_form({"claim_id": "K", "household_id": "H",
                    "negative_list": [{"item": "VEHICLE", "answer": "maybe"}]})


def test_photo_evidence_must_match_its_sha256(admin_ctx, tmp_path: Path) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K1", "H1")
    v1 = admin_ctx.as_user("v1")
    photo = tmp_path / "kitchen.jpg"
    photo.write_bytes(b"kitchen")
    form = fill(verification_template(v1, "K1", evidence_dir=tmp_path))
    data = form.model_dump(mode="json")
    data["evidence"][1]["sha256"] = "0" * 64
    with pytest.raises(VerificationRefused, match=r"SHA-256 of 'kitchen\.jpg' does not match"):
        record_verification(v1, "K1", parse_form(data), evidence_dir=tmp_path)
    data["evidence"][1] = {"kind": "photo", "ref": "../escape.jpg", "sha256": "0" * 64}
    with pytest.raises(VerificationRefused, match="outside the evidence folder"):
        record_verification(v1, "K1", parse_form(data), evidence_dir=tmp_path)
    data["evidence"][1] = {"kind": "photo", "ref": "missing.jpg"}
    with pytest.raises(VerificationRefused, match="a photo needs its sha256"):
        record_verification(v1, "K1", parse_form(data))
    result = record_verification(v1, "K1", form, evidence_dir=tmp_path)
    with admin_ctx.factory() as session:
        stored = list(session.execute(select(VerificationEvidence.kind, VerificationEvidence.ref)
                                      .where(VerificationEvidence.verification_pk
                                             == result.verification_pk)
                                      .order_by(VerificationEvidence.pk)).all())
    assert stored == [("receipt", "K1"), ("photo", "kitchen.jpg")]


def test_re_verification_of_a_claim_pended_as_incomplete(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H1")
    add_claim(admin_ctx, "K1", "H1", "20000", answers={"SHOP": None})
    with transaction(admin_ctx.factory) as session:
        session.get(Claim, "K1").assigned_verifier = "v1"
    sup = admin_ctx.as_user("sup")
    assert adjudicate_ready(sup).outcomes == {"pended": 1}
    v1 = admin_ctx.as_user("v1")
    result = record_verification(v1, "K1", fill(verification_template(v1, "K1")))
    assert (result.status, result.claim_status) == ("submitted", "verified")
    assert adjudicate_ready(sup).outcomes == {"approved": 1}


def test_a_claim_pended_for_review_is_not_re_verified(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    add_household(admin_ctx, "H1", members=2)
    add_claim(admin_ctx, "K1", "H1", "21000", wages="40000")  # example 12: hardship pend
    with transaction(admin_ctx.factory) as session:
        session.get(Claim, "K1").assigned_verifier = "v1"
    adjudicate_ready(admin_ctx.as_user("sup"))
    v1 = admin_ctx.as_user("v1")
    with pytest.raises(VerificationRefused, match="pended for a person's review"):
        record_verification(v1, "K1", fill(verification_template(v1, "K1")))


def test_the_yaml_template_is_valid_yaml_with_comments(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K1", "H1")
    text = form_yaml(verification_template(admin_ctx.as_user("v1"), "K1"))
    data = yaml.safe_load(text)
    assert data["claim_id"] == "K1" and len(data["negative_list"]) == len(DEMO_ITEMS)
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= 15
    assert any("入户核查日期" in line for line in comments)
