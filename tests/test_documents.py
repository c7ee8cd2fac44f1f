"""The document renderer: content of the PDFs (read back with pypdf), safety, fonts, XLSX.

Documents are kept small so the whole module runs in a few seconds; each is rendered once
per module and inspected by several tests.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from adjudicator.documents import fonts, render
from adjudicator.documents.batch import render_notices
from adjudicator.documents.formatting import (
    chinese_ordinal,
    format_date,
    format_money,
    format_rate,
    format_wan,
    mask_trace_value,
)
from adjudicator.documents.models import (
    BandSlice,
    ClaimCategoryRow,
    Counts,
    DecisionRecord,
    DenialLetter,
    HouseholdCategoryRow,
    IncomeFigures,
    NoticeRow,
    ReviewInstructions,
    SummaryReport,
    TownshipRow,
    VillageNotice,
)
from adjudicator.documents.reasons import REASON_TEXTS, describe_reason
from adjudicator.documents.safety import TEMPLATES_DIR, RefusedURLError, SafeURLFetcher

INJECTION = '<img src="file:///etc/passwd">'
ID_1 = "330102198001010012"
ID_2 = "11010519491231002X"
ID_3 = "440304199512300017"
RULES_CODES = (
    "NOT_COVERED_REGION",
    "NOT_IN_POLICY_PERIOD",
    "CATEGORY_NOT_COVERED",
    "HOUSEHOLD_CATEGORY_NOT_COVERED",
    "CAUSE_EXCLUDED",
    "MEMBER_NOT_IN_HOUSEHOLD",
    "INVALID_ID_NUMBER",
    "EDU_STAGE_NOT_COVERED",
    "NO_ELIGIBLE_EXPENSE",
    "INCOME_ABOVE_LINE",
    "BELOW_TRIGGER",
    "CAP_REACHED",
    "PEND_INCOMPLETE_VERIFICATION",
    "PEND_HARDSHIP_EXCEPTION",
    "PEND_BORDERLINE_INCOME",
    "PEND_LARGE_PAYOUT",
)
NEGATIVE_ITEMS = (
    "PUBLIC_SERVANT",
    "VEHICLE",
    "COMPANY",
    "COMMERCIAL_HOUSING",
    "SHOP",
    "CONCEALMENT",
    "LARGE_DEPOSITS",
    "HIRED_LABOR",
    "HIGH_CONSUMPTION",
    "WELL_OFF_RELATIVES",
    "ILLEGAL_ACT",
)


# --------------------------------------------------------------------------- helpers


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, as pypdf extracts it."""
    assert pdf.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squash(text: str) -> str:
    """Text without whitespace, so that line breaks inside cells do not matter."""
    return re.sub(r"\s+", "", text)


def notice(rows: list[NoticeRow], **changes: Any) -> VillageNotice:
    fields: dict[str, Any] = {
        "issuing_office": "关岭村村民委员会",
        "title": "关岭村防贫保障救助对象公示",
        "village": "关岭村",
        "township": "城关镇",
        "notice_no": "城关防贫公〔2026〕3号",
        "notice_start": date(2026, 3, 10),
        "notice_end": date(2026, 3, 16),
        "issue_date": date(2026, 3, 10),
        "rows": tuple(rows),
        "objection_phone": "0310-1234567",
        "objection_address": "城关镇人民政府二楼201室",
        "objection_office": "城关镇乡村振兴办公室",
    }
    fields.update(changes)
    return VillageNotice(**fields)


def row(household: str, name: str, id_number: str, payout: str, **changes: Any) -> NoticeRow:
    fields: dict[str, Any] = {
        "household_id": household,
        "name": name,
        "id_number": id_number,
        "village": "关岭村",
        "household_category": "edge",
        "claim_category": "medical",
        "payout": payout,
    }
    fields.update(changes)
    return NoticeRow(**fields)


SMALL_ROWS = [
    row("H1", "张小明", ID_1, "10500.00"),
    row(
        "H1", "欧阳志华", ID_2, "6000.00", household_category="unstable", claim_category="education"
    ),
    row(
        "H2",
        "李四",
        ID_3,
        "1234567.89",
        household_category="sudden_hardship",
        claim_category="disaster",
    ),
]


