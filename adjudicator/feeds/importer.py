"""`feed import`: a bureau's monthly export in, as it comes (docs/feeds.md).

Each batch of rows is checked column by column (polars), matched to the register by ID number
and stored in one transaction with one audit event. A row is stored once, ever: its record
number (the settlement's `setl_id`, the disaster report's number, else the SHA-256 of the
row's identifying fields) is unique per bureau, so importing a month again changes nothing.
A batch's rows whose ID number is valid but not registered are stored as one Parquet blob
(`adjudicator.feeds.strangers`: what the push list, a refund and a later match need), in the
batch's transaction, so that a province's month, nine rows in ten of people not registered,
costs one insert a batch instead of one a row; the push list names them as not in the
register, and the screening after they are registered matches them. A refund (退费)
reverses the settlement it names: the settlement leaves the year's sums, and if it is already
inside a claim, that claim's expense changes (`adjudicator.feeds.redecision`). Bad rows go to
the error report, in Chinese, with the file, the row and the column as headed in the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import queue
import re
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import orjson
import polars as pl
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from adjudicator.feeds import redecision, strangers
from adjudicator.feeds.columns import BUREAUS, LABELS, Bureau
from adjudicator.feeds.reader import ROW, UNDECODABLE, Header, batches, find_header
from adjudicator.intake.report import (
    ErrorReport,
    default_report_path,
    masked_original,
    open_report,
)
from adjudicator.intake.sources import FORMATS, FileInfo, UnreadableFile, inspect_file
from adjudicator.messages import Message, Refused, Tally
from adjudicator.rules.figures import WARNING_FIELDS
from adjudicator.storage.bulk import among, insert_rows, unique
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Finding, Member
from adjudicator.storage.models_feeds import FeedFile, FeedRow
from schemas import forms
from schemas.imports import EDUCATION_STAGE_LABELS
from schemas.types import MAX_AMOUNT, EducationStage
from schemas.vocabulary import Words

BATCH_ROWS = 50_000
_T = TypeVar("_T")
ZERO = Decimal("0.00")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_AMOUNT = forms.PLAIN_AMOUNT
#: an ID number a spreadsheet held as a number: 3.30102E+17, 330102197001010000.00
_AS_NUMBER = r"^[0-9]+(\.[0-9]*|(\.[0-9]*)?E\+?[0-9]+)$"
#: an amount of more yuan digits than MAX_AMOUNT (what every money column holds) has
_TOO_LARGE = rf"^-?0*[1-9][0-9]{{{len(str(int(MAX_AMOUNT)))},}}(\.[0-9]*)?$"
_TOTAL_WORDS = ("合计", "总计", "小计", "累计")
_YES = ("1", "是", "y", "yes", "true", "退费")
#: A refund flag that says "not a refund"; any other value is rejected, never guessed.
_NO = ("0", "否", "n", "no", "false", "正常")
_STAGES = {**EDUCATION_STAGE_LABELS, **{s.value: s.value for s in EducationStage}}
_REQUIRED_AMOUNTS = {"medfee_sumamt", "assessed_loss", "tuition", "amount"}
_ENCODINGS = {"gb18030": "GB18030（GBK）", "utf-16": "UTF-16"}
_FUNDS = ("hifp_pay", "hifmi_pay", "hifob_pay", "cvlserv_pay", "maf_pay", "othfund_pay")


class FeedRefused(Refused):
    """The whole file was refused (its month, its header): nothing stored. A `Refused`: a
    catalogue message in both languages, str() the English."""


@dataclass
class FeedImportResult:
    bureau: str
    month: str
    file: str
    file_pk: int | None = None
    rows_total: int = 0
    accepted: int = 0
    matched: int = 0
    unmatched: int = 0
    unchanged: int = 0
    rejected: int = 0
    reversed: int = 0
    total_rows_skipped: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    error_report: str | None = None

    @property
    def all_rejected(self) -> bool:
        return self.rows_total > 0 and self.rejected == self.rows_total

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a YYYY-MM month, or FeedRefused."""
    found = _MONTH.match(month or "")
    if found is None:
        raise FeedRefused(Message("feed.bad_month", month=month))
    year, number = int(found[1]), int(found[2])
    first = dt.date(year, number, 1)
    after = dt.date(year + (number == 12), number % 12 + 1, 1)
    return first, after - dt.timedelta(days=1)


# --- the checks, column by column ---------------------------------------------------------


