"""The tariff loader validates a file and says exactly what is wrong, naming file and key.

LAYOUT.md: "Loading a tariff validates it and says exactly what is wrong: bands contiguous and
increasing, rates in (0, 1], caps positive, dates ordered, known negative-list items and income
kinds." Every bad file here is the demo tariff with one edit, so the error is that edit's.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest

from adjudicator import adjudicate
from adjudicator.rules.tariff import Tariff, TariffError, load_tariff, parse_tariff
from schemas import Case
from tariffs import demo_tariff_path
from tests.casebuilder import make_case

DEMO_BYTES = demo_tariff_path().read_bytes()
DEMO_TEXT = DEMO_BYTES.decode("utf-8")

BAND_2 = '{ from = "20000", to = "50000", rate = "0.6" }'
BAND_1 = '{ from = "5000", to = "20000", rate = "0.5" }'


def edited(*edits: tuple[str, str]) -> str:
    text = DEMO_TEXT
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    return text


def set_key(text: str, key: str, value: str) -> str:
    """Replace the top-level line `key = ...`."""
    new, count = re.subn(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {value}", text, count=1)
    assert count == 1, key
    return new


def problems_of(text: str, tmp_path: Path, name: str = "bad-tariff.toml") -> TariffError:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TariffError) as info:
        load_tariff(path)
    error = info.value
    # The message names the file on every line.
    for line in str(error).splitlines():
        assert line.startswith(f"{path}: "), line
    return error


def keys(error: TariffError) -> list[str]:
    return [key for key, _ in error.problems]


# ---------------------------------------------------------------------------------------------


def test_the_demo_tariff_loads_with_the_numbers_of_layout_md() -> None:
    tariff = load_tariff(demo_tariff_path())
    assert tariff.id == "demo-county/2026"
    assert tariff.income_line == Decimal(7000)
    assert tariff.hardship_ratio == Decimal("0.5")
    assert tariff.household_annual_cap_all == Decimal(150000)
    medical = tariff.categories["medical"]  # type: ignore[index]
    assert medical.annual_cap == Decimal(100000)
    assert [(b.from_, b.to, b.rate) for b in medical.bands] == [
        (Decimal(5000), Decimal(20000), Decimal("0.5")),
        (Decimal(20000), Decimal(50000), Decimal("0.6")),
        (Decimal(50000), None, Decimal("0.7")),
    ]


def test_sha256_is_the_digest_of_the_file_bytes(tmp_path: Path) -> None:
    assert load_tariff(demo_tariff_path()).sha256 == hashlib.sha256(DEMO_BYTES).hexdigest()
    # Same rules, different bytes (a comment): a different identity.
    path = tmp_path / "demo-with-comment.toml"
    changed = DEMO_BYTES + b"# reviewed 2026-01-05\n"
    path.write_bytes(changed)
    tariff = load_tariff(path)
    assert tariff.sha256 == hashlib.sha256(changed).hexdigest()
    assert tariff.sha256 != hashlib.sha256(DEMO_BYTES).hexdigest()
    assert parse_tariff(changed).sha256 == hashlib.sha256(changed).hexdigest()


def test_the_decision_records_the_tariff_digest(tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    changed = DEMO_BYTES + b"\n"
    path.write_bytes(changed)
    case = Case.model_validate(make_case(medical={"total_cost": "35000"}))
    decision = adjudicate(case, load_tariff(path))
    assert f'"tariff_sha256":"{hashlib.sha256(changed).hexdigest()}"' in decision.to_json()


BAD_EDITS: list[tuple[str, str, str, str]] = [
    # (test id, edited text, the key named, a word of the message)
    ("bands not contiguous",
     edited((BAND_2, '{ from = "25000", to = "50000", rate = "0.6" }')),
     "categories.medical.bands[1].from", "contiguous"),
    ("bands overlapping",
     edited((BAND_2, '{ from = "15000", to = "50000", rate = "0.6" }')),
     "categories.medical.bands[1].from", "contiguous"),
    ("band decreasing",
     edited((BAND_2, '{ from = "20000", to = "15000", rate = "0.6" }')),
     "categories.medical.bands[1].to", "15000"),
    ("band empty",
     edited((BAND_2, '{ from = "20000", to = "20000", rate = "0.6" }')),
     "categories.medical.bands[1].to", "20000"),
    ("open band not last",
     edited((BAND_1, '{ from = "5000", rate = "0.5" }')),
     "categories.medical.bands[0].to", "last"),
    ("rate 0", edited((BAND_2, '{ from = "20000", to = "50000", rate = "0" }')),
     "categories.medical.bands[1].rate", "0"),
    ("rate 1.5", edited((BAND_2, '{ from = "20000", to = "50000", rate = "1.5" }')),
     "categories.medical.bands[1].rate", "1.5"),
    ("rate negative", edited((BAND_2, '{ from = "20000", to = "50000", rate = "-0.6" }')),
     "categories.medical.bands[1].rate", "0.6"),
    ("rate not a number", edited((BAND_2, '{ from = "20000", to = "50000", rate = "60%" }')),
     "categories.medical.bands[1].rate", "60%"),
    ("no bands", edited(('bands = [{ from = "3000", to = "10000", rate = "0.5" }, '
                         '{ from = "10000", rate = "0.7" }]', "bands = []")),
     "categories.education.bands", "band"),
    ("cap zero", edited(('annual_cap = "100000"', 'annual_cap = "0"')),
     "categories.medical.annual_cap", "positive"),
    ("cap negative", edited(('annual_cap = "100000"', 'annual_cap = "-100000"')),
     "categories.medical.annual_cap", ""),
    ("all-category cap zero", set_key(DEMO_TEXT, "household_annual_cap_all", '"0"'),
     "household_annual_cap_all", "positive"),
    ("all-category cap negative", set_key(DEMO_TEXT, "household_annual_cap_all", '"-1"'),
     "household_annual_cap_all", ""),
    ("valid_to before valid_from", set_key(DEMO_TEXT, "valid_to", "2025-12-31"),
     "valid_to", "2025-12-31"),
    ("unknown negative-list item",
     set_key(DEMO_TEXT, "negative_list", '["PUBLIC_SERVANT", "PETS"]'),
     "negative_list[1]", "PETS"),
    ("negative-list item listed twice",
     set_key(DEMO_TEXT, "negative_list", '["VEHICLE", "SHOP", "VEHICLE"]'),
     "negative_list[2]", "VEHICLE"),
    ("unknown income kind", set_key(DEMO_TEXT, "excluded_income_kinds", '["salary"]'),
     "excluded_income_kinds[0]", "wage"),
    ("typo in a top-level key",
     DEMO_TEXT.replace("hardship_ratio =", "hardship_ration =", 1),
     "hardship_ration", ""),
    ("typo in a band key", edited((BAND_2, '{ from = "20000", too = "50000", rate = "0.6" }')),
     "categories.medical.bands[1].too", ""),
    ("typo in a category key", edited(('annual_cap = "100000"', 'anual_cap = "100000"')),
     "categories.medical.anual_cap", ""),
    ("unknown claim category",
     DEMO_TEXT + '\n[categories.theft]\nannual_cap = "1000"\n'
                 'bands = [{ from = "0", rate = "0.5" }]\n',
     "categories.theft", ""),
    ("unknown education stage",
     edited(('"high_school", "secondary_vocational"', '"high_school", "kindergarten"')),
     "categories.education.eligible_stages[1]", ""),
    ("unknown income-test mode", set_key(DEMO_TEXT, "income_test", '"after_tax"'),
     "income_test", ""),
    ("rounding other than 0.01 or 1", set_key(DEMO_TEXT, "rounding", '"0.1"'),
     "rounding", ""),
    ("income line zero", set_key(DEMO_TEXT, "income_line", '"0"'), "income_line", "positive"),
    ("borderline margin 1", set_key(DEMO_TEXT, "borderline_margin", '"1"'),
     "borderline_margin", ""),
    ("hardship ratio negative", set_key(DEMO_TEXT, "hardship_ratio", '"-0.5"'),
     "hardship_ratio", ""),
    ("amount with three decimals", edited(('annual_cap = "100000"',
                                           'annual_cap = "100000.001"')),
     "categories.medical.annual_cap", ""),
    ("sha256 in the file", 'sha256 = "' + "0" * 64 + '"\n' + DEMO_TEXT, "sha256", "loader"),
    ("source in the file", 'source = "elsewhere.toml"\n' + DEMO_TEXT, "source", "loader"),
    ("region code not digits", set_key(DEMO_TEXT, "region_codes", '["33O102"]'),
     "region_codes[0]", "33O102"),
]


@pytest.mark.parametrize(("text", "key", "word"), [b[1:] for b in BAD_EDITS],
                         ids=[b[0] for b in BAD_EDITS])
def test_bad_tariff_names_the_file_and_the_key(text: str, key: str, word: str,
                                               tmp_path: Path) -> None:
    error = problems_of(text, tmp_path)
    # The key itself, or a part of it (pydantic names a bad table key "categories.theft.[key]").
    named = [k for k in keys(error) if k == key or k.startswith(key + ".")]
    assert named, error.problems
    assert word in dict(error.problems)[named[0]]
    assert f"bad-tariff.toml: {named[0]}: " in str(error)


def test_decreasing_bands_are_refused_even_when_contiguous(tmp_path: Path) -> None:
    text = edited((
        'bands = [{ from = "3000", to = "10000", rate = "0.5" }, { from = "10000", rate = "0.7" }]',
        'bands = [{ from = "10000", to = "3000", rate = "0.5" }, { from = "3000", rate = "0.7" }]',
    ))
    error = problems_of(text, tmp_path)
    assert "categories.education.bands[0].to" in keys(error)


def test_typo_of_a_required_key_names_both_the_typo_and_the_missing_key(tmp_path: Path) -> None:
    error = problems_of(DEMO_TEXT.replace("income_line =", "income_lin =", 1), tmp_path)
    assert set(keys(error)) == {"income_lin", "income_line"}


def test_bad_toml_syntax_names_the_file_and_the_line(tmp_path: Path) -> None:
    text = set_key(DEMO_TEXT, "income_line", '"7000')  # unterminated string on line 7
    line = text.splitlines().index('income_line = "7000') + 1
    error = problems_of(text, tmp_path)
    assert len(error.problems) == 1
    assert f"line {line}" in error.problems[0][1]


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(DEMO_TEXT.encode("gbk"))
    with pytest.raises(TariffError) as info:
        load_tariff(path)
    assert str(path) in str(info.value)


def test_a_missing_file_is_a_tariff_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.toml"
    with pytest.raises(TariffError) as info:
        load_tariff(path)
    assert str(path) in str(info.value)


def test_custom_negative_item_with_a_label_is_accepted_and_used(demo_tariff: Tariff) -> None:
    text = set_key(DEMO_TEXT, "negative_list",
                   '["PUBLIC_SERVANT", "VEHICLE", "COMPANY", "COMMERCIAL_HOUSING", "SHOP", '
                   '"CONCEALMENT", "LUXURY_PETS"]')
    text += '\n[negative_items]\nLUXURY_PETS = "饲养名贵宠物"\n'
    tariff = parse_tariff(text.encode("utf-8"), "custom.toml")
    assert tariff.negative_list[-1] == "LUXURY_PETS"
    assert tariff.item_label("LUXURY_PETS") == "饲养名贵宠物"
    answers = {"LUXURY_PETS": True}
    decision = adjudicate(Case.model_validate(make_case(medical={"total_cost": "35000"},
                                                        answers=answers)), tariff)
    assert '"reasons":["NEG_LUXURY_PETS"]' in decision.to_json()
    # Left unanswered it pends, as any active item does.
    case = Case.model_validate(make_case(medical={"total_cost": "35000"}))
    assert '"reasons":["PEND_INCOMPLETE_VERIFICATION"]' in adjudicate(case, tariff).to_json()


@pytest.mark.parametrize(("items", "key"), [
    ('LUXURY_PETS = ""', "negative_items.LUXURY_PETS"),
    ('luxury_pets = "饲养名贵宠物"', "negative_items.luxury_pets"),
])
def test_custom_negative_item_needs_a_code_and_a_label(items: str, key: str,
                                                       tmp_path: Path) -> None:
    text = DEMO_TEXT + f"\n[negative_items]\n{items}\n"
    error = problems_of(text, tmp_path)
    assert key in keys(error)


def test_several_semantic_problems_are_reported_together(tmp_path: Path) -> None:
    text = edited(
        (BAND_2, '{ from = "25000", to = "50000", rate = "1.5" }'),
        ('annual_cap = "100000"', 'annual_cap = "0"'),
    )
    text = set_key(text, "valid_to", "2025-06-30")
    text = set_key(text, "negative_list", '["VEHICLE", "PETS"]')
    error = problems_of(text, tmp_path)
    assert set(keys(error)) == {
        "categories.medical.bands[1].from", "categories.medical.bands[1].rate",
        "categories.medical.annual_cap", "valid_to", "negative_list[1]"}
    assert len(str(error).splitlines()) == 5


def test_several_structural_problems_are_reported_together(tmp_path: Path) -> None:
    text = DEMO_TEXT.replace("hardship_ratio =", "hardship_ration =", 1)
    text = set_key(text, "excluded_income_kinds", '["salary"]')
    text = set_key(text, "rounding", '"0.1"')
    error = problems_of(text, tmp_path)
    assert set(keys(error)) == {"hardship_ration", "excluded_income_kinds[0]", "rounding"}


def test_structural_and_semantic_problems_are_reported_together_bug(tmp_path: Path) -> None:
    # BUG (adjudicator/rules/tariff.py parse_tariff): the semantic checks run only once the file has
    # passed pydantic validation, so a typo hides a non-contiguous band; fixing the typo then
    # reveals the next problem. The loader promises "TariffError naming every problem".
    text = edited((BAND_2, '{ from = "25000", to = "50000", rate = "0.6" }'))
    text = text.replace("hardship_ratio =", "hardship_ration =", 1)
    error = problems_of(text, tmp_path)
    assert {"hardship_ration", "categories.medical.bands[1].from"} <= set(keys(error))


def test_reserved_key_does_not_hide_the_other_problems_bug(tmp_path: Path) -> None:
    # Same bug: a `sha256` key in the file stops the loader before any other check.
    text = 'sha256 = "' + "0" * 64 + '"\n' + set_key(DEMO_TEXT, "valid_to", "2025-12-31")
    error = problems_of(text, tmp_path)
    assert {"sha256", "valid_to"} <= set(keys(error))


@pytest.mark.parametrize("rounding", ['"0.01"', '"1"'])
def test_both_rounding_steps_load(rounding: str) -> None:
    tariff = parse_tariff(set_key(DEMO_TEXT, "rounding", rounding).encode("utf-8"))
    assert tariff.rounding_step == Decimal(rounding.strip('"'))


def test_a_closed_last_band_and_a_single_day_period_are_valid() -> None:
    text = edited(('{ from = "50000", rate = "0.7" }',
                   '{ from = "50000", to = "80000", rate = "1" }'))
    text = set_key(set_key(text, "valid_from", "2026-06-01"), "valid_to", "2026-06-01")
    tariff = parse_tariff(text.encode("utf-8"))
    medical = tariff.categories["medical"]  # type: ignore[index]
    assert medical.bands[-1].to == Decimal(80000)
    assert medical.bands[-1].rate == Decimal(1)


def test_optional_settings_may_be_omitted() -> None:
    text = DEMO_TEXT
    for key in ("income_test", "hardship_ratio", "borderline_margin", "large_payout_review",
                "rounding", "household_annual_cap_all", "excluded_income_kinds"):
        text = re.sub(rf"(?m)^{key} = .*\n", "", text, count=1)
    tariff = parse_tariff(text.encode("utf-8"))
    assert tariff.income_test == "after_expense"
    assert tariff.hardship_ratio == 0
    assert tariff.borderline_margin == 0
    assert tariff.large_payout_review is None
    assert tariff.rounding == "0.01"
    assert tariff.household_annual_cap_all is None