def letter(**changes: Any) -> DenialLetter:
    fields: dict[str, Any] = {
        "issuing_office": "示范县乡村振兴局",
        "issue_date": date(2026, 3, 20),
        "letter_no": "示防贫告〔2026〕12号",
        "household_head_name": "张三丰",
        "household_head_id_number": ID_1,
        "address": "城关镇关岭村3组",
        "case_id": "C-2026-000008",
        "claim_id": "K-2026-000008",
        "claim_category": "medical",
        "event_date": date(2026, 3, 1),
        "reasons": ("NEG_VEHICLE", "NEG_CONCEALMENT", "INCOME_ABOVE_LINE", "NEG_FARM_MACHINERY"),
        "custom_reason_labels": {"FARM_MACHINERY": "拥有大型农机具"},
        "income": IncomeFigures(
            net_income="60000.00",
            counted_members=3,
            cumulative_expense="12000.00",
            per_capita_income="16000.00",
            income_line="7000",
        ),
        "review": ReviewInstructions(
            days=15, office="示范县防贫保障工作领导小组办公室", phone="0310-7654321"
        ),
    }
    fields.update(changes)
    return DenialLetter(**fields)


TRACE: list[dict[str, Any]] = [
    {
        "rule": "coverage.region",
        "result": "pass",
        "reason": None,
        "values": {"region_code": "330102001001", "tariff_regions": ["330102"]},
    },
    {
        "rule": "identity.id_number",
        "result": "pass",
        "reason": None,
        "values": {"id_number": ID_1, "member_name": "张三丰", "note": f"checked {ID_1}"},
    },
    {
        "rule": "expense.medical",
        "result": "info",
        "reason": None,
        "values": {"total_cost": "68000.00", "eligible_expense": "25000.00"},
        "text_zh": "合规自付费用为25,000.00元。",
    },
    {
        "rule": "income.test",
        "result": "pass",
        "reason": None,
        "values": {"per_capita_income": "3750.00", "income_line": "7000", "ok": True},
    },
]


def record(**changes: Any) -> DecisionRecord:
    fields: dict[str, Any] = {
        "issuing_office": "人保财险示范县支公司",
        "case_id": "C-2026-000001",
        "claim_id": "K-2026-000001",
        "household_id": "H-330102-000001",
        "claimant_name": "张三丰",
        "claimant_id_number": ID_1,
        "region_code": "330102001001",
        "village": "关岭村",
        "household_category": "edge",
        "claim_category": "medical",
        "claim_source": "medical_insurance_feed",
        "event_date": date(2026, 3, 1),
        "decided_at": datetime(2026, 3, 12, 14, 5),
        "outcome": "pended",
        "reasons": ("PEND_LARGE_PAYOUT",),
        "payout": "10500.00",
        "eligible_expense": "25000.00",
        "counted_expense": "25000.00",
        "per_capita_income": "3750.00",
        "bands": [
            {"from": "5000", "to": "20000", "rate": "0.5", "amount": "7500.00"},
            {"from": "20000", "to": None, "rate": "0.6", "amount": "3000.00"},
        ],
        "tariff_id": "demo-county/2026",
        "tariff_sha256": "ab" * 32,
        "engine_version": "0.1.0",
        "trace": TRACE,
        "trace_sentences": ["区划在保障范围内。", None, None, "人均纯收入低于防贫线。"],
    }
    fields.update(changes)
    return DecisionRecord(**fields)