def _text(name: str) -> pl.Expr:
    cleaned = pl.col(name).str.strip_chars()
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def _id_valid(col: pl.Expr) -> pl.Expr:
    """GB 11643 ID numbers, checked as columns: 17 digits, a check character, a birth date."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    shaped = col.str.contains(forms.ID_NUMBER)
    total = pl.sum_horizontal([col.str.slice(i, 1).cast(pl.Int32, strict=False) * w
                               for i, w in enumerate(weights)])
    check = pl.lit("10X98765432").str.slice((total % 11).cast(pl.Int64), 1)
    born = col.str.slice(6, 8).str.to_date("%Y%m%d", strict=False).is_not_null()
    return shaped.fill_null(False) & (check == col.str.slice(17, 1)).fill_null(False) & born


@dataclass
class _Check:
    field: str
    code: str
    reason: str
    bad: pl.Expr


def _checks(bureau: Bureau, present: set[str], first: dt.date, last: dt.date,
            encoding: str | None = None) -> list[_Check]:
    refund = pl.col("_refund")
    decoded = _ENCODINGS.get(str(encoding), "UTF-8")
    checks = [
        # a byte the file's encoding cannot decode: the row is rejected, naming the column
        *(_Check(name, "UNDECODABLE_BYTES",
                 f"{LABELS[name]}含有无法按 {decoded} 解码的字节（文件可能已损坏或混用了编码）："
                 "该行未导入，请修正后重新导入",
                 pl.col(name).str.contains(UNDECODABLE, literal=True))
          for name in bureau.columns if name in present),
        _Check("certno", "MISSING_VALUE", "缺少身份证号", pl.col("certno").is_null()),
        _Check("certno", "INVALID_ID_NUMBER", "身份证号无效（位数、出生日期或校验位不符）",
               pl.col("certno").is_not_null() & ~_id_valid(pl.col("certno"))
               & ~pl.col("certno").str.contains(_AS_NUMBER)),
        _Check("certno", "INVALID_ID_NUMBER",
               "身份证号被存成了数字（如 3.30102E+17），末几位已丢失：请在表格中把该列设为文本，"
               "填回完整号码后重新导出", pl.col("certno").str.contains(_AS_NUMBER)),
    ]
    if bureau.record:
        checks.append(_Check(bureau.record, "MISSING_VALUE",
                             f"缺少{LABELS[bureau.record]}", pl.col(bureau.record).is_null()))
        checks.append(_Check(bureau.record, "INVALID_VALUE",
                             f"{LABELS[bureau.record]}超过64个字符",
                             pl.col(bureau.record).str.len_chars() > 64))
    if bureau.date and bureau.date in present:
        label = LABELS[bureau.date]
        checks += [
            _Check(bureau.date, "MISSING_VALUE", f"缺少{label}", pl.col(bureau.date).is_null()),
            _Check(bureau.date, "INVALID_DATE", f"{label}无法识别：{forms.DATE_FORMS_ZH}",
                   pl.col(bureau.date).is_not_null() & pl.col("_date").is_null()),
            _Check(bureau.date, "DATE_AFTER_MONTH", f"{label}晚于导入月份的最后一天 {last}",
                   pl.col("_date") > last),
            _Check(bureau.date, "DATE_BEFORE_YEAR", f"{label}早于导入月份所在年度 {first.year} 年",
                   pl.col("_date") < dt.date(first.year, 1, 1)),
        ]
    for name in bureau.amounts:
        if name not in present:
            continue
        label = LABELS[name]
        checks.append(_Check(name, "INVALID_AMOUNT", f"{label}不是金额：{forms.AMOUNT_FORMS_ZH}",
                             pl.col(name).is_not_null()
                             & ~pl.col(name).str.contains(_AMOUNT).fill_null(False)))
        checks.append(_Check(name, "INVALID_AMOUNT",
                             f"{label}超出上限 {MAX_AMOUNT:,} 元（请核对是否多输了位数或错列）",
                             pl.col(name).str.contains(_TOO_LARGE).fill_null(False)))
        checks.append(_Check(name, "NEGATIVE_AMOUNT", f"{label}为负数，但该行不是退费记录",
                             ~refund & pl.col(name).str.starts_with("-").fill_null(False)))
        if name in _REQUIRED_AMOUNTS:
            checks.append(_Check(name, "MISSING_VALUE", f"缺少{label}",
                                 pl.col(name).is_null()))
    if bureau.name == "medical":
        checks.append(_Check("refd_setl_flag", "INVALID_VALUE",
                             "退费结算标志无法识别（应为 0 正常 或 1 退费）",
                             ~pl.col("refd_setl_flag").str.to_lowercase()
                             .is_in((*_YES, *_NO)).fill_null(True)))
        checks.append(_Check("init_setl_id", "MISSING_VALUE",
                             "退费记录须注明被退费的原结算ID（init_setl_id / 原结算ID）",
                             refund & pl.col("init_setl_id").is_null()))
        if {"psn_pay", "fund_pay_sumamt"} <= present:
            checks.append(_Check("psn_pay", "INCONSISTENT_AMOUNTS",
                                 "个人支付金额不等于医疗费总额减基金支付总额",
                                 (pl.col("_medfee_sumamt") - pl.col("_fund_pay_sumamt")
                                  != pl.col("_psn_pay")).fill_null(False)
                                 & pl.col("psn_pay").is_not_null()))
    if bureau.name == "education":
        checks.append(_Check("stage", "INVALID_VALUE", "学段无法识别（如 高中、中职、大专、本科）",
                             pl.col("_stage").is_null()))
    if bureau.name == "civil-affairs":
        checks.append(_Check("assistance_kind", "MISSING_VALUE", "缺少救助类型",
                             pl.col("assistance_kind").is_null()))
    return checks


def _money(name: str, present: set[str]) -> pl.Expr:
    if name not in present:
        return pl.lit(ZERO, dtype=pl.Decimal(15, 2))
    ok = pl.col(name).str.contains(_AMOUNT).fill_null(False)
    return (pl.when(ok).then(pl.col(name)).otherwise(None)
            .cast(pl.Decimal(15, 2), strict=False).fill_null(ZERO))


def _prepare(df: pl.DataFrame, bureau: Bureau, present: set[str], first: dt.date
             ) -> pl.DataFrame:
    """Clean text, typed amounts (`_<amount>`), the date, the refund flag, the figures."""
    for name in (bureau.columns):
        if name not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    # the ID number, the amounts and the date in the forms of schemas.forms: folded (full-width
    # digits …) once, then each read as its form
    formed = {"certno", *bureau.amounts, bureau.date}
    df = df.with_columns(*((forms.fold_expr(_text(name)) if name in formed else _text(name))
                           .alias(name) for name in bureau.columns))
    df = df.with_columns(forms.clean_id_number_expr(pl.col("certno")),
                         *(forms.amount_expr(pl.col(n)).alias(n) for n in bureau.amounts))
    df = df.with_columns(*(_money(n, present).alias(f"_{n}") for n in bureau.amounts))
    refund = pl.lit(False)
    if bureau.name == "medical":
        refund = (pl.col("refd_setl_flag").str.to_lowercase().is_in(_YES).fill_null(False)
                  | (pl.col("_medfee_sumamt") < 0) | pl.col("init_setl_id").is_not_null())
    df = df.with_columns(refund.alias("_refund"))
    if bureau.date and bureau.date in present:
        df = df.with_columns(forms.date_expr(pl.col(bureau.date)).alias("_date"))
    else:  # no date column (education; a civil-affairs list without one): the month's first
        df = df.with_columns(pl.lit(first).alias("_date"))
    if bureau.name == "education":
        df = df.with_columns(pl.col("stage").replace_strict(_STAGES, default=None)
                             .alias("_stage"))
    if bureau.name == "medical":
        funds = pl.sum_horizontal([pl.col(f"_{f}") for f in _FUNDS])
        fund_total = (pl.col("_fund_pay_sumamt") if "fund_pay_sumamt" in present else funds)
        psn = (pl.col("_psn_pay") if "psn_pay" in present
               else pl.col("_medfee_sumamt") - fund_total)
        if "psn_pay" in present:
            psn = pl.when(pl.col("psn_pay").is_null()).then(
                pl.col("_medfee_sumamt") - fund_total).otherwise(pl.col("_psn_pay"))
        df = df.with_columns(psn.alias("_psn_pay"), fund_total.alias("_fund_total"))
    return df


def _is_total_row(df: pl.DataFrame, bureau: Bureau) -> pl.Series:
    """A total line (合计 …): no ID number (or a total word where it would be, when the ID
    number is the first column), and a cell starting with a total word."""
    certno = pl.col("certno").str.strip_chars().fill_null("")
    blank = df.select((certno == "") | pl.any_horizontal(
        [certno.str.starts_with(w) for w in _TOTAL_WORDS])).to_series()
    if not blank.any():  # the usual batch: no row without an ID number, no cell to look at
        return blank
    words = pl.any_horizontal([pl.col(n).str.strip_chars().str.starts_with(w).fill_null(False)
                               for n in bureau.columns if n in df.columns
                               for w in _TOTAL_WORDS])
    return blank & df.select(words).to_series()


# --- the figures and claim amounts of the rows, as columns ------------------------------

_D = pl.Decimal(15, 2)


def _max0(expr: pl.Expr) -> pl.Expr:
    return pl.max_horizontal(expr, pl.lit(ZERO, dtype=_D)).cast(_D)


def _figures(bureau: Bureau) -> dict[str, pl.Expr]:
    """figure name -> its expression over the typed amounts (`_<amount>`)."""
    c = {name: pl.col(f"_{name}") for name in bureau.amounts}
    if bureau.name == "medical":
        non_compliant = c["fulamt_ownpay_amt"] + c["overlmt_selfpay"]
        basic = c["hifp_pay"] + c["hifob_pay"]
        named = basic + c["hifmi_pay"] + c["maf_pay"]
        own = pl.col("_psn_pay")
        return {"total_cost": c["medfee_sumamt"], "non_compliant_cost": non_compliant,
                "basic_insurance_paid": basic, "critical_illness_paid": c["hifmi_pay"],
                "medical_assistance_paid": c["maf_pay"],
                "other_compensation": pl.max_horizontal(
                    pl.col("_fund_total") - named, c["othfund_pay"] + c["cvlserv_pay"]),
                "out_of_pocket": own,
                "compliant_out_of_pocket": pl.when(own >= 0).then(_max0(own - non_compliant))
                .otherwise(own)}
    if bureau.name == "disaster":
        return {"assessed_loss": c["assessed_loss"], "relief_paid": c["relief_paid"],
                "insurance_paid": c["insurance_paid"],
                "net_loss": _max0(c["assessed_loss"] - c["relief_paid"]
                                  - c["insurance_paid"])}
    if bureau.name == "education":
        return {"tuition": c["tuition"], "accommodation": c["accommodation"],
                "aid_received": c["aid_received"],
                "net_cost": _max0(c["tuition"] + c["accommodation"] - c["aid_received"])}
    return {"amount": c["amount"]}


_KIND = {"medical": "med_type", "disaster": "disaster_kind", "education": "_stage",
         "civil-affairs": "assistance_kind"}


def _values(df: pl.DataFrame, bureau: Bureau) -> pl.DataFrame:
    """The checked rows with what is stored: `_record_no`, `_figures` (JSON text of decimal
    strings), `_figure` (the category's default), `_kind`, `_reverses`."""
    figures = _figures(bureau)
    df = df.with_columns(*(e.cast(_D).alias(f"_f_{n}") for n, e in figures.items()))
    df = df.with_columns(
        pl.struct(*(pl.col(f"_f_{n}").cast(pl.String).alias(n) for n in figures))
        .struct.json_encode().alias("_figures"),
        pl.col(f"_f_{next(iter(figures))}" if bureau.category is None else
               f"_f_{next(iter(WARNING_FIELDS[bureau.category]))}").alias("_figure"),
        pl.col(_KIND[bureau.name]).cast(pl.String).str.slice(0, 32).alias("_kind"),
        (pl.when(pl.col("_refund")).then(pl.col("init_setl_id")).otherwise(None)
         if bureau.name == "medical" else pl.lit(None, dtype=pl.String)).alias("_reverses"))
    if bureau.record:
        return df.with_columns(pl.col(bureau.record).alias("_record_no"))
    key = (["certno", "school", "term", "_stage"] if bureau.name == "education"
           else ["certno", "assistance_kind", "_date", "_amount"])
    joined = pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in key],
                           separator="\x1f")
    return df.with_columns(joined.map_elements(
        lambda text: hashlib.sha256(text.encode()).hexdigest(), return_dtype=pl.String)
        .alias("_record_no"))


