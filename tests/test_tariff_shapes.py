"""Tariff shapes of real programs (RULES.md): covered household categories, a per-person
cap, excluded causes, parts of a loss that are not covered, categories a tariff defines.

The worked examples 13-21 are in tests/data/worked_examples.toml (test_worked_examples.py).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import ValidationError

from adjudicator import adjudicate
from adjudicator.rules.columnar import ColumnarEngine
from adjudicator.rules.tariff import Tariff, TariffError, load_tariff, parse_tariff
from schemas import Case
from tests.casebuilder import make_case

DATA = Path(__file__).parent / "data"
PLUS_PATH = DATA / "demo-county-plus-2026.toml"
PLUS_TEXT = PLUS_PATH.read_text("utf-8")


@pytest.fixture(scope="module")
def plus() -> Tariff:
    return load_tariff(PLUS_PATH)


def decide_both(document: dict[str, Any], tariff: Tariff) -> dict[str, Any]:
    """The decision of both engines, which must be the same bytes."""
    scalar = adjudicate(Case.model_validate(document), tariff).to_json()
    (columnar,) = ColumnarEngine(tariff).decide([orjson.dumps(document)])
    if columnar is not None:
        assert columnar.line.decode() == scalar
    result: dict[str, Any] = orjson.loads(scalar)
    return result


def step(decision: dict[str, Any], rule: str) -> dict[str, Any]:
    return next(s for s in decision["trace"] if s["rule"] == rule)


# -- a tariff without the new keys decides byte for byte as before --------------------------


def test_decisions_made_before_the_change_replay_byte_for_byte() -> None:
    # Cases and decisions written by the engine before tariff shapes existed (a generated
    # county and the twelve worked examples, on the demo tariff as it was then, before the
    # feeds' keys changed its SHA-256): replayed now, in both engines.
    demo_tariff = load_tariff(DATA / "demo-county-2026-before-feeds.toml")
    lines = gzip.decompress((DATA / "decisions-before-tariff-shapes.jsonl.gz").read_bytes())
    pairs = lines.splitlines()
    cases, decisions = pairs[0::2], pairs[1::2]
    assert len(cases) == 212
    for case, decision in zip(cases, decisions, strict=True):
        assert adjudicate(Case.model_validate_json(case), demo_tariff).to_json().encode() \
            == decision
    columnar = ColumnarEngine(demo_tariff).decide(cases)
    assert [d.line if d else None for d in columnar] == decisions


def test_a_case_without_the_new_fields_dumps_as_before() -> None:
    document = make_case(disaster={"assessed_loss": "1000"})
    dumped = orjson.loads(Case.model_validate(document).model_dump_json())
    assert "cause" not in dumped["claim"]
    assert set(dumped["claim"]["disaster"]) == {"assessed_loss", "insurance_paid",
                                                "relief_paid"}
    assert "paid_member_all_categories_to_date" not in dumped["history"]


# -- the tariff format ----------------------------------------------------------------------


def problems_of(text: str) -> list[tuple[str, str]]:
    with pytest.raises(TariffError) as caught:
        parse_tariff(text.encode(), "t.toml")
    return caught.value.problems


def test_the_shared_tariff_loads_with_every_new_key(plus: Tariff) -> None:
    assert plus.person_annual_cap_all is not None and str(plus.person_annual_cap_all) == "60000"
    assert [c.value for c in plus.covered_household_categories or []] == [
        "unstable", "edge", "sudden_hardship", "low_income"]
    assert plus.shape_of("theft") == "disaster"
    assert plus.shape_of("accident") is None  # not defined by this tariff
    assert plus.category_label("theft") == "因被盗"
    assert plus.category_label("medical") == "因病"
    assert [c.value for c in plus.categories["disaster"].excluded_causes] == ["earthquake"]
    assert plus.categories["disaster"].exclude_motor_vehicles is True
    assert plus.caps_across_categories


def test_caps_across_categories_is_either_cap(demo_tariff: Tariff) -> None:
    assert demo_tariff.caps_across_categories  # household_annual_cap_all
    person_only = PLUS_TEXT.replace('household_annual_cap_all = "150000"\n', "")
    assert parse_tariff(person_only.encode()).caps_across_categories
    neither = person_only.replace('person_annual_cap_all = "60000"\n', "")
    assert not parse_tariff(neither.encode()).caps_across_categories


def test_a_tariff_defined_category_needs_a_shape_and_a_label() -> None:
    text = PLUS_TEXT.replace('shape = "disaster"\nlabel = "因被盗"\n', "")
    assert problems_of(text) == [
        ("categories.theft.shape", 'a category the tariff defines needs a shape: "medical", '
         '"education" or "disaster"'),
        ("categories.theft.label", 'a category the tariff defines needs a Chinese label, such '
         'as "因被盗"')]


def test_a_built_in_keeps_its_shape() -> None:
    text = PLUS_TEXT.replace("[categories.disaster]\n",
                             '[categories.disaster]\nshape = "medical"\n')
    assert problems_of(text) == [
        ("categories.disaster.shape", 'disaster is a built-in category of shape disaster; omit '
         'shape or set it to "disaster"')]
    same = PLUS_TEXT.replace("[categories.disaster]\n",
                             '[categories.disaster]\nshape = "disaster"\n')
    assert parse_tariff(same.encode()).shape_of("disaster") == "disaster"


def test_an_unknown_cause_is_named_with_the_causes_to_choose_from() -> None:
    text = PLUS_TEXT.replace('excluded_causes = ["earthquake"]',
                             'excluded_causes = ["earthquake", "meteor"]')
    assert problems_of(text) == [
        ("categories.disaster.excluded_causes[1]", "unknown cause 'meteor': one of fire, "
         "explosion, flood, storm, hail, drought, landslide, earthquake, animal_disease, "
         "traffic, theft, other")]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('person_annual_cap_all = "60000"', 'person_annual_cap_all = "0"',
     ("person_annual_cap_all", "must be positive (omit it for no cap)")),
    ('covered_household_categories = ["unstable", "edge", "sudden_hardship", "low_income"]',
     "covered_household_categories = []",
     ("covered_household_categories",
      "must list at least one household category (omit it to cover all)")),
    ('covered_household_categories = ["unstable", "edge", "sudden_hardship", "low_income"]',
     'covered_household_categories = ["edge", "edge"]',
     ("covered_household_categories[1]", "edge is listed twice")),
    ("[categories.theft]", "[categories.Theft]",
     ("categories.Theft", "'Theft' is not a category name: lower-case letters, digits and "
      "underscores, starting with a letter, at most 16 characters")),
    ("[categories.theft]", '[categories.theft]\neligible_stages = ["college"]',
     ("categories.theft.eligible_stages", "applies to education-shaped categories only")),
])
def test_the_new_keys_are_validated(old: str, new: str, expected: tuple[str, str]) -> None:
    assert expected in problems_of(PLUS_TEXT.replace(old, new))


def test_motor_vehicles_apply_to_disaster_shapes_only() -> None:
    text = PLUS_TEXT.replace("[categories.education]\n",
                             "[categories.education]\nexclude_motor_vehicles = true\n")
    assert problems_of(text) == [("categories.education.exclude_motor_vehicles",
                                  "applies to disaster-shaped categories only")]


def test_an_education_shaped_category_of_its_own_needs_its_stages() -> None:
    text = PLUS_TEXT + ('\n[categories.vocational]\nshape = "education"\nlabel = "因职业培训"\n'
                        'annual_cap = "5000"\nbands = [{ from = "1000", rate = "0.5" }]\n')
    assert problems_of(text) == [("categories.vocational.eligible_stages",
                                  "must list the covered stages")]


# -- the case -------------------------------------------------------------------------------


def test_amounts_may_sit_under_the_category_s_own_name(plus: Tariff) -> None:
    document = make_case(wages="20000", disaster={"assessed_loss": "9000", "relief_paid": "1000"},
                         category="theft")
    alias = dict(document, claim={**document["claim"]})
    alias["claim"]["theft"] = alias["claim"].pop("disaster")
    assert Case.model_validate(alias) == Case.model_validate(document)
    assert decide_both(alias, plus)["payout"] == "3000.00"


def test_a_tariff_category_carries_exactly_one_amounts_part() -> None:
    document = make_case(disaster={"assessed_loss": "9000"}, category="theft")
    document["claim"]["medical"] = {"total_cost": "1"}
    with pytest.raises(ValidationError, match="exactly one amounts part"):
        Case.model_validate(document)


def test_an_unknown_cause_in_a_case_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"claim\.cause"):
        Case.model_validate(make_case(disaster={"assessed_loss": "9000"}, cause="meteor"))


# -- the rules ------------------------------------------------------------------------------


def test_amounts_of_another_shape_are_not_covered(plus: Tariff) -> None:
    document = make_case(medical={"total_cost": "9000"}, category="theft")
    decision = decide_both(document, plus)
    assert (decision["outcome"], decision["reasons"]) == ("denied", ["CATEGORY_NOT_COVERED"])
    assert step(decision, "coverage.category")["values"] == {
        "category": "theft", "covered": ["medical", "education", "disaster", "theft"],
        "shape": "disaster", "amounts": "medical", "label": "因被盗"}


def test_a_category_the_tariff_does_not_define_is_not_covered(plus: Tariff,
                                                               demo_tariff: Tariff) -> None:
    for tariff in (plus, demo_tariff):
        document = make_case(disaster={"assessed_loss": "9000"}, category="livestock")
        decision = decide_both(document, tariff)
        assert decision["reasons"] == ["CATEGORY_NOT_COVERED"]
        assert step(decision, "coverage.category")["values"]["shape"] is None
    theft = make_case(disaster={"assessed_loss": "9000"}, category="theft")
    assert decide_both(theft, demo_tariff)["reasons"] == ["CATEGORY_NOT_COVERED"]


def test_step_one_reasons_are_collected_together(plus: Tariff) -> None:
    document = make_case(household_category="general", cause="earthquake",
                         disaster={"assessed_loss": "30000"}, region_code="440101001001")
    decision = decide_both(document, plus)
    assert decision["reasons"] == ["CAUSE_EXCLUDED", "HOUSEHOLD_CATEGORY_NOT_COVERED",
                                   "NOT_COVERED_REGION"]
    assert step(decision, "coverage.household_category")["values"] == {
        "household_category": "general",
        "covered_household_categories": ["unstable", "edge", "sudden_hardship", "low_income"]}
    assert step(decision, "coverage.cause") == {
        "rule": "coverage.cause", "result": "fail", "reason": "CAUSE_EXCLUDED",
        "values": {"cause": "earthquake", "excluded_causes": ["earthquake"]}}


def test_a_missing_cause_pends_only_where_the_category_excludes_causes(plus: Tariff) -> None:
    disaster = decide_both(make_case(wages="20000", disaster={"assessed_loss": "30000"}), plus)
    assert disaster["reasons"] == ["PEND_INCOMPLETE_VERIFICATION"]
    assert step(disaster, "coverage.cause")["result"] == "info"
    assert step(disaster, "completeness")["values"]["cause_recorded"] is False
    theft = decide_both(make_case(wages="20000", disaster={"assessed_loss": "9000"},
                                  category="theft"), plus)
    assert theft["outcome"] == "approved"
    assert "cause_recorded" not in step(theft, "completeness")["values"]


def test_the_motor_vehicle_part_counts_where_the_category_keeps_it(plus: Tariff) -> None:
    # theft does not exclude motor vehicles: a stolen tractor's value stays in the loss.
    document = make_case(wages="20000", category="theft",
                         disaster={"assessed_loss": "9000", "motor_vehicle_loss": "5000"})
    decision = decide_both(document, plus)
    assert decision["eligible_expense"] == "9000.00"
    assert step(decision, "expense.eligible")["values"]["exclude_motor_vehicles"] is False


def test_liable_party_paid_is_deducted_and_shown(plus: Tariff, demo_tariff: Tariff) -> None:
    document = make_case(wages="20000", cause="traffic",
                         disaster={"assessed_loss": "30000", "liable_party_paid": "12000.50"})
    decision = decide_both(document, plus)
    assert decision["eligible_expense"] == "17999.50"
    assert step(decision, "expense.eligible")["values"]["liable_party_paid"] == "12000.50"
    # The rule is the case's, not the tariff's: the demo tariff deducts it too.
    assert decide_both(document, demo_tariff)["eligible_expense"] == "17999.50"


def test_the_per_person_cap_in_the_trace(plus: Tariff) -> None:
    document = make_case(members=2, wages="10000", medical={"total_cost": "150000"},
                         history={"paid_all_categories_to_date": "50000",
                                  "paid_member_all_categories_to_date": "50000"})
    decision = decide_both(document, plus)
    assert step(decision, "payout.caps")["values"] == {
        "gross_rounded": "95500.00", "annual_cap": "100000.00", "due": "95500.00",
        "paid_to_date": "0.00", "household_annual_cap_all": "150000.00",
        "paid_all_categories_to_date": "50000.00", "person_annual_cap_all": "60000.00",
        "paid_member_all_categories_to_date": "50000.00", "payout": "10000.00"}


def test_no_member_history_counts_as_zero(plus: Tariff) -> None:
    document = make_case(members=2, wages="10000", medical={"total_cost": "150000"})
    decision = decide_both(document, plus)
    assert decision["payout"] == "60000.00"
    assert decision["reasons"] == ["PEND_LARGE_PAYOUT"]


# -- explain --------------------------------------------------------------------------------


def test_explain_says_the_new_rules_in_chinese_and_english(plus: Tariff) -> None:
    from adjudicator.explain import explain_decision

    denied = decide_both(make_case(household_category="general", cause="earthquake",
                                   disaster={"assessed_loss": "30000"}), plus)
    zh, en = explain_decision(denied, "zh"), explain_decision(denied, "en")
    assert "  - 本次损失的原因属于本防贫保障项目不予保障的情形（除外责任）。 [CAUSE_EXCLUDED]" in zh
    assert "  - 您家不属于本防贫保障项目保障的监测对象类别。 [HOUSEHOLD_CATEGORY_NOT_COVERED]" in zh
    assert " 3. [不符合] 户类「一般农户」不在本方案保障的户类（脱贫不稳定户、边缘易致贫户、" \
        "突发严重困难户、非贫低收入户）内。" in zh
    assert " 5. [不符合] 致灾原因：地震；本类别除外的原因：地震，属于除外责任。" in zh
    assert " 5. [fail] Cause earthquake; the category excludes earthquake: excluded." in en
    assert "  - The cause of the loss is one the programme excludes. [CAUSE_EXCLUDED]" in en

    theft = decide_both(make_case(wages="20000", category="theft",
                                  disaster={"assessed_loss": "9000", "relief_paid": "1000"}),
                        plus)
    assert explain_decision(theft, "zh")[0] == "申请 K-1（因被盗）：给予救助，赔付 3000.00 元。"
    assert " 4. [pass] Category theft (因被盗) is covered." in explain_decision(theft, "en")

    capped = decide_both(make_case(members=2, wages="10000", medical={"total_cost": "150000"},
                                   history={"paid_all_categories_to_date": "60000",
                                            "paid_member_all_categories_to_date": "60000"}),
                         plus)
    assert any("该成员各类别已获赔 60000.00 元（每人封顶 60000.00 元），本次赔付 0.00 元。" in line
               for line in explain_decision(capped, "zh"))
    assert any("this member paid 60000.00 in all categories (per-person cap 60000.00)" in line
               for line in explain_decision(capped, "en"))

    loss = decide_both(make_case(wages="20000", cause="fire", disaster={
        "assessed_loss": "40000", "motor_vehicle_loss": "8000", "liable_party_paid": "100"}),
        plus)
    assert any("符合条件的自付费用为 31900.00 元（已扣除责任方赔偿 100.00 元，已扣除机动车辆损失 "
               "8000.00 元）。" in line for line in explain_decision(loss, "zh"))
    pended = decide_both(make_case(wages="20000", disaster={"assessed_loss": "30000"}), plus)
    assert "14. [转人工] 入户核查信息不完整：致灾原因未查明。" in explain_decision(pended, "zh")


def test_every_reason_the_engine_gives_has_words_for_people() -> None:
    from adjudicator.documents.reasons import REASON_TEXTS, describe_reason
    from adjudicator.rules import reasons

    codes = [value for name, value in vars(reasons).items()
             if name.isupper() and isinstance(value, str) and value != reasons.NEG_PREFIX]
    assert {"HOUSEHOLD_CATEGORY_NOT_COVERED", "CAUSE_EXCLUDED"} <= set(codes)
    for code in codes:
        if code != reasons.NEG_CONCEALMENT:
            assert code in REASON_TEXTS, code
            assert reasons.reason_text(code, "zh") != code
    assert describe_reason("CAUSE_EXCLUDED") == (
        "本次损失的原因属于本防贫保障项目不予保障的情形（除外责任）。")


# -- the shipped examples -------------------------------------------------------------------


def test_the_second_shipped_tariff_uses_every_new_key() -> None:
    from tariffs import TARIFF_DIR

    tariff = load_tariff(TARIFF_DIR / "liping-example-2026.toml")
    assert tariff.person_annual_cap_all is not None
    assert tariff.covered_household_categories is not None
    own = [name for name in tariff.categories if name not in
           ("medical", "education", "disaster", "accident")]
    assert own == ["theft", "production", "liability"]
    assert all(tariff.categories[name].label and tariff.categories[name].shape for name in own)
    assert any(rules.excluded_causes for rules in tariff.categories.values())
    assert any(rules.exclude_motor_vehicles for rules in tariff.categories.values())


def test_the_generated_second_county_exercises_the_new_keys() -> None:
    from fixtures.shapes import real_program_county

    county = real_program_county(7, 20)
    claims = [claim for _, claim in county.claims()]
    categories = {claim.category for claim in claims}
    assert {"theft", "production"} <= categories
    assert any(c.category == "disaster" and c.cause == "earthquake" for c in claims)
    assert any("motor_vehicle_loss" in c.amounts for c in claims)
    assert any("liable_party_paid" in c.amounts for c in claims)
    assert any(h.category in ("low_income", "general") and h.claims
               for h in county.households)
    assert all(c.cause is not None for c in claims if c.category in ("disaster", "theft",
                                                                      "production"))
    assert county.code == "522631"
    # A member with two large bills, for the per-person cap.
    assert any(len({c.member_id for c in h.claims}) == 1 and len(h.claims) == 2
               and all(c.category == "medical" for c in h.claims) for h in county.households)


# -- edges ----------------------------------------------------------------------------------


def test_the_person_cap_to_the_fen(plus: Tariff) -> None:
    def payout(paid_member: str) -> dict[str, Any]:
        return decide_both(make_case(members=2, wages="10000", medical={"total_cost": "20000"},
                                     history={"paid_member_all_categories_to_date": paid_member}),
                           plus)
    assert payout("59999.99")["payout"] == "0.01"
    assert payout("60000.00")["reasons"] == ["CAP_REACHED"]
    assert payout("70000.00")["reasons"] == ["CAP_REACHED"]  # a history beyond the cap
    assert payout("52500.00")["payout"] == "7500.00"  # F(20000) = 7500, the cap not binding


@pytest.mark.parametrize(("parts", "expense"), [
    ({"liable_party_paid": "30000.01"}, "0.00"),      # more than the loss: never below zero
    ({"motor_vehicle_loss": "50000"}, "0.00"),        # a part larger than the loss
    ({"liable_party_paid": "10000", "motor_vehicle_loss": "10000", "insurance_paid": "5000",
      "relief_paid": "4999.99"}, "0.01"),
])
def test_the_parts_of_a_loss_to_the_fen(plus: Tariff, parts: dict[str, str],
                                        expense: str) -> None:
    decision = decide_both(make_case(wages="20000", cause="flood",
                                     disaster={"assessed_loss": "30000", **parts}), plus)
    assert step(decision, "expense.eligible")["values"]["eligible_expense"] == expense
    if expense == "0.00":
        assert decision["reasons"] == ["NO_ELIGIBLE_EXPENSE"]


def test_a_cause_changes_nothing_where_no_cause_is_excluded(demo_tariff: Tariff) -> None:
    plain = decide_both(make_case(disaster={"assessed_loss": "30000"}), demo_tariff)
    with_cause = decide_both(make_case(disaster={"assessed_loss": "30000"}, cause="earthquake"),
                             demo_tariff)
    assert with_cause == plain


TARIFF_OWN = PLUS_TEXT + '''
[categories.training]
shape = "education"
label = "因职业培训"
annual_cap = "5000"
eligible_stages = ["secondary_vocational", "college"]
bands = [{ from = "1000", rate = "0.5" }]

[categories.injury]
shape = "medical"
label = "因工伤"
annual_cap = "20000"
include_non_compliant = true
bands = [{ from = "1000", rate = "0.5" }]
'''


def test_categories_of_their_own_follow_their_shape() -> None:
    tariff = parse_tariff(TARIFF_OWN.encode(), "own.toml")
    training = make_case(wages="8000", category="training",
                         education={"stage": "high_school", "tuition": "5000"})
    assert decide_both(training, tariff)["reasons"] == ["EDU_STAGE_NOT_COVERED"]
    training["claim"]["education"]["stage"] = "college"
    assert decide_both(training, tariff)["payout"] == "2000.00"
    injury = decide_both(make_case(wages="8000", category="injury", medical={
        "total_cost": "5000", "non_compliant_cost": "2000"}), tariff)
    assert injury["eligible_expense"] == "5000.00"  # include_non_compliant applies to it
    assert injury["payout"] == "2000.00"
