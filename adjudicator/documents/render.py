"""Rendering documents: models -> HTML (Jinja2 templates) -> PDF (WeasyPrint).

Each public ``render_*`` function takes one model of :mod:`adjudicator.documents.models` and
returns the bytes of a complete A4 PDF; each ``*_html`` function returns the HTML it would
lay out (useful to debug a template in a browser).

Safety: the Jinja2 environment autoescapes everything, so data is always text, never markup;
WeasyPrint reads resources only through :class:`~adjudicator.documents.safety.SafeURLFetcher`
(``data:`` URIs and the package's own ``templates/`` folder). Personal data is masked here, in
Python, before it reaches a template.

Speed: the expensive objects (the font lookup and its working copy cut to the characters in
use, the Jinja2 environment, the parsed stylesheets, WeasyPrint's font configuration) are
built once per process and reused by every document (the working copy and what depends on
it are rebuilt only when a document brings a new character); see
:mod:`adjudicator.documents.batch` for rendering many documents on several cores, and
docs/scale.md for the measurements.
"""

from __future__ import annotations

import functools
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from adjudicator.documents.fonts import (
    WORKING_FAMILY,
    CJKFont,
    MissingCJKFontError,
    find_cjk_font,
    font_stylesheet,
)
from adjudicator.documents.fontsubset import base_charset, subset_font
from adjudicator.documents.formatting import (
    chinese_ordinal,
    format_date,
    format_datetime,
    format_money,
    format_rate,
    format_wan,
)
from adjudicator.documents.models import (
    CLAIM_SOURCE_LABELS,
    HOUSEHOLD_CATEGORY_LABELS,
    OUTCOME_LABELS,
    DecisionRecord,
    DenialLetter,
    SummaryReport,
    VillageNotice,
    claim_category_label,
)
from adjudicator.documents.reasons import describe_reason, describe_reasons
from adjudicator.documents.safety import TEMPLATES_DIR, SafeURLFetcher
from adjudicator.documents.summary import funnel_rows, summary_sections, summary_sentences
from adjudicator.documents.trace_labels import (
    reason_name,
    result_label,
    rule_label,
    trace_items_zh,
)
from adjudicator.masking import mask_id_number, mask_name

__all__ = [
    "cover_characters",
    "covered_characters",
    "decision_record_html",
    "denial_letter_html",
    "html_to_pdf",
    "notice_html",
    "render_decision_record",
    "render_denial_letter",
    "render_notice",
    "render_summary_report",
    "summary_report_html",
    "warm_up",
]