# --- the import -----------------------------------------------------------------------------


@dataclass
class _Run:
    ctx: Context
    bureau: Bureau
    month: str
    file_pk: int
    result: FeedImportResult
    report: ErrorReport
    header: Header
    #: blobs of rows of people not registered stored so far (their batch numbers)
    blobs: int = 0
    #: the members by ID number (`_by_id_number`), when read once for the whole import
    register: pl.DataFrame | None = None
    #: batches stored so far
    batches: int = 0


def import_feed(ctx: Context, bureau_name: str, path: Path | str, month: str,
                errors_path: Path | str | None = None, batch_rows: int = BATCH_ROWS
                ) -> FeedImportResult:
    """Import one bureau's file for `month` (YYYY-MM); returns the counts.

    Raises PermissionDenied, FileNotFoundError, UnreadableFile or FeedRefused (nothing
    stored: the month, or the header; the error report says why)."""
    ctx.require("import")
    bureau = BUREAUS.get(bureau_name)
    if bureau is None:
        raise FeedRefused(Message("feed.refused_bureau", bureau=bureau_name,
                                  bureaus=Tally((Words(b, b), None) for b in BUREAUS)))
    first, last = month_bounds(month)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: 文件不存在")
    if FORMATS.get(path.suffix.lower()) not in ("csv", "xlsx"):
        raise FeedRefused(Message("feed.not_table", file=path.name))
    info = inspect_file(path)
    report_path = Path(errors_path) if errors_path else default_report_path(path)
    result = FeedImportResult(bureau.name, month, path.name, error_report=str(report_path))
    opened = open_report(report_path, path)  # refused: the bureau's file itself, or unwritable
    with opened as report:
        header = find_header(info, bureau)
        _check_header(path, bureau, header, report, _sheets(info) if header is None else [])
        assert header is not None
        result.ignored_columns = header.ignored
        result.file_pk = _open_file(ctx, bureau, month, path, info.sha256, report_path)
        run = _Run(ctx, bureau, month, result.file_pk, result, report, header)
        present = set(header.named)
        checks = _checks(bureau, present, first, last, info.encoding)
        ahead = _register(run)
        # the next batches are read, checked and (a register read once) matched and split
        # (polars, mostly outside the GIL) while this one is stored
        try:
            for checked in read_ahead(lambda: (_checked(bureau, df, present, checks, first,
                                                        ahead)
                                               for df in batches(info, header, batch_rows))):
                _batch(run, checked)
        except UnreadableFile as exc:
            if not _stopped(run) or not isinstance(exc.message, Message):
                raise
            raise UnreadableFile(Message("feed.csv_broken_after", file=path.name,
                                         row=exc.message.params.get("row"),
                                         rows=result.rows_total)) from None
    with transaction(ctx.factory) as session:
        _checkpoints(session, bulk=False)  # this commit writes the log into the database
        _update_file(session, run)
    return result


