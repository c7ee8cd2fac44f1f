"""Denial letters, decision records and the summary report built from stored decisions."""

from __future__ import annotations

import hashlib

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from adjudicator.bank_demo import write_bank_return
from adjudicator.services.adjudication import adjudicate_ready
from adjudicator.services.documents import decision_records, denial_letters, summary_report
from adjudicator.services.notices import close_due_notices, create_notices
from adjudicator.services.payments import pay_closed, reconcile
from adjudicator.storage.models_notice import Document
from tests.seed import add_claim, add_household, load_demo_tariff


def _text(path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def _county(ctx, clock, tmp_path) -> None:
    load_demo_tariff(ctx)
    add_household(ctx, "H1")
    add_household(ctx, "H2", members=3)
    add_claim(ctx, "K-1", "H1", "25000")                    # approved 10500.00
    add_claim(ctx, "K-4", "H2", "12000", wages="60000")     # example 4: INCOME_ABOVE_LINE
    adjudicate_ready(ctx.as_user("sup"))
    create_notices(ctx.as_user("off"), tmp_path, render=False)
    clock.advance(days=8)
    close_due_notices(ctx.as_user("off"))
    run = pay_closed(ctx.as_user("sup"))
    # paid = the bank confirmed the transfer
    reconcile(ctx.as_user("sup"), write_bank_return(ctx, run.batch_ref, tmp_path / "back.csv"))


def test_denial_letter_says_why_in_words_with_the_figures(admin_ctx, clock, tmp_path) -> None:
    _county(admin_ctx, clock, tmp_path)
    letters = denial_letters(admin_ctx.as_user("off"), tmp_path)
    assert [w.ref for w in letters] == ["K-4#1"]
    text = _text(letters[0].path)
    assert "不予救助告知书" in text
    assert "INCOME_ABOVE_LINE" not in text
    assert "16,000.00" in text  # per-capita income (60000 - 12000) / 3
    assert "7,000.00" in text  # the income line
    assert denial_letters(admin_ctx.as_user("off"), tmp_path) == []  # once per decision


def test_decision_record_prints_every_rule_and_the_hash(admin_ctx, clock, tmp_path) -> None:
    _county(admin_ctx, clock, tmp_path)
    written = decision_records(admin_ctx.as_user("aud"), tmp_path, ["K-1"])
    text = _text(written[0].path).replace("\n", "")
    assert "理算单" in text
    assert "人均纯收入" in text and "3750.00" in text
    with admin_ctx.factory() as session:
        document = session.execute(select(Document).where(
            Document.kind == "decision_record")).scalar_one()
    assert document.sha256 == hashlib.sha256(written[0].path.read_bytes()).hexdigest()


def test_summary_report_counts_verified_posted_and_paid(admin_ctx, clock, tmp_path) -> None:
    _county(admin_ctx, clock, tmp_path)
    pdf, xlsx = tmp_path / "summary.pdf", tmp_path / "summary.xlsx"
    summary_report(admin_ctx.as_user("off"), pdf, xlsx, title="示范县2026年度防贫保障工作总结",
                   period_label="2026年", issuing_office="示范县乡村振兴局", year=2026)
    text = _text(pdf)
    assert "示范县2026年度防贫保障工作总结" in text and "10,500.00" in text
    workbook = load_workbook(xlsx)
    cells = [c for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row]
    assert any(str(c).replace(",", "") in ("10500", "10500.00", "10500.0") for c in cells)


def test_decision_record_reads_as_a_chinese_document(admin_ctx, clock, tmp_path) -> None:
    """Regression: rule names printed in English and broken mid-word
    ("negative_list.COMPAN / Y"), "pass" on every step, reasons as codes."""
    import re

    _county(admin_ctx, clock, tmp_path)
    written = decision_records(admin_ctx.as_user("aud"), tmp_path, ["K-1", "K-4"])
    approved, denied = (_text(w.path) for w in written)
    for text in (approved, denied):
        assert "pass" not in text and "negative_list" not in text and "coverage" not in text
        stripped = re.sub(r"demo-county/2026|[0-9a-f]{64}|K-\d|H\d|M\d", "", text)
        assert re.findall(r"[A-Za-z]{2,}", stripped) == [], "English words in the record"
        assert "保障方案 示范县2026年度防贫保障标准（编号 demo-county/2026）" in text
    assert "负面清单：消费型车辆" in approved and "覆盖区域 符合" in approved
    assert "理算结论 给予救助" in approved and "计入收入：" in approved
    assert "人均纯收入高于防贫线" in denied and "INCOME_ABOVE_LINE" not in denied
    assert "收入测试 不符合" in denied


def test_summary_report_office_defaults_to_the_tariffs(admin_ctx, clock, tmp_path) -> None:
    """Regression: without --office the report was signed "乡村振兴局", leaving out the
    county although the tariff names its issuing_office."""
    _county(admin_ctx, clock, tmp_path)
    pdf = tmp_path / "summary.pdf"
    summary_report(admin_ctx.as_user("off"), pdf, None, title="工作总结", period_label="2026年")
    assert "示范县乡村振兴局" in _text(pdf)