def summary(**changes: Any) -> SummaryReport:
    fields: dict[str, Any] = {
        "title": "示范县2026年度防贫保障工作总结",
        "period_label": "2026年1月1日至2026年6月30日（第一批）",
        "issuing_office": "示范县乡村振兴局",
        "issue_date": date(2026, 7, 5),
        "totals": Counts(
            households_verified=383,
            persons_verified=1210,
            households_posted=126,
            persons_posted=398,
            households_paid=74,
            persons_paid=226,
            amount_paid="496000.00",
        ),
        "by_claim_category": [
            ClaimCategoryRow(
                category="medical",
                households_verified=378,
                households_posted=125,
                households_paid=74,
                persons_paid=226,
                amount_paid="496000.00",
            ),
            ClaimCategoryRow(category="disaster", households_verified=3, households_posted=1),
            ClaimCategoryRow(category="education", households_verified=2),
        ],
        "by_household_category": [
            HouseholdCategoryRow(
                category="unstable", households_paid=15, persons_paid=48, amount_paid="142700.00"
            ),
            HouseholdCategoryRow(
                category="low_income", households_paid=59, persons_paid=178, amount_paid="353300.00"
            ),
        ],
        "by_township": [
            TownshipRow(township="城关镇", households_paid=40, amount_paid="300000.00"),
            TownshipRow(
                township='=HYPERLINK("http://x")', households_paid=34, amount_paid="196000.00"
            ),
        ],
    }
    fields.update(changes)
    return SummaryReport(**fields)


class FetchLog:
    """Records every URL WeasyPrint asks the fetcher for."""

    def __init__(self) -> None:
        self.urls: list[str] = []


@pytest.fixture
def fetch_log(monkeypatch: pytest.MonkeyPatch) -> FetchLog:
    log = FetchLog()
    original = SafeURLFetcher.fetch

    def recording_fetch(self: SafeURLFetcher, url: str, headers: Any = None) -> Any:
        log.urls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(SafeURLFetcher, "fetch", recording_fetch)
    return log


# --------------------------------------------------------------------------- notice


@pytest.fixture(scope="module")
def small_notice_pdf() -> bytes:
    return render.render_notice(notice(SMALL_ROWS))


@pytest.fixture(scope="module")
def long_notice_pdf() -> bytes:
    rows = [row(f"H{i // 2}", "王小明", ID_1, "100.00") for i in range(75)]
    return render.render_notice(notice(rows))


def test_notice_masks_names_and_id_numbers(small_notice_pdf: bytes) -> None:
    text = "".join(pdf_pages(small_notice_pdf))
    for masked in ("张*明", "欧阳*华", "李*", "330102********0012", "110105********002X"):
        assert masked in text
    for full in ("张小明", "欧阳志华", "李四", ID_1, ID_2, ID_3, "19800101"):
        assert full not in text


def test_notice_labels_and_totals(small_notice_pdf: bytes) -> None:
    text = squash("".join(pdf_pages(small_notice_pdf)))
    for label in ("边缘易致贫户", "脱贫不稳定户", "突发严重困难户", "因病", "因学", "因灾"):
        assert label in text
    assert "1,234,567.89" in text  # thousands separators
    assert "共2户，3人次" in text  # two distinct households, three claims
    assert "1,251,067.89" in text  # 10500 + 6000 + 1234567.89
    assert "2026年3月10日至2026年3月16日（共7天）" in text
    assert "0310-1234567" in text and "城关镇人民政府二楼201室" in text
    assert "2026年3月16日前" in text  # by when to object
    assert "关岭村村民委员会（盖章）" in text
    assert "第1页共1页" in text


def test_long_notice_repeats_header_and_numbers_pages(long_notice_pdf: bytes) -> None:
    pages = pdf_pages(long_notice_pdf)
    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 共 3 页" in page
        assert "身份证号" in page and "救助金额（元）" in page  # the repeated table header
    assert "第 1 页 共 3 页" in pages[0]
    assert "共38户，75人次" in squash(pages[-1])


def test_notice_prints_markup_as_text_and_fetches_nothing(fetch_log: FetchLog) -> None:
    pdf = render.render_notice(
        notice(SMALL_ROWS[:1], issuing_office=INJECTION, village=f"{INJECTION}村")
    )
    text = "".join(pdf_pages(pdf))
    assert INJECTION in text
    assert not any("passwd" in url for url in fetch_log.urls)
    # Nothing but data: URIs and, when the text brings characters the font's working copy
    # lacked, the rebuilt working copy's two files in its private temporary folder.
    working = re.compile(r"file:///.*/adjudicator-font-[^/]+/working-(normal|bold)\.otf")
    assert all(url.startswith("data:") or working.fullmatch(url) for url in fetch_log.urls), \
        fetch_log.urls