#: SQLite's write-ahead log is written into the database when it holds this many pages
#: (4 KiB each): its default, and while a feed is imported (a batch of 50,000 rows is some
#: 20 MB; each batch's commit rewrote the same index pages into the database)
_WAL_PAGES, _WAL_PAGES_IMPORTING = 1000, 50_000


def _checkpoints(session: Session, *, bulk: bool) -> None:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        pages = _WAL_PAGES_IMPORTING if bulk else _WAL_PAGES
        connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint={pages}")


def _sheets(info: FileInfo) -> list[str]:
    """A workbook's sheet names (only the first is read), for a refusal; [] for a CSV."""
    if info.format != "xlsx":
        return []
    from openpyxl import load_workbook

    workbook = load_workbook(info.path, read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _check_header(path: Path, bureau: Bureau, header: Header | None,
                  report: ErrorReport, sheets: list[str] | None = None) -> None:
    problems: list[tuple[int, str, str, Message]] = []
    if header is None:
        problems.append((1, "", "MISSING_HEADER", Message(
            "feed.no_header_sheet", sheet=sheets[0], others="、".join(sheets[1:]))
            if sheets and len(sheets) > 1 else Message("feed.no_header")))
    else:
        for name in bureau.required:
            if name not in header.named:
                problems.append((header.row, LABELS[name], "MISSING_COLUMN",
                                 Message("feed.missing_column", label=LABELS[name], name=name)))
        for name in header.doubled:
            problems.append((header.row, LABELS[name], "DUPLICATE_COLUMN",
                             Message("feed.doubled_column", label=LABELS[name], name=name)))
    if problems:
        for row, column, code, reason in problems:
            report.add(row, column, code, reason)
        row, column, code, reason = problems[0]
        more = (Message("feed.refused_more", count=len(problems) - 1) if len(problems) > 1
                else "")
        raise FeedRefused(Message("feed.refused_header", file=path.name, row=row,
                                  reason=reason, more=more, report=report.path))


def _stopped(run: _Run) -> bool:
    """A file found unreadable after it was opened (a quote never closed): when no batch of
    it was stored, it is not recorded as received either (the month's report still misses
    it); else its record keeps the counts of the batches stored (True)."""
    with transaction(run.ctx.factory) as session:
        if run.batches:
            _update_file(session, run)
        else:
            session.execute(delete(FeedFile).where(FeedFile.pk == run.file_pk))
    return run.batches > 0


def _open_file(ctx: Context, bureau: Bureau, month: str, path: Path, sha256: str,
               report: Path) -> int:
    with transaction(ctx.factory) as session:
        record = FeedFile(bureau=bureau.name, month=month, file_name=str(path)[-500:],
                          file_sha256=sha256, rows_total=0, accepted=0, matched=0,
                          unchanged=0, rejected=0, reversed=0,
                          error_report=str(report)[-500:], imported_by=ctx.user_id,
                          imported_at=ctx.now())
        session.add(record)
        session.flush()
        return record.pk


def _update_file(session: Session, run: _Run) -> None:
    r = run.result
    session.execute(update(FeedFile).where(FeedFile.pk == run.file_pk).values(
        rows_total=r.rows_total, accepted=r.accepted, matched=r.matched,
        unchanged=r.unchanged, rejected=r.rejected, reversed=r.reversed))


@dataclass
class _Checked:
    """A batch read and checked: the good rows ready to store (only the columns storing them
    needs), the same rows whole (for the error report of a row refused when stored), the
    rejected ones."""

    good: pl.DataFrame
    whole: pl.DataFrame
    rejected: list[Rejection]
    rows: int
    totals: int
    parts: _Parts | None = None


#: what storing a batch reads of its checked rows: matching, the record's content, the
#: figures, a refund, the findings (a civil-servant subsidy in a settlement)
_STORING = (ROW, "certno", "psn_name", "_record_no", "_date", "_kind", "_figures", "_figure",
            "_reverses", "_cvlserv_pay")


@dataclass
class _Ahead:
    """What the reading thread needs to match and split a batch ahead of its storing: the
    register read once (`_by_id_number`), the import's month and file, the database."""

    register: pl.DataFrame
    month: str
    file_pk: int
    sqlite: bool


def _checked(bureau: Bureau, df: pl.DataFrame, present: set[str], checks: list[_Check],
             first: dt.date, ahead: _Ahead | None = None) -> _Checked:
    """A batch's total rows set aside, its rows checked column by column and prepared
    (nothing here reads or writes the database); with `ahead`, matched to the register and
    split as they are stored, the blob of rows of people not registered made."""
    df = df.filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))
    totals = _is_total_row(df.with_columns(pl.col("certno") if "certno" in df.columns
                                           else pl.lit(None, dtype=pl.String).alias("certno")),
                           bureau)
    df = _prepare(df.filter(~totals), bureau, present, first)
    flags = df.select(ROW, *(c.bad.fill_null(False).alias(f"_bad{i}")
                             for i, c in enumerate(checks)))
    problems: dict[int, list[tuple[str, str, str]]] = {}
    for i, check in enumerate(checks):
        for number in flags.filter(pl.col(f"_bad{i}"))[ROW].to_list():
            problems.setdefault(number, []).append((check.field, check.code, check.reason))
    rejected: list[Rejection] = []
    height = df.height
    if problems:
        bad = df.filter(pl.col(ROW).is_in(list(problems)))
        rejected = [(row, problems[row[ROW]]) for row in bad.to_dicts()]
        df = df.filter(~pl.col(ROW).is_in(list(problems)))
    whole = _values(df, bureau)
    good = whole.select(c for c in whole.columns if c in _STORING or c.startswith("_f_"))
    parts = None
    if ahead is not None and not good.is_empty():
        matched, refused = _match(good, ahead.register)
        parts = _split(matched, refused, bureau, ahead.month, ahead.file_pk, ahead.sqlite,
                       blob=True)
    return _Checked(good, whole, rejected, height, int(totals.sum()), parts)


