"""The synthetic county generator: reproducible, valid, importable, and realistic enough that
the demo tariff approves, denies and pends some of its claims."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adjudicator import adjudicate
from adjudicator.intake import import_file
from adjudicator.rules.idnumber import id_number_problem
from adjudicator.storage.models import Claim, Finding, Member, Verification
from fixtures.generate import age_on, county_cases, generate_county, iter_cases, main
from fixtures.generate import write_import_files as write_files
from schemas import Case

pytestmark = pytest.mark.usefixtures("late_in_2026")



def test_the_same_seed_gives_the_same_county_and_files(tmp_path: Path) -> None:
    first, second = generate_county(11, 40), generate_county(11, 40)
    assert first == second
    assert generate_county(12, 40) != first
    for fmt, zh in (("csv", True), ("jsonl", False)):
        a = write_files(first, tmp_path / f"a-{fmt}", fmt, chinese_headers=zh)
        b = write_files(second, tmp_path / f"b-{fmt}", fmt, chinese_headers=zh)
        assert {k: p.read_bytes() for k, p in a.items()} == {
            k: p.read_bytes() for k, p in b.items()}
    assert list(iter_cases(5, 50)) == list(iter_cases(5, 50))


def test_members_have_valid_unique_id_numbers_fitting_their_relation() -> None:
    county = generate_county(3, 300)
    numbers = [m.id_number for h in county.households for m in h.members]
    assert len(numbers) == len(set(numbers))
    for household in county.households:
        members = household.members
        assert 2 <= len(members) <= 6
        assert household.village.code.startswith(county.code) and len(household.village.code) == 12
        head = members[0]
        assert head.relation == "head" and head.counted
        for m in members:
            assert id_number_problem(m.id_number) is None
            assert m.id_number[:6] == county.code
            assert m.id_number[6:14] == m.birth_date.strftime("%Y%m%d")
            assert int(m.id_number[16]) % 2 == (1 if m.sex == "M" else 0)
            if m.relation == "child":
                assert m.birth_date > head.birth_date + dt.timedelta(days=365 * 20)
            if m.relation == "parent":
                assert m.birth_date < head.birth_date - dt.timedelta(days=365 * 20)
    for household in county.households:
        for claim in household.claims:
            assert claim.event_date.year == 2026
            if claim.category == "education":
                student = next(m for m in household.members if m.member_id == claim.member_id)
                assert 6 <= age_on(student, claim.event_date) <= 26
    categories = collections.Counter(h.category for h in county.households)
    assert sum(categories[c] for c in ("edge", "unstable", "low_income")) > 0.7 * 300


def test_every_generated_case_is_a_valid_case() -> None:
    for case in itertools.chain(county_cases(generate_county(5, 150)), iter_cases(9, 600)):
        Case.model_validate(case)


def test_iter_cases_streams() -> None:
    cases = iter_cases(1, 10**9, pool_size=64)  # never materialized
    first = list(itertools.islice(cases, 3))
    assert [c["case_id"] for c in first] == [f"C-330102-2026-{i:07d}" for i in (1, 2, 3)]


def test_generated_claims_get_a_realistic_mix_of_outcomes(demo_tariff) -> None:
    outcomes: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    for case in county_cases(generate_county(7, 400)):
        decision = adjudicate(Case.model_validate(case), demo_tariff)
        outcomes[decision.outcome.value] += 1
        reasons.update(decision.reasons)
    total = sum(outcomes.values())
    assert total > 300
    assert 0.1 * total < outcomes["approved"] < 0.6 * total
    assert 0.3 * total < outcomes["denied"] < 0.85 * total
    assert 0.02 * total < outcomes["pended"] < 0.3 * total
    for reason in ("INCOME_ABOVE_LINE", "BELOW_TRIGGER", "NEG_CONCEALMENT",
                   "PEND_INCOMPLETE_VERIFICATION"):
        assert reasons[reason] > 0, reason


def test_generated_files_import_without_a_rejected_row(admin_ctx, tmp_path: Path) -> None:
    """The same county in three forms: the first import stores everything, the other two
    find every row already stored (names matched by ID number, values in Chinese)."""
    county = generate_county(21, 40)
    forms = [("csv", True, "gbk"), ("jsonl", False, "utf-8"), ("xlsx", False, "utf-8")]
    for n, (fmt, zh, encoding) in enumerate(forms):
        files = write_files(county, tmp_path / fmt, fmt, chinese_headers=zh, encoding=encoding)
        for kind in ("households", "claims", "verifications", "department-data"):
            result = import_file(admin_ctx, kind, files[kind])
            assert result.rejected == 0, (fmt, kind, Path(result.error_report).read_text(
                encoding="utf-8-sig"))
            assert result.rows_total > 0
            assert (result.accepted if n == 0 else result.unchanged) == result.rows_total
    with admin_ctx.factory() as session:
        def count(model) -> int:
            return session.scalar(select(func.count()).select_from(model))
        claims = sum(len(h.claims) for h in county.households)
        assert count(Member) == sum(len(h.members) for h in county.households)
        assert count(Claim) == count(Verification) == claims
        assert count(Finding) == sum(len(h.findings) for h in county.households)
        assert set(session.scalars(select(Claim.status))) == {"verified"}


def test_the_command_line_writes_files_and_cases(tmp_path: Path, capsys) -> None:
    main(["--households", "15", "--seed", "2", "--out", str(tmp_path / "county"),
          "--format", "jsonl", "--cases", "25", "--cases-out", str(tmp_path / "cases.jsonl")])
    assert sorted(p.name for p in (tmp_path / "county").iterdir()) == [
        "claims.jsonl", "department-data.jsonl", "households.jsonl", "verifications.jsonl"]
    lines = (tmp_path / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 25
    Case.model_validate_json(lines[-1])
    assert "15 households" in capsys.readouterr().out


def test_a_county_generated_for_a_day_has_no_date_after_it() -> None:
    today = dt.date(2026, 4, 1)
    county = generate_county(5, 200, today=today)
    claims = [c for h in county.households for c in h.claims]
    assert max(c.event_date for c in claims) <= today - dt.timedelta(days=15)
    for household in county.households:
        for claim, visit in zip(household.claims, household.verifications, strict=True):
            assert claim.event_date <= visit.verified_on <= today
        assert all(f.reported_on <= today for f in household.findings)