def test_notice_html_is_autoescaped() -> None:
    html = render.notice_html(notice(SMALL_ROWS[:1], issuing_office=INJECTION))
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert INJECTION not in html


def test_fetcher_refuses_everything_outside_the_templates(fetch_log: FetchLog) -> None:
    fetcher = SafeURLFetcher()
    for url in (
        "file:///etc/passwd",
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "file://otherhost/etc/passwd",
        (TEMPLATES_DIR / ".." / ".." / ".." / "masking.py").as_uri(),
        "relative/x.png",
    ):
        with pytest.raises(RefusedURLError):
            fetcher.fetch(url)
    assert fetcher.fetch((TEMPLATES_DIR / "base.css").as_uri()).read().startswith(b"/*")
    data = "data:text/plain;base64," + base64.b64encode("公示".encode()).decode()
    assert fetcher.fetch(data).read().decode() == "公示"


def test_raw_markup_cannot_fetch_either(fetch_log: FetchLog) -> None:
    html = (
        '<html><body><p>公示</p><img src="file:///etc/passwd">'
        '<img src="http://127.0.0.1:9/x.png"></body></html>'
    )
    pdf = render.html_to_pdf(html)
    assert pdf.startswith(b"%PDF-")
    assert "file:///etc/passwd" in fetch_log.urls  # asked, and refused without reading
    assert "公示" in "".join(pdf_pages(pdf))


def test_notice_model_rules() -> None:
    with pytest.raises(ValidationError):
        row("H1", "张三", ID_1, 10.5)  # a binary float is not money
    with pytest.raises(ValidationError):
        row("H1", "张三", ID_1, "10.005")  # more than two decimals
    with pytest.raises(ValidationError):
        row("H1", "张三", ID_1, "-1.00")
    with pytest.raises(ValidationError):
        notice(SMALL_ROWS, notice_end=date(2026, 3, 1))
    with pytest.raises(ValidationError):
        notice(SMALL_ROWS, unknown_field="x")


# --------------------------------------------------------------------------- denial letter


@pytest.fixture(scope="module")
def letter_text() -> str:
    return "".join(pdf_pages(render.render_denial_letter(letter())))


def test_denial_letter_states_reasons_in_words(letter_text: str) -> None:
    text = squash(letter_text)
    assert "家庭拥有消费型车辆。" in text
    assert "刻意隐瞒" in text
    assert "家庭年人均纯收入高于本地防贫线" in text
    assert "拥有大型农机具" in text  # custom negative-list item, from its label
    assert "一、" in text and "四、" in text
    for code in ("NEG_VEHICLE", "NEG_CONCEALMENT", "INCOME_ABOVE_LINE", "FARM_MACHINERY"):
        assert code not in letter_text


def test_denial_letter_identity_and_figures(letter_text: str) -> None:
    text = squash(letter_text)
    assert "张三丰（户主）" in text
    assert "330102********0012" in text and ID_1 not in text
    for figure in ("60,000.00元", "3人", "12,000.00元", "16,000.00元", "7,000.00元"):
        assert figure in text
    assert "15日内" in text and "示范县防贫保障工作领导小组办公室" in text
    assert "复核申请" in text and "0310-7654321" in text


def test_denial_letter_without_income_figures() -> None:
    text = squash(
        "".join(
            pdf_pages(
                render.render_denial_letter(
                    letter(reasons=("NOT_COVERED_REGION",), income=None, custom_reason_labels={})
                )
            )
        )
    )
    assert "户籍所在地不在本防贫保障项目的覆盖范围内" in text
    assert "收入核算情况" not in text


def test_every_reason_code_has_words() -> None:
    codes = [*RULES_CODES, *(f"NEG_{item}" for item in NEGATIVE_ITEMS)]
    for code in codes:
        assert code in REASON_TEXTS
        zh, en = describe_reason(code), describe_reason(code, lang="en")
        assert zh and en and code not in zh
        assert re.search(r"[\u4e00-\u9fff]", zh)
    labelled = describe_reason("NEG_BOAT", {"NEG_BOAT": "拥有渔船"})
    assert labelled == "家庭存在本地负面清单所列情形：拥有渔船。"
    generic = describe_reason("NEG_BOAT")
    assert "BOAT" not in generic and "负面清单" in generic
    assert "BOAT" in describe_reason("NEG_BOAT", lang="en")
    assert "SOMETHING_NEW" not in describe_reason("SOMETHING_NEW")