def read_ahead(produce: Callable[[], Generator[_T, None, None]], depth: int = 2
               ) -> Iterator[_T]:
    """The items of `produce()`, made by a thread of their own up to `depth` items ahead of
    the caller; an exception there is raised here, and leaving early stops it."""
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            with closing(produce()) as items:
                for item in items:
                    if not put(("item", item)):
                        return
            put(("done", None))
        except BaseException as exc:  # handed to the caller, raised there
            put(("error", exc))

    worker = threading.Thread(target=work, name="feed-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = ready.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()


def _batch(run: _Run, checked: _Checked) -> None:
    result = run.result
    run.batches += 1
    result.total_rows_skipped += checked.totals
    result.rows_total += checked.rows
    rejected = list(checked.rejected)
    with transaction(run.ctx.factory) as session:
        _checkpoints(session, bulk=True)
        refused = _store(session, run, checked.good, checked.parts)
        _update_file(session, run)
    if refused:  # the rows whole, for the error report
        whole = {r[ROW]: r for r in checked.whole.filter(pl.col(ROW).is_in(
            [row[ROW] for row, _ in refused])).to_dicts()}
        rejected += [({**whole[row[ROW]], **row}, found) for row, found in refused]
    fields = {run.header.named[n]: ("id_number" if n == "certno" else
                                    "name" if n == "psn_name" else n)
              for n in run.header.named}
    for row, found in sorted(rejected, key=lambda item: item[0][ROW]):
        result.rejected += 1
        original = {run.header.named[n]: row.get(n) for n in run.bureau.columns
                    if n in run.header.named}
        for name, code, reason in found:
            run.report.add(int(row[ROW]), run.header.named.get(name, LABELS.get(name, name)),
                           code, reason, masked_original(original, fields))


Rejection = tuple[dict[str, Any], list[tuple[str, str, str]]]
_STORED = ("bureau", "record_no", "month", "year", "event_date", "id_number", "household_id",
           "member_id", "category", "kind", "figures", "figure", "reverses", "reversed_by",
           "claim_id", "file_pk", "row_number")


def _content(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["certno"], row["_date"], orjson.loads(row["_figures"]), row["_reverses"],
            row["_kind"])


@dataclass
class _Parts:
    """A batch's rows matched to the register and split as they are stored."""

    df: pl.DataFrame  # the matched rows, those refused by the match taken out
    refused: list[Rejection]  # an ID number of several members, a name not the member's
    new: pl.DataFrame  # the registered people's rows as `feed_rows` takes them
    lean: pl.DataFrame  # the others' as their blob's columns
    refunds: pl.DataFrame
    findings: pl.DataFrame  # the rows that tell the verifier something
    blob: bytes | None = None  # `lean` as Parquet, when made ahead


def _match(df: pl.DataFrame, register: pl.DataFrame) -> tuple[pl.DataFrame, list[Rejection]]:
    """The rows joined with the members by ID number (`_by_id_number`), less those refused:
    an ID number registered for several members, a name that is not the member's."""
    df = df.join(register, on="certno", how="left", maintain_order="left")
    ambiguous = (pl.col("_members") > 1).fill_null(False)
    wrong_name = (pl.col("psn_name").is_not_null() & pl.col("_name").is_not_null()
                  & (pl.col("psn_name") != pl.col("_name")) & ~ambiguous)
    refused: list[Rejection] = []
    flags = df.select(ambiguous.alias("a"), wrong_name.fill_null(False).alias("w"))
    if flags["a"].any() or flags["w"].any():
        for row in df.filter(ambiguous).to_dicts():
            refused.append((row, [(
                "certno", "AMBIGUOUS_MEMBER",
                f"该身份证号登记在 {row['_members']} 个成员名下，无法确定家庭")]))
        for row in df.filter(wrong_name).to_dicts():
            refused.append((row, [("psn_name", "NAME_MISMATCH",
                                   "姓名与该身份证号登记的成员姓名不符")]))
        df = df.filter(~ambiguous & ~wrong_name)
    return df, refused


def _split(df: pl.DataFrame, refused: list[Rejection], bureau: Bureau, month: str,
           file_pk: int, sqlite: bool, blob: bool) -> _Parts:
    """Matched rows split into what is stored: registered rows (as SQLite stores them when
    `sqlite`), the blob's rows (encoded when `blob`), refunds, rows for findings."""
    refund = pl.col("_reverses").is_not_null()
    registered = pl.col("_household").is_not_null()
    if df["_reverses"].null_count() == df.height:
        refunds, rest = df.clear(), df
    else:
        refunds, rest = df.filter(refund), df.filter(~refund)
    new = rest.filter(registered).select(
        pl.lit(bureau.name).alias("bureau"), pl.col("_record_no").alias("record_no"),
        pl.lit(month).alias("month"), pl.col("_date").dt.year().alias("year"),
        pl.col("_date").alias("event_date"), pl.col("certno").alias("id_number"),
        pl.col("_household").alias("household_id"), pl.col("_member").alias("member_id"),
        pl.lit(bureau.category, dtype=pl.String).alias("category"),
        pl.col("_kind").alias("kind"), pl.col("_figures").alias("figures"),
        pl.col("_figure").alias("figure"), pl.lit(None, dtype=pl.String).alias("reverses"),
        pl.lit(None, dtype=pl.String).alias("reversed_by"),
        pl.lit(None, dtype=pl.String).alias("claim_id"),
        pl.lit(file_pk).alias("file_pk"), pl.col(ROW).cast(pl.Int64).alias("row_number"))
    if sqlite:
        new = _sqlite_values(new)
    lean = _lean(rest.filter(~registered), bureau)
    findings = rest.clear()
    if bureau.name == "civil-affairs" or (bureau.name == "medical" and new.height):
        findings = rest.filter(registered & (pl.col("_cvlserv_pay") > 0)
                               if bureau.name == "medical" else registered)
    return _Parts(df, refused, new, lean, refunds, findings,
                  strangers.encode(lean) if blob and not lean.is_empty() else None)


def _store(session: Session, run: _Run, df: pl.DataFrame, parts: _Parts | None = None
           ) -> list[Rejection]:
    """Match, deduplicate and store a batch's checked rows, as columns; refunds (few) after
    the others, row by row. `parts`: the batch matched and split already (by the reading
    thread, against the register read once), used as they are unless a record of the batch
    is stored already or doubled in it."""
    bureau, result, at = run.bureau, run.result, run.ctx.now()
    if df.is_empty():
        return []
    sqlite = session.get_bind().dialect.name == "sqlite"
    if parts is None:
        register = run.register if run.register is not None else _by_id_number(_members(
            session.execute(select(Member.id_number, Member.household_id, Member.member_id,
                                   Member.name)
                            .where(among(session, Member.id_number,
                                         df["certno"].unique().to_list(), texts=True)))))
        df, refused = _match(df, register)
    else:
        df, refused = parts.df, parts.refused
    rejected: list[Rejection] = list(refused)
    numbers = df["_record_no"]
    stored = {r.record_no: (r.id_number, r.event_date, r.figures, r.reverses, r.kind)
              for r in session.execute(
                  select(FeedRow.record_no, FeedRow.id_number, FeedRow.event_date,
                         FeedRow.figures, FeedRow.reverses, FeedRow.kind)
                  .where(FeedRow.bureau == bureau.name,
                         among(session, FeedRow.record_no, numbers.unique().to_list(),
                               texts=True)))
              } if _maybe_stored(session, bureau.name, numbers) else {}
    for r in strangers.find(session, bureau.name, numbers, [
            "id_number", "event_date", "figures", "reverses", "kind"]).iter_rows(named=True):
        stored.setdefault(r["record_no"], (r["id_number"], r["event_date"],
                                           strangers.figure_texts(r["figures"]),
                                           r["reverses"],
                                           r["kind"]))
    again = pl.col("_record_no").is_in(list(stored)) | ~pl.col("_record_no").is_first_distinct()
    if stored or numbers.n_unique() < df.height:
        firsts = {r["_record_no"]: _content(r) for r in
                  df.filter(pl.col("_record_no").is_first_distinct()).to_dicts()}
        for row in df.filter(again).to_dicts():
            same = stored.get(row["_record_no"]) or firsts[row["_record_no"]]
            if same == _content(row):
                result.unchanged += 1
            else:
                label = LABELS.get(bureau.record or "", "该记录")
                rejected.append((row, [(bureau.record or "certno", "DUPLICATE_RECORD",
                                        f"{label} 已导入且内容不同：更正请以退费加重新结算的方式"
                                        "报送")]))
        df = df.filter(~again)
        parts = None
    if parts is None:
        parts = _split(df, [], bureau, run.month, run.file_pk, sqlite, blob=False)
    new, lean, refunds = parts.new, parts.lean, parts.refunds
    insert_frame(session, FeedRow, new)
    matched = new.height
    result.accepted += new.height + lean.height
    result.matched += matched
    result.unmatched += lean.height
    findings: list[dict[str, Any]] = []
    for row in parts.findings.to_dicts():
        findings += _findings(bureau, row)
    changes: list[dict[str, Any]] = []
    lean_refunds: list[dict[str, Any]] = []
    blob = parts.blob
    if not refunds.is_empty():
        rejected += _reverse(session, run, refunds.to_dicts(), changes, lean, lean_refunds)
    if lean_refunds:
        lean = pl.concat([lean, _lean(refunds.filter(pl.col("_record_no").is_in(
            [r["_record_no"] for r in lean_refunds])), bureau)])
        blob = None
    if not lean.is_empty():
        run.blobs += 1
        strangers.store(session, bureau.name, run.month, run.file_pk, run.blobs, lean, blob)
    _store_findings(session, run.file_pk, findings)
    if new.height or lean.height or changes:
        append_events(session, run.ctx.user_id, at, [PendingEvent(
            "feed.rows", "feed_file", str(run.file_pk),
            {"bureau": bureau.name, "month": run.month, "stored": new.height + lean.height,
             "matched": matched, "reversals": changes})])
    return rejected


#: a register of at most this many members is read once for the whole import and matched
#: in memory (some 100 MB at most); a larger one is looked up batch by batch. Either way a
#: person registered while the file is imported is matched by the next screening.
REGISTER_IN_MEMORY = 1_000_000


def _members(found: Any) -> pl.DataFrame:
    return pl.DataFrame([tuple(r) for r in found], schema={
        "certno": pl.String, "_household": pl.String, "_member": pl.String,
        "_name": pl.String}, orient="row")


def _by_id_number(register: pl.DataFrame) -> pl.DataFrame:
    """The members by ID number: how many have it, and the first one's household, member
    and name."""
    return (register.group_by("certno", maintain_order=True)
            .agg(pl.len().alias("_members"), pl.col("_household").first(),
                 pl.col("_member").first(), pl.col("_name").first()))


def _lean(df: pl.DataFrame, bureau: Bureau) -> pl.DataFrame:
    """Rows of people not registered as their blob's columns (`strangers.SCHEMA`)."""
    return df.select(
        pl.col("_record_no").alias("record_no"), pl.col(ROW).cast(pl.Int64).alias("row_number"),
        pl.col("_date").alias("event_date"), pl.col("certno").alias("id_number"),
        pl.lit(bureau.category, dtype=pl.String).alias("category"),
        pl.col("_kind").alias("kind"),
        pl.struct(*(strangers.fen(pl.col(c)).alias(c[3:]) for c in df.columns
                    if c.startswith("_f_"))).alias("figures"),
        pl.when(pl.col("_reverses").is_null()).then(strangers.fen(pl.col("_figure")))
        .otherwise(0).alias("figure"),
        pl.col("_reverses").alias("reverses"))


def _maybe_stored(session: Session, bureau: str, numbers: pl.Series) -> bool:
    """Whether a registered person's record of the batch may be stored already (the rows of
    people not registered are looked up in their blobs: `strangers.find`). On SQLite, one
    index seek first: is any record stored between the batch's least and greatest record number
    (text compared byte by byte, as SQLite and polars both do)? A month's new settlements
    (numbered in sequence by the platform) usually are not, and then their 50,000 numbers
    need not be looked up one by one; a re-import, or numbers in no order, are."""
    if numbers.is_empty() or session.get_bind().dialect.name != "sqlite":
        return True
    low, high = numbers.min(), numbers.max()
    return session.scalar(select(FeedRow.pk).where(
        FeedRow.bureau == bureau, FeedRow.record_no >= low, FeedRow.record_no <= high)
        .limit(1)) is not None


def insert_frame(session: Session, model: type[Any], frame: pl.DataFrame) -> None:
    """Insert a frame's rows (columns named as the table's; JSON columns already JSON text),
    with no Python work per value: PostgreSQL's COPY of the frame written as CSV by polars;
    SQLite, one executemany of the frame's rows, amounts turned into integer fen and dates
    into ISO text by polars (as the column types store them)."""
    if frame.is_empty():
        return
    table = model.__table__
    connection = session.connection()
    names = frame.columns
    if connection.dialect.name == "postgresql":
        preparer = connection.dialect.identifier_preparer
        statement = (f"COPY {preparer.format_table(table)} "
                     f"({', '.join(preparer.quote(n) for n in names)}) "
                     "FROM STDIN (FORMAT csv)")
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            # an unquoted empty field is NULL in PostgreSQL's CSV: polars writes nulls so
            # and quotes every non-null text, so an empty text stays empty
            copy.write(frame.write_csv(include_header=False, quote_style="non_numeric")
                       .encode("utf-8"))
        return
    frame = _sqlite_values(frame)
    columns = ", ".join(f'"{n}"' for n in names)
    # the columns as lists, zipped into rows as sqlite3 inserts them: half the work of
    # building every row's tuple first
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(
            f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})',
            zip(*(frame[name].to_list() for name in names), strict=True))
    finally:
        cursor.close()