_BASE_URL = TEMPLATES_DIR.as_uri() + "/"


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    """The Jinja2 environment: package templates only, autoescape always on."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        money=format_money,
        wan=format_wan,
        rate=format_rate,
        zh_date=format_date,
        zh_datetime=format_datetime,
        zh_ordinal=chinese_ordinal,
    )
    return env


#: Set to "0" to embed the full system CJK font instead of the per-process working copy
#: (slower and larger PDFs; for comparisons and for diagnosing a font problem).
WORKING_COPY_ENV_VAR = "ADJUDICATOR_CJK_WORKING_COPY"


@dataclass(frozen=True)
class _Engine:
    """Per-process WeasyPrint state shared by every document."""

    font: CJKFont
    families: frozenset[str]
    fetcher: SafeURLFetcher
    font_config: FontConfiguration
    stylesheets: Mapping[str, CSS]


# Characters beyond the base set that the working copy must also cover (names, places and
# other data of the documents rendered or about to be rendered); see cover_characters().
_extra_characters: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=1)
def _base_characters() -> frozenset[str]:
    """What every document may print besides its data: ASCII and common punctuation, and
    every character of the package's templates and Python sources (the labels of household
    and claim categories, the sentences of reasons, date formats, "第 N 页 共 M 页")."""
    sources = [*TEMPLATES_DIR.glob("*.html"), *TEMPLATES_DIR.glob("*.css")]
    sources += TEMPLATES_DIR.parent.glob("*.py")
    return base_charset(path.read_text(encoding="utf-8") for path in sorted(sources))


def _wanted(texts: Iterable[str]) -> frozenset[str]:
    """The characters of ``texts`` that a font has to draw."""
    return frozenset(ch for text in texts for ch in text if ch.isprintable() and not ch.isspace())


def covered_characters() -> frozenset[str]:
    """The characters the font working copy of this process was asked to cover."""
    return _base_characters() | _extra_characters


def cover_characters(texts: Iterable[str]) -> None:
    """Make the font working copy of this process cover every character of ``texts``.

    The working copy is cut from the full CJK font to the characters in use, so that every
    PDF embeds (and WeasyPrint subsets) a small font. :func:`html_to_pdf` calls this with the
    text of each document, so every character printed is in the working copy; batch
    rendering calls it once with the text of the whole batch, so that a worker builds its
    working copy once. The copy is rebuilt (~0.1 s) only when a character is new; a
    character the CJK font lacks altogether is still drawn by Pango's fallback font.
    """
    global _extra_characters
    missing = _wanted(texts) - _base_characters() - _extra_characters
    if not missing:
        return
    _extra_characters = _extra_characters | missing
    if _working_copy_enabled():  # else the engine does not depend on the characters
        _engine.cache_clear()


def _working_copy_enabled() -> bool:
    return os.environ.get(WORKING_COPY_ENV_VAR, "1").strip() != "0"


def _working_faces(font: CJKFont) -> dict[str, bytes] | None:
    """Reduced copies of the regular and bold faces, or None to use the full font.

    All or nothing: with a working copy of the regular face only, bold text would be
    synthesised from it instead of using the real bold face.
    """
    if not _working_copy_enabled():
        return None
    chars = covered_characters()
    faces: dict[str, bytes] = {}
    for weight, path, index in (
        ("normal", font.path, font.index),
        ("bold", font.bold_path, font.bold_index),
    ):
        if path is None:
            continue
        data = subset_font(path, index, chars)
        if data is None:
            return None
        faces[weight] = data
    return faces


def _font_css(font: CJKFont, font_config: FontConfiguration) -> tuple[CSS, frozenset[str]]:
    """The font stylesheet, registered in ``font_config``, and the families it may use.

    The working copies are written to a private temporary folder only while WeasyPrint
    loads them (it copies each ``@font-face`` into its own folder), through a fetcher that
    allows exactly those files; the folder is removed at once.
    """
    faces = _working_faces(font)
    families = {font.family.casefold()}
    if not faces:
        css = CSS(string=font_stylesheet(font), font_config=font_config)
        return css, frozenset(families)
    with tempfile.TemporaryDirectory(prefix="adjudicator-font-") as folder:
        paths = {weight: Path(folder) / f"working-{weight}.otf" for weight in faces}
        for weight, data in faces.items():
            paths[weight].write_bytes(data)
        fetcher = SafeURLFetcher(allowed_dirs=(), allowed_files=paths.values())
        urls = {weight: path.as_uri() for weight, path in paths.items()}
        css = CSS(string=font_stylesheet(font, urls), font_config=font_config, url_fetcher=fetcher)
    families.add(WORKING_FAMILY.casefold())
    return css, frozenset(families)


@functools.lru_cache(maxsize=1)
def _engine() -> _Engine:
    """Build the shared state once: font lookup and working copy, fetcher, stylesheets.

    Raises :class:`MissingCJKFontError` before anything is laid out when no CJK font exists.
    Reusing one :class:`FontConfiguration` keeps the ``@font-face`` working copy registered
    with fontconfig once for the life of the process instead of once per document.
    """
    font = find_cjk_font()
    font_config = FontConfiguration()
    font_css, families = _font_css(font, font_config)
    fetcher = SafeURLFetcher()
    sheets: dict[str, CSS] = {"fonts": font_css}
    for name, text in _stylesheet_texts():
        sheets[name] = CSS(
            string=text, base_url=_BASE_URL, url_fetcher=fetcher, font_config=font_config
        )
    return _Engine(font, families, fetcher, font_config, sheets)


@functools.lru_cache(maxsize=1)
def _stylesheet_texts() -> tuple[tuple[str, str], ...]:
    """(name, text) of every stylesheet of ``templates/``, read once per process."""
    return tuple(
        (path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(TEMPLATES_DIR.glob("*.css"))
    )


def _has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) == "W" and ch.isalpha() for ch in text)


def html_to_pdf(html: str, stylesheets: Sequence[str] = ("base",)) -> bytes:
    """Lay out an HTML string with the package's stylesheets and return the PDF bytes.

    ``stylesheets`` names CSS files of ``templates/`` (without ``.css``); the CJK font
    stylesheet always comes first. Every character of ``html`` is first made part of the font
    working copy (:func:`cover_characters`; a no-op once covered), so that nothing printed
    falls back to the full font. Raises :class:`MissingCJKFontError` when the Chinese text
    was not set in the CJK font (it would print as boxes).
    """
    cover_characters((html,))
    engine = _engine()
    sheets = [engine.stylesheets["fonts"]] + [engine.stylesheets[name] for name in stylesheets]
    document = HTML(string=html, base_url=_BASE_URL, url_fetcher=engine.fetcher).render(
        stylesheets=sheets, font_config=engine.font_config
    )
    pdf = document.write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf returns bytes without a target
        raise RuntimeError("WeasyPrint returned no PDF")
    _check_fonts(document.fonts.values(), engine, html)
    return bytes(pdf)


def _check_fonts(fonts: Any, engine: _Engine, html: str) -> None:
    """Refuse a PDF whose Chinese text was not set in the CJK font (it would be boxes)."""
    used = {str(getattr(f, "family", "")).casefold() for f in fonts}
    if _has_cjk(html) and not used & engine.families:
        raise MissingCJKFontError(
            f"the text was laid out without the font {engine.font.family!r}; fonts used: "
            f"{sorted(used)}"
        )


# --------------------------------------------------------------------------- notice


def notice_html(notice: VillageNotice) -> str:
    """The HTML of a village public notice (公示), names and ID numbers masked."""
    rows = [
        {
            "name": mask_name(row.name),
            "id_number": mask_id_number(row.id_number),
            "village": row.village,
            "household_category": HOUSEHOLD_CATEGORY_LABELS[row.household_category],
            "claim_category": claim_category_label(row.claim_category,
                                                   row.claim_category_label),
            "payout": format_money(row.payout),
        }
        for row in notice.rows
    ]
    totals = {
        "households": notice.household_count,
        "persons": notice.person_count,
        "amount": format_money(notice.total_payout),
    }
    return _environment().get_template("notice.html").render(n=notice, rows=rows, totals=totals)


def render_notice(notice: VillageNotice) -> bytes:
    """A village public notice (公示) as PDF bytes."""
    return html_to_pdf(notice_html(notice), ("base", "notice"))


def warm_up(texts: Iterable[str] = ()) -> None:
    """Build the per-process state, covering the characters of ``texts``, and lay out a tiny
    document, so that the first real document does not pay for font loading (batch workers
    call this once)."""
    cover_characters(texts)
    html_to_pdf('<html lang="zh-CN"><body><p>防贫保障 <b>公示</b> 0123</p></body></html>')


# --------------------------------------------------------------------------- denial letter


def _income_context(letter: DenialLetter) -> dict[str, str] | None:
    income = letter.income
    if income is None:
        return None
    if income.income_test == "after_expense":
        formula = "（家庭年纯收入－累计合规支出）÷计入人口"
    else:
        formula = "家庭年纯收入÷计入人口"
    return {
        "net_income": format_money(income.net_income),
        "counted_members": str(income.counted_members),
        "cumulative_expense": format_money(income.cumulative_expense),
        "per_capita_income": format_money(income.per_capita_income),
        "income_line": format_money(income.income_line),
        "formula": formula,
    }


def denial_letter_html(letter: DenialLetter) -> str:
    """The HTML of a denial letter: reasons in words, ID number masked."""
    context = {
        "d": letter,
        "head_id": mask_id_number(letter.household_head_id_number),
        "category": claim_category_label(letter.claim_category,
                                         letter.claim_category_label),
        "reasons": describe_reasons(letter.reasons, letter.custom_reason_labels),
        "income": _income_context(letter),
    }
    return _environment().get_template("denial_letter.html").render(**context)


def render_denial_letter(letter: DenialLetter) -> bytes:
    """A denial letter (不予救助告知书) as PDF bytes."""
    return html_to_pdf(denial_letter_html(letter), ("base", "denial_letter"))


# --------------------------------------------------------------------------- decision record


def _record_summary(record: DecisionRecord) -> list[tuple[str, str]]:
    """The case summary of a decision record, personal data masked."""
    source = record.claim_source or ""
    pairs = [
        ("申请人", mask_name(record.claimant_name)),
        ("身份证号", mask_id_number(record.claimant_id_number)),
        ("户编号", record.household_id),
        ("所在乡镇", record.township or "—"),
        ("所在村", record.village or "—"),
        ("行政区划代码", record.region_code),
        ("户类别", HOUSEHOLD_CATEGORY_LABELS[record.household_category]),
        ("救助类别", claim_category_label(record.claim_category, record.claim_category_label)),
        ("事项发生日期", format_date(record.event_date) or "—"),
        ("案件来源", CLAIM_SOURCE_LABELS.get(source, source) or "—"),
        ("理算时间", format_datetime(record.decided_at) or "—"),
    ]
    return pairs


def _record_steps(record: DecisionRecord) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for position, step in enumerate(record.trace):
        sentence = step.get("text_zh")
        if sentence is None and record.trace_sentences is not None:
            sentence = record.trace_sentences[position]
        labels = record.custom_reason_labels
        steps.append(
            {
                "rule": rule_label(str(step.get("rule", "")), labels),
                "result": result_label(step.get("result")),
                "sentence": str(sentence) if sentence else "",
                "items": trace_items_zh(step, labels),
            }
        )
    return steps


def decision_record_html(record: DecisionRecord) -> str:
    """The HTML of a decision record: summary, result, bands, full trace, provenance."""
    bands = [
        {
            "from_": format_money(band.from_),
            "to": format_money(band.to) if band.to is not None else "以上",
            "rate": format_rate(band.rate),
            "amount": format_money(band.amount),
        }
        for band in record.bands
    ]
    band_total = sum((band.amount for band in record.bands), Decimal("0.00"))
    context = {
        "r": record,
        "summary": _record_summary(record),
        "outcome": OUTCOME_LABELS[record.outcome],
        "reasons": [
            (reason_name(code, record.custom_reason_labels),
             describe_reason(code, record.custom_reason_labels))
            for code in record.reasons
        ],
        "figures": {
            "payout": format_money(record.payout),
            "eligible_expense": format_money(record.eligible_expense),
            "counted_expense": format_money(record.counted_expense),
            "per_capita_income": format_money(record.per_capita_income),
        },
        "bands": bands,
        "totals": {"bands": format_money(band_total)},
        "steps": _record_steps(record),
    }
    return _environment().get_template("decision_record.html").render(**context)


def render_decision_record(record: DecisionRecord) -> bytes:
    """A decision record (理算单) as PDF bytes."""
    return html_to_pdf(decision_record_html(record), ("base", "decision_record"))


# --------------------------------------------------------------------------- summary report


def summary_report_html(report: SummaryReport, *, charts: bool = True) -> str:
    """The HTML of a summary report, with one bar chart per breakdown when ``charts``."""
    sections = summary_sections(report)
    for section in sections:
        section["chart"] = None
    if charts:
        # matplotlib is imported only here: notice workers never pay for it.
        from adjudicator.documents.charts import bar_chart_data_uri

        for section in sections:
            section["chart"] = bar_chart_data_uri(
                [row["label"] for row in section["rows"]],
                [row["value"] for row in section["rows"]],
            )
    context = {
        "s": report,
        "sentences": summary_sentences(report),
        "funnel": funnel_rows(report),
        "sections": sections,
        "notes_number": chinese_ordinal(len(sections) + 2),
    }
    return _environment().get_template("summary_report.html").render(**context)


def render_summary_report(report: SummaryReport, *, charts: bool = True) -> bytes:
    """A summary report (年度/批次工作总结) with bar charts, as PDF bytes."""
    return html_to_pdf(summary_report_html(report, charts=charts), ("base", "summary_report"))


# --------------------------------------------------------------------------- paper form


def verification_form_html(form: Mapping[str, Any]) -> str:
    """The HTML of a blank paper verification form (see `render_verification_form`)."""
    return _environment().get_template("verification_form.html").render(f=form)


def render_verification_form(form: Mapping[str, Any]) -> bytes:
    """A blank verification form (入户核查表) to print for a visit without a signal: the
    household's members prefilled, 是/否 boxes for every negative-list item, income lines and
    signature lines."""
    return html_to_pdf(verification_form_html(form), ("base", "verification_form"))
