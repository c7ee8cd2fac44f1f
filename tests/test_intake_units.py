"""Intake without a database: value parsing, header mapping, spreadsheet cells, masking, and
docs/import.md listing every accepted column name and value."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from adjudicator.intake import columns
from adjudicator.intake.pipeline import validation_problems
from adjudicator.intake.report import masked_original
from adjudicator.intake.sources import cell_text
from adjudicator.rules.negative_items import BUILTIN_ITEMS
from schemas import imports

DOCS = (Path(__file__).parent.parent / "docs" / "import.md").read_text(encoding="utf-8")


def test_docs_list_every_column_name_and_value() -> None:
    text = DOCS.lower()
    for table in (columns.HOUSEHOLD_COLUMNS, columns.CLAIM_COLUMNS,
                  columns.VERIFICATION_COLUMNS, columns.DEPARTMENT_COLUMNS):
        for name, synonyms in table.items():
            for header in (name, *synonyms):
                assert header.lower() in text, header
    for vocabulary in (imports.HOUSEHOLD_CATEGORY_LABELS, imports.CLAIM_CATEGORY_LABELS,
                       imports.CLAIM_SOURCE_LABELS, imports.EDUCATION_STAGE_LABELS,
                       imports.CROSS_CHECK_SOURCE_LABELS, imports.RELATION_LABELS,
                       imports.CAUSE_LABELS):
        for label, value in vocabulary.items():
            assert label in DOCS and f"`{value}`" in DOCS, label
    full_labels = set(BUILTIN_ITEMS.values())  # documented as "the full label"
    for label in imports.NEGATIVE_ITEM_LABELS:
        assert label in DOCS or label in full_labels, label
    for word in (*imports.TRUE_WORDS, *imports.FALSE_WORDS, *columns.IGNORED_COLUMNS):
        assert word.lower() in text, word


@pytest.mark.parametrize(("header", "field"), [
    ("医疗总费用（元）", "total_cost"), ("医疗总费用(元)", "total_cost"),
    (" Total_Cost ", "total_cost"),
    ("\ufeff申请编号", "claim_id"), ("结算单号", "document_no"), ("备注", ""), ("颜色", None),
])
def test_claim_headers_map_to_fields(header: str, field: str | None) -> None:
    assert columns.CLAIMS.field_for(header) == field


@pytest.mark.parametrize(("header", "field"), [
    ("neg_vehicle", "neg_VEHICLE"), ("车辆", "neg_VEHICLE"), ("负面清单-铺面", "neg_SHOP"),
    ("HIRED_LABOR", "neg_HIRED_LABOR"), ("家庭拥有消费型车辆", "neg_VEHICLE"),
    ("工资性收入", "income_wage"), ("颜色", None),
])
def test_verification_headers_include_negative_items(header: str, field: str | None) -> None:
    assert columns.VERIFICATIONS.field_for(header) == field


def test_values_are_read_as_offices_write_them() -> None:
    row = imports.ClaimRow.model_validate({
        "claim_id": " K-1 ", "id_number": "33010220150601035x", "category": "因意外",
        "event_date": "2026年3月1日", "source": "MEDICAL_INSURANCE_FEED",
        "total_cost": "¥1,234.50元"})
    assert (row.claim_id, row.id_number, row.category, row.event_date) == (
        "K-1", "33010220150601035X", "accident", dt.date(2026, 3, 1))
    assert row.total_cost == Decimal("1234.50")
    assert row.amounts()["other_compensation"] == "0.00"
    assert imports.parse_date("20260301 00:00:00") == dt.date(2026, 3, 1)
    for word, value in (("是", True), ("N", False), ("√", True), ("0", False)):
        assert imports.parse_flag(word) is value


def test_problems_name_the_field_and_never_the_personal_value() -> None:
    with pytest.raises(ValidationError) as caught:
        imports.HouseholdRow.model_validate({
            "household_id": "H", "region_code": "3301021012", "household_category": "贫困户",
            "village_name": "村", "member_id": "M1", "name": "张三",
            "id_number": "330102198001019999999"})
    problems = validation_problems(caught.value)
    assert [(f, c) for f, c, _ in problems] == [
        ("region_code", "INVALID_VALUE"), ("household_category", "INVALID_VALUE"),
        ("id_number", "INVALID_VALUE")]
    reasons = [(reason.render("zh"), reason.render("en")) for _, _, reason in problems]
    assert all("330102198001019999999" not in zh + en for zh, en in reasons)
    assert reasons[1] == ("不认识的取值“贫困户”：请填写中文名称或代码（见 docs/import.md）",
                          "unknown value '贫困户': expected one of edge, general, low_income, "
                          "sudden_hardship, unstable, or its Chinese name (see docs/import.md)")
    assert reasons[0][0] == "不是 12 位村级行政区划代码（县 6 位、乡镇 3 位、村 3 位）"


def test_cross_field_rules_name_the_field_to_correct() -> None:
    with pytest.raises(ValidationError) as caught:
        imports.ClaimRow.model_validate({"claim_id": "K", "household_id": "H", "member_id": "M1",
                                         "category": "medical", "event_date": "2026-03-01",
                                         "source": "application", "total_cost": "10",
                                         "tuition": "5"})
    assert validation_problems(caught.value)[0][:2] == ("tuition", "INVALID_VALUE")


def test_flat_verification_income_blank_rule() -> None:
    base = {"claim_id": "K", "verified_on": "2026-03-10", "verifier_id": "v1"}
    unrecorded = imports.VerificationFlatRow.model_validate(base).to_import()
    assert unrecorded.verification.income is None
    partial = imports.VerificationFlatRow.model_validate(
        {**base, "income_transfer": "1200", "income_wage": "0"}).to_import()
    assert [(i.kind.value, i.amount) for i in partial.verification.income] == [
        ("transfer", Decimal("1200"))]
    zero = imports.VerificationFlatRow.model_validate({**base, "income_wage": "0"}).to_import()
    assert zero.verification.income == []


def test_spreadsheet_cells_read_as_seen() -> None:
    assert cell_text(68000.0) == "68000"
    assert cell_text(0.1 + 0.2) == "0.30"
    assert cell_text(1234.567) == "1234.567"  # then rejected: more than two decimals
    assert cell_text(dt.datetime(2026, 3, 1, 0, 0)) == "2026-03-01"
    assert cell_text(True) == "是" and cell_text(None) == ""


def test_the_report_masks_personal_fields_by_their_column() -> None:
    masked = json.loads(masked_original(
        {"姓名": "欧阳志华", "身份证号": "330102198001010012", "医疗总费用": "100"},
        {"姓名": "name", "身份证号": "id_number"}))
    assert masked == {"姓名": "欧阳*华", "身份证号": "330102********0012", "医疗总费用": "100"}