def _register(run: _Run) -> _Ahead | None:
    """The register read once for the import when it has at most `REGISTER_IN_MEMORY`
    members (then batches are matched ahead, in the reading thread), else None."""
    with run.ctx.factory() as session:
        if (session.scalar(select(func.count()).select_from(Member)) or 0) > REGISTER_IN_MEMORY:
            return None
        run.register = _by_id_number(_members(session.execute(
            select(Member.id_number, Member.household_id, Member.member_id, Member.name))))
        sqlite = session.get_bind().dialect.name == "sqlite"
    return _Ahead(run.register, run.month, run.file_pk, sqlite)


def _sqlite_values(frame: pl.DataFrame) -> pl.DataFrame:
    """A frame's values as SQLite stores them: amounts in integer fen, dates as ISO text (a
    frame already so is left as it is)."""
    money = [n for n, dtype in frame.schema.items() if isinstance(dtype, pl.Decimal)]
    if not money and pl.Date not in frame.schema.dtypes():
        return frame
    return frame.with_columns(
        pl.col(pl.Date).cast(pl.String),
        *((pl.col(n).cast(pl.Decimal(20, 2)) * 100).cast(pl.Int64) for n in money))


def _findings(bureau: Bureau, row: dict[str, Any]) -> list[dict[str, Any]]:
    """What a feed row tells the verifier (信息比对): civil-affairs assistance (transfer
    income), and a civil-servant subsidy in a settlement (the person is a public servant)."""
    found: list[dict[str, Any]] = []
    figures = orjson.loads(row["_figures"])
    if bureau.name == "civil-affairs":
        found.append({"source": "civil_affairs", "item": "CIVIL_ASSISTANCE",
                      "detail": f"民政{row['_kind']} {figures['amount']}元"
                                f"（{row['_date']}，转移性收入）"})
    elif bureau.name == "medical" and row.get("_cvlserv_pay") and row["_cvlserv_pay"] > 0:
        found.append({"source": "medical_insurance", "item": "PUBLIC_SERVANT",
                      "detail": f"医保结算 {row['_record_no']} 含公务员医疗补助资金支出"})
    for item in found:
        item.update(household_id=row["_household"], found=True, reported_on=row["_date"],
                    row_key=hashlib.sha256(f"feed\x1f{bureau.name}\x1f{row['_record_no']}"
                                           f"\x1f{item['item']}".encode()).hexdigest())
    return found