# --------------------------------------------------------------------------- decision record


@pytest.fixture(scope="module")
def record_text() -> str:
    return "".join(pdf_pages(render.render_decision_record(record())))


def test_decision_record_content(record_text: str) -> None:
    text = squash(record_text)
    assert "张*丰" in text and "330102********0012" in text
    assert "张三丰" not in text and ID_1 not in text  # masked in the trace values too
    for rule in ("覆盖区域符合", "身份证号码符合", "其他规则测算", "收入测试符合"):
        assert rule in text  # rules and results by their Chinese names
    assert "coverage" not in text and "pass" not in text
    assert "合规自付费用为25,000.00元。" in text  # text_zh of a step
    assert "区划在保障范围内。" in text  # trace_sentences
    assert "待人工审核" in text and "大额赔付待审核" in text and "PEND_LARGE_PAYOUT" not in text
    assert "救助金额达到大额复核标准" in text
    for figure in ("7,500.00", "3,000.00", "10,500.00", "50%", "60%", "25,000.00"):
        assert figure in text
    assert "ab" * 32 in text and "demo-county/2026" in text and "0.1.0" in text


def test_decision_record_model_rules() -> None:
    with pytest.raises(ValidationError):
        record(tariff_sha256="not-a-hash")
    with pytest.raises(ValidationError):
        record(trace_sentences=["only one"])
    with pytest.raises(ValidationError):
        BandSlice.model_validate({"from": "0", "to": "10", "rate": "1.5", "amount": "0"})


def test_trace_values_are_masked() -> None:
    assert mask_trace_value("id_number", ID_1) == "330102********0012"
    assert mask_trace_value("claimant_name", "张三丰") == "张*丰"
    assert mask_trace_value("note", f"id {ID_1}.") == "id 330102********0012."
    assert mask_trace_value("members", [{"name": "李四"}]) == '[{"name": "李*"}]'
    assert mask_trace_value("ok", True) == "是"
    assert mask_trace_value("amount", "10500.00") == "10500.00"


# --------------------------------------------------------------------------- summary report


def test_summary_report_pdf(fetch_log: FetchLog) -> None:
    report = summary()
    pdf = render.render_summary_report(report)
    assert sum(url.startswith("data:image/png;base64,") for url in fetch_log.urls) == 3
    images = {
        name
        for page in PdfReader(io.BytesIO(pdf)).pages
        for name, xobject in page["/Resources"].get("/XObject", {}).items()
        if xobject.get_object()["/Subtype"] == "/Image"
    }
    assert len(images) == 3  # one bar chart per breakdown
    text = squash("".join(pdf_pages(pdf)))
    assert "本期共入户核查383户1,210人" in text
    assert "兑现金额496,000.00元（49.60万元）" in text
    assert "脱贫不稳定户15户14.27万元" in text and "非贫低收入户59户35.33万元" in text
    assert "因灾核查3户，符合条件1户" in text and "因学核查2户，均不符合条件" in text
    assert "分乡镇情况" in text and "城关镇" in text


def test_summary_report_xlsx() -> None:
    from openpyxl import load_workbook

    from adjudicator.documents.xlsx import SHEET_NAMES, summary_report_xlsx

    workbook = load_workbook(io.BytesIO(summary_report_xlsx(summary())))
    assert tuple(workbook.sheetnames) == SHEET_NAMES
    overview = workbook["总体情况"]
    assert overview["A1"].value == "示范县2026年度防贫保障工作总结"
    assert [c.value for c in overview[9]][:4] == ["兑现救助", 74, 226, Decimal("496000.00")]
    categories = workbook["按救助类别"]
    assert categories["A2"].value == "因病" and categories["H2"].value == 496000
    assert categories["A5"].value == "合计" and categories["H5"].value == 496000
    townships = workbook["按乡镇"]
    assert townships["A3"].data_type == "s"  # a formula-looking name stays text,
    assert townships["A3"].value == '\'=HYPERLINK("http://x")'  # neutralised (CSV injection)
    assert townships["I2"].value == 30  # 万元


