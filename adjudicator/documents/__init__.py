"""Printed documents: village notices, denial letters, decision records, summary reports.

Storage-independent: every document is made from a plain, immutable model of
:mod:`adjudicator.documents.models` and returned as bytes (PDF, or XLSX for the summary's
workbook). Nothing here reads a database, a network or any file outside the package.

Public API (the rendering functions are imported lazily, so that importing the models does
not load WeasyPrint and matplotlib)::

    render_notice(VillageNotice) -> bytes                 # 公示
    render_denial_letter(DenialLetter) -> bytes           # 不予救助告知书
    render_decision_record(DecisionRecord) -> bytes       # 理算单
    render_summary_report(SummaryReport) -> bytes         # 年度/批次工作总结 (PDF)
    summary_report_xlsx(SummaryReport) -> bytes           # the same figures as XLSX
    render_notices(list[VillageNotice]) -> list[bytes]    # batches, on every core
    render_denial_letters(...), render_decision_records(...), make_executor(workers)

See docs/documents.md for the contents, the font requirement and safety (docs/scale.md: speed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from adjudicator.documents.fonts import MissingCJKFontError
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
from adjudicator.documents.reasons import describe_reason, describe_reasons

if TYPE_CHECKING:
    from adjudicator.documents.batch import (
        make_executor,
        render_decision_records,
        render_denial_letters,
        render_notices,
    )
    from adjudicator.documents.render import (
        render_decision_record,
        render_denial_letter,
        render_notice,
        render_summary_report,
    )
    from adjudicator.documents.xlsx import summary_report_xlsx

_LAZY: dict[str, str] = {
    "render_notice": "adjudicator.documents.render",
    "render_denial_letter": "adjudicator.documents.render",
    "render_decision_record": "adjudicator.documents.render",
    "render_summary_report": "adjudicator.documents.render",
    "render_notices": "adjudicator.documents.batch",
    "render_denial_letters": "adjudicator.documents.batch",
    "render_decision_records": "adjudicator.documents.batch",
    "make_executor": "adjudicator.documents.batch",
    "summary_report_xlsx": "adjudicator.documents.xlsx",
}

__all__ = [
    "BandSlice",
    "ClaimCategoryRow",
    "Counts",
    "DecisionRecord",
    "DenialLetter",
    "HouseholdCategoryRow",
    "IncomeFigures",
    "MissingCJKFontError",
    "NoticeRow",
    "ReviewInstructions",
    "SummaryReport",
    "TownshipRow",
    "VillageNotice",
    "describe_reason",
    "describe_reasons",
    "make_executor",
    "render_decision_record",
    "render_decision_records",
    "render_denial_letter",
    "render_denial_letters",
    "render_notice",
    "render_notices",
    "render_summary_report",
    "summary_report_xlsx",
]


def __getattr__(name: str) -> Any:
    """Import a rendering function on first use (PEP 562)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