def _store_findings(session: Session, file_pk: int, findings: list[dict[str, Any]]) -> None:
    if not findings:
        return
    have = set(session.scalars(select(Finding.row_key).where(
        among(session, Finding.row_key, [f["row_key"] for f in findings]))))
    insert_rows(session, Finding, [{**f, "detail": f["detail"][:200],
                                    "import_batch_id": None}
                                   for f in findings if f["row_key"] not in have])


def _reverse(session: Session, run: _Run, refunds: list[dict[str, Any]],
             changes: list[dict[str, Any]], lean: pl.DataFrame,
             lean_refunds: list[dict[str, Any]]) -> list[Rejection]:
    """Store each refund and reverse the settlement it names: a registered member's
    settlement in `feed_rows` (the refund stored beside it), else a stranger's, in this
    batch's rows of people not registered (`lean`) or in the stored blobs: marked reversed
    (`strangers.mark_reversed`), the refund added to `lean_refunds`, stored in this batch's
    blob."""
    rejected: list[Rejection] = []
    if not refunds:
        return rejected
    named = unique(r["_reverses"] for r in refunds)
    originals: dict[str, FeedRow | strangers.Stored] = {
        r.record_no: r for r in session.execute(
            select(FeedRow).where(FeedRow.bureau == run.bureau.name,
                                  among(session, FeedRow.record_no, named))).scalars()}
    rest = [n for n in named if n not in originals]
    if rest:
        originals.update(strangers.for_refunds(session, run.bureau.name, rest))
        originals.update((r["record_no"], strangers.Stored(r["record_no"], r["id_number"],
                                                           None, None, run.month))
                         for r in lean.filter(pl.col("record_no").is_in(rest))
                         .iter_rows(named=True))
    stored: list[dict[str, Any]] = []
    marks: list[tuple[str, str, str]] = []
    batch_refunds = {r["_record_no"]: r["_reverses"] for r in refunds}
    for row in refunds:
        original = originals.get(row["_reverses"])
        refunded = (original.reverses if original is not None
                    else batch_refunds.get(row["_reverses"]))
        if refunded is not None:
            rejected.append((row, [("init_setl_id", "ORIGINAL_NOT_FOUND",
                                    f"退费所指的 {row['_reverses']} 本身是退费记录（冲销 "
                                    f"{refunded}），不是结算：原结算ID应填被退费的结算")]))
            continue
        if original is None:
            rejected.append((row, [("init_setl_id", "ORIGINAL_NOT_FOUND",
                                    "退费所指的原结算ID未曾导入：请先导入原结算")]))
            continue
        if original.reversed_by is not None:
            rejected.append((row, [("init_setl_id", "ALREADY_REVERSED",
                                    f"原结算已被退费记录 {original.reversed_by} 冲销")]))
            continue
        if original.id_number != row["certno"]:
            rejected.append((row, [("certno", "MEMBER_MISMATCH",
                                    "退费记录的身份证号与原结算不符")]))
            continue
        original.reversed_by = row["_record_no"]
        if isinstance(original, strangers.Stored):
            marks.append((original.record_no, original.month, row["_record_no"]))
            lean_refunds.append(row)
        else:
            stored.append({"bureau": run.bureau.name, "record_no": row["_record_no"],
                           "month": run.month, "event_date": row["_date"],
                           "id_number": row["certno"], "category": run.bureau.category,
                           "kind": row["_kind"], "figures": orjson.loads(row["_figures"]),
                           "figure": ZERO, "reverses": row["_reverses"], "reversed_by": None,
                           "file_pk": run.file_pk, "row_number": int(row[ROW]),
                           "year": row["_date"].year, "household_id": original.household_id,
                           "member_id": original.member_id, "claim_id": None})
        run.result.reversed += 1
        run.result.accepted += 1
        claim_id = getattr(original, "claim_id", None)
        change = {"reversed": original.record_no, "by": row["_record_no"], "claim": claim_id}
        if isinstance(original, FeedRow) and original.claim_id is not None:
            change["claim_effect"] = redecision.settlement_reversed(
                session, run.ctx, original.claim_id, original)
        changes.append(change)
    insert_rows(session, FeedRow, stored)
    strangers.mark_reversed(session, run.bureau.name, marks)
    session.flush()
    return rejected