def test_summary_must_add_up() -> None:
    with pytest.raises(ValidationError, match="by_township"):
        summary(by_township=[TownshipRow(township="城关镇", amount_paid="1.00")])


def test_charts_are_reproducible() -> None:
    from adjudicator.documents.charts import bar_chart, bar_chart_svg

    amounts = [Decimal("10000"), Decimal("0")]
    png = bar_chart(["因病", "因灾"], amounts)
    assert png.startswith(b"\x89PNG") and png == bar_chart(["因病", "因灾"], amounts)
    svg = bar_chart_svg(["因病", "因灾"], amounts)
    assert b"<svg" in svg and svg == bar_chart_svg(["因病", "因灾"], amounts)


# --------------------------------------------------------------------------- fonts


@pytest.fixture
def fresh_engine() -> Iterator[None]:
    """Forget the cached font and renderer state before and after the test."""
    find, engine = fonts.find_cjk_font, render._engine
    find.cache_clear()
    engine.cache_clear()
    yield
    find.cache_clear()
    engine.cache_clear()


def test_missing_cjk_font_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, fresh_engine: None
) -> None:
    monkeypatch.setattr(fonts, "_fc_list", lambda: [])
    monkeypatch.setattr(fonts, "KNOWN_FONT_FILES", ())
    with pytest.raises(fonts.MissingCJKFontError, match="apt-get install fonts-noto-cjk"):
        fonts.find_cjk_font()
    with pytest.raises(fonts.MissingCJKFontError, match="fonts-noto-cjk"):
        render.render_notice(notice(SMALL_ROWS[:1]))


def test_missing_cjk_font_is_a_clear_error_for_a_batch_too(
    monkeypatch: pytest.MonkeyPatch, fresh_engine: None
) -> None:
    monkeypatch.setattr(fonts, "_fc_list", lambda: [])
    monkeypatch.setattr(fonts, "KNOWN_FONT_FILES", ())
    notices = [notice(SMALL_ROWS[:1], title=f"第{n}号村公示") for n in range(1, 7)]
    with pytest.raises(fonts.MissingCJKFontError, match="fonts-noto-cjk"):
        render_notices(notices, workers=2)  # refused before any worker starts


def test_known_debian_paths_are_used_without_fc_list(
    monkeypatch: pytest.MonkeyPatch, fresh_engine: None
) -> None:
    installed = fonts.find_cjk_font()
    monkeypatch.setattr(fonts, "_fc_list", lambda: None)
    monkeypatch.setattr(
        fonts, "KNOWN_FONT_FILES", ((str(installed.path), installed.family, installed.index),)
    )
    fonts.find_cjk_font.cache_clear()
    assert fonts.find_cjk_font().family == installed.family


def test_a_pdf_set_without_the_cjk_font_is_refused(
    monkeypatch: pytest.MonkeyPatch, fresh_engine: None
) -> None:
    real = render._engine()
    fake = render._Engine(
        real.font,
        frozenset({"no such family"}),
        real.fetcher,
        real.font_config,
        real.stylesheets,
    )
    monkeypatch.setattr(render, "_engine", lambda: fake)
    with pytest.raises(fonts.MissingCJKFontError):
        render.html_to_pdf("<p>防贫保障</p>")


def test_no_character_prints_as_an_empty_box(
    small_notice_pdf: bytes, long_notice_pdf: bytes
) -> None:
    for pdf in (small_notice_pdf, long_notice_pdf):
        assert_no_empty_boxes(pdf)
        printed = {text for text, _, _ in _drawn_glyphs(pdf)}
        assert set("关岭村防贫保障救助对象公示第页共合计盖章") <= printed


def test_the_cjk_font_is_embedded(small_notice_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(small_notice_pdf))
    names = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert names and all("+" in name for name in names)  # embedded subsets
    assert any(fonts.WORKING_FAMILY.replace(" ", "-") in name for name in names) or any(
        fonts.find_cjk_font().family.replace(" ", "") in name.replace("-", "") for name in names
    )


# --------------------------------------------------------------------------- formatting, batch


def test_formatting() -> None:
    assert format_money(Decimal("1234567.8")) == "1,234,567.80"
    assert format_money(Decimal("-115000")) == "-115,000.00"
    assert format_money(None) == ""
    assert format_wan(Decimal("496000")) == "49.60"
    assert format_rate(Decimal("0.5")) == "50%" and format_rate(Decimal("0.125")) == "12.5%"
    assert format_date(date(2026, 3, 1)) == "2026年3月1日"
    ordinals = [chinese_ordinal(n) for n in (1, 10, 12, 20, 25)]
    assert ordinals == ["一", "十", "十二", "二十", "二十五"]


def test_render_notices_keeps_order_in_process() -> None:
    notices = [notice(SMALL_ROWS[:1], title=f"第{n}号村公示") for n in (1, 2)]
    pdfs = render_notices(notices, workers=1)
    assert [("第1号村公示" in squash(pdf_pages(p)[0])) for p in pdfs] == [True, False]
    assert "第2号村公示" in squash(pdf_pages(pdfs[1])[0])


@pytest.mark.slow
def test_render_notices_on_a_process_pool() -> None:
    # Rare characters of names (outside GB 2312) and rows of several sizes, so that the
    # pool reorders the work (largest first) and the workers' font working copy is cut to
    # the batch: every PDF comes back in order, in the working copy only.
    rare = NoticeRow(**{**SMALL_ROWS[0].model_dump(), "name": "王玥堃"})
    notices = [
        notice([rare, *SMALL_ROWS[: n % 3]], title=f"第{n}号村公示", village=f"喆{n}村")
        for n in range(1, 8)
    ]
    pdfs = render_notices(notices, workers=2)
    assert len(pdfs) == 7
    working = fonts.WORKING_FAMILY.replace(" ", "-")
    for number, pdf in enumerate(pdfs, start=1):
        text = squash(pdf_pages(pdf)[0])
        assert f"第{number}号村公示" in text and f"喆{number}村" in text and "王*堃" in text
        assert all(name.startswith(working) for name in _embedded_fonts(pdf))
        assert_no_empty_boxes(pdf)


@pytest.mark.slow
def test_pool_workers_do_not_import_the_main_script() -> None:
    import threading

    from adjudicator.documents import batch

    if threading.active_count() > 1:
        pytest.skip("the main script is hidden from new workers only in a single thread")
    with batch.make_executor(2, import_main=False) as pool:
        assert pool.submit(_main_file).result() is None


def _main_file() -> str | None:
    import sys

    return getattr(sys.modules["__main__"], "__file__", None)


def _embedded_fonts(pdf: bytes) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"]).split("+", 1)[-1]
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in page["/Resources"]["/Font"].values()
    }


def _drawn_glyphs(pdf: bytes) -> list[tuple[str, int, bool]]:
    """(character, glyph id, has an outline) of every glyph the PDF's text is drawn with,
    from each font's ToUnicode map and its embedded font program. Glyph 0 is .notdef; a
    glyph without an outline, or one WeasyPrint numbered past the font's glyphs for a
    character the font lacks, prints as nothing or as a box."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    drawn = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            key = next(k for k in ("/FontFile3", "/FontFile2") if k in descriptor)
            program = TTFont(io.BytesIO(descriptor[key].get_object().get_data()))
            order, glyphs = program.getGlyphOrder(), program.getGlyphSet()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            pairs = []
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                pairs += re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block)
            for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                for low, high, first in re.findall(
                    r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
                ):
                    for offset in range(int(high, 16) - int(low, 16) + 1):
                        code = int(first, 16) + offset
                        pairs.append((f"{int(low, 16) + offset:04x}", f"{code:04x}"))
            for cid, text in pairs:
                glyph = int(cid, 16)
                outline = False  # an id past the font's glyphs: WeasyPrint's "missing" glyph
                if glyph < len(order):
                    pen = BoundsPen(glyphs)
                    glyphs[order[glyph]].draw(pen)
                    outline = pen.bounds is not None
                drawn.append((bytes.fromhex(text).decode("utf-16-be"), glyph, outline))
    return drawn


def assert_no_empty_boxes(pdf: bytes) -> None:
    drawn = _drawn_glyphs(pdf)
    assert drawn
    assert all(glyph != 0 for _, glyph, _ in drawn)
    assert {text for text, _, outline in drawn if not outline} <= {" ", "\u3000"}


def test_every_printed_character_is_in_the_font_working_copy() -> None:
    # 堃 and 喆 are outside GB 2312 and were never rendered by this process before: the
    # renderer extends its working copy before laying the notice out, so nothing falls back
    # to the full system font and no character is drawn with the empty glyph.
    before = render.covered_characters()
    rare = notice(SMALL_ROWS[:1], village="堃喆村", issuing_office="堃喆村村民委员会")
    pdf = render.render_notice(rare)
    assert "堃喆村村民委员会" in "".join(pdf_pages(pdf))
    assert set("堃喆") <= render.covered_characters()
    assert before <= render.covered_characters()  # the copy only ever grows
    working = fonts.WORKING_FAMILY.replace(" ", "-")
    assert all(name.startswith(working) for name in _embedded_fonts(pdf))
    assert_no_empty_boxes(pdf)
    assert {"堃", "喆"} <= {text for text, _, _ in _drawn_glyphs(pdf)}
    # Covering characters already covered does not rebuild anything.
    engine = render._engine()
    render.cover_characters(["堃喆村", "防贫保障"])
    assert render._engine() is engine


def test_the_working_copy_is_cut_to_the_characters_in_use() -> None:
    # Templates, labels and the data, not all of GB 2312: each PDF then embeds and subsets
    # a font of a few hundred glyphs.
    covered = render.covered_characters()
    assert set("第页共边缘易致贫户因病因灾因学公示盖章年月日") <= covered
    assert "鬯" not in covered  # in GB 2312, in no template or test document
    assert len(covered) < 3000


def test_every_trace_value_and_rule_has_a_chinese_name() -> None:
    """A decision record prints each value a rule read under a Chinese name: every key and
    rule the engine writes for the worked examples has one (a new key would be left out)."""
    import json
    from pathlib import Path

    from adjudicator import adjudicate
    from adjudicator.documents.trace_labels import KEY_LABELS, RULE_LABELS
    from adjudicator.rules.tariff import load_tariff
    from schemas import Case
    from tariffs import demo_tariff_path

    tariff = load_tariff(demo_tariff_path())
    path = Path(__file__).parent.parent / "fixtures" / "samples" / "worked-examples.jsonl"
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        decision = json.loads(adjudicate(Case.model_validate_json(line), tariff).to_json())
        for step in decision["trace"]:
            rule = step["rule"]
            assert rule in RULE_LABELS or rule.startswith("negative_list."), rule
            for key in step.get("values") or {}:
                assert key in KEY_LABELS, (rule, key)


def _townships(count: int) -> list[Any]:
    """`count` townships whose figures add up to the totals of `summary()`."""
    from adjudicator.documents.models import TownshipRow

    rows = [TownshipRow(township=f"第{i}镇", households_paid=1, amount_paid="1000.00")
            for i in range(count - 1)]
    rows.append(TownshipRow(township="末镇", households_paid=75 - count, persons_paid=226,
                            amount_paid=f"{496000 - 1000 * (count - 1)}.00"))
    return rows


@pytest.mark.parametrize("count", [31, 33, 61, 63])
def test_totals_and_signatures_never_start_a_page_alone(count: int) -> None:
    """Regression: with 33 (or 63) townships the 合计 row, and with 30-32 (60-62) the office
    and date, sat alone at the top of the last page."""
    pdf = render.render_summary_report(summary(by_township=_townships(count)), charts=False)
    for page in PdfReader(io.BytesIO(pdf)).pages[1:]:
        lines = [line for line in page.extract_text().splitlines()
                 if line.strip() and "核查户数" not in line and not line.startswith("第 ")]
        assert not lines[0].startswith(("合计", "示范县乡村振兴局")), lines[:3]
