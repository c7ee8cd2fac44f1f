"""A service's refusal is read by a county officer or the insurer's staff: the command line
shows it wholly in Chinese (English under `--lang en`), the web app gives it as its Chinese
`detail`. Every refusal is a `Message` of the catalogue, whose English is what str() of the
refusal was before (the web app's rules and the logs match it). Rich wraps long lines anywhere
inside Chinese text, so the output is compared with its whitespace removed."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from adjudicator.messages import Message, Refused
from adjudicator.storage.context import Context
from tests.seed import load_demo_tariff
from tests.test_audit import decided
from tests.test_verification_cli import run

ROOT = Path(__file__).resolve().parent.parent / "adjudicator"

def _flat(text: str) -> str:
    return "".join(text.split())


def _raised_refusals() -> list[tuple[str, int, str, ast.expr | None]]:
    """(file, line, class, first argument) of every `raise XxxRefused(...)` in adjudicator/,
    and of every `return XxxRefused(...)` (a refusal built to be raised by the caller)."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = node.exc if isinstance(node, ast.Raise) else (
                node.value if isinstance(node, ast.Return) else None)
            if not isinstance(value, ast.Call):
                continue
            func = value.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            if name.endswith("Refused"):
                first = value.args[0] if value.args else None
                found.append((str(path.relative_to(ROOT.parent)), node.lineno, name, first))
    return found


def _is_message(node: ast.expr | None) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "Message")


def test_every_refusal_is_a_message_of_the_catalogue() -> None:
    """`notice object NOPE` said 没有这个案件（no claim NOPE）: services refused in English only
    (`raise NoticeRefused(f"no claim {claim_id}")`) and the command line could only add the
    English after a short Chinese headline. Every refusal raised in adjudicator/ passes a
    `Message(...)`, so one worded in a single language cannot come back."""
    found = _raised_refusals()
    assert len(found) > 60  # the walk sees the services' refusals
    plain = [f"{file}:{line} {name}" for file, line, name, first in found
             if not _is_message(first)]
    assert plain == []


def test_every_refusal_class_is_a_localized_refusal() -> None:
    """The refusal classes were bare ValueErrors, so neither door could word them in the
    person's language; each is now a `Refused` (still a ValueError, str() the English)."""
    from adjudicator.feeds.importer import FeedRefused
    from adjudicator.feeds.triage import TriageRefused
    from adjudicator.fund.ledger import FundRefused
    from adjudicator.services.audit import AuditRefused
    from adjudicator.services.calendar import CalendarRefused
    from adjudicator.services.integrity import RecordRefused
    from adjudicator.services.notices import NoticeRefused
    from adjudicator.services.review import ReviewRefused
    from adjudicator.services.verification import VerificationRefused

    for cls in (FeedRefused, TriageRefused, FundRefused, AuditRefused, CalendarRefused,
                RecordRefused, NoticeRefused, ReviewRefused, VerificationRefused):
        assert issubclass(cls, Refused) and issubclass(cls, ValueError), cls


def test_a_refusal_keeps_its_english_and_has_chinese() -> None:
    """str() of a refusal stays the English the web app's rules match; `.localized("zh")`
    is the Chinese, with the claim's status worded from the vocabulary, not its code."""
    from adjudicator.services.review import ReviewRefused
    from schemas.vocabulary import CLAIM_STATUSES

    exc = ReviewRefused(Message("review.not_pended", claim="K1",
                                status=CLAIM_STATUSES["paid"], status_code="paid"))
    assert str(exc) == "claim K1 is paid, not pended"
    assert exc.localized("zh") == "案件 K1 当前状态为已兑现，不在待审核状态"


@pytest.fixture
def county(admin_ctx: Context) -> Context:
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1", verifier="v1")
    return admin_ctx


#: (user, command, the Chinese it says, the English it says under --lang en)
REFUSALS = [
    ("off", ["review", "approve", "NOPE", "--reason", "同意"], "没有案件NOPE", "no claim NOPE"),
    ("off", ["notice", "object", "NOPE", "--reason", "村民反映"], "没有案件NOPE",
     "no claim NOPE"),
    ("off", ["notice", "close", "GS-NOPE"], "没有公示GS-NOPE", "no notice GS-NOPE"),
    ("sup", ["audit", "settle", "999", "--how", "repaid", "--ref", "B1"], "没有调整999",
     "no adjustment 999"),
    ("aud", ["audit", "report", "--sample", "999"], "没有第999号样本", "no sample 999"),
    ("v2", ["verify", "template", "K1"], "案件K1没有分派给v2", "claim K1 is not assigned to v2"),
]


@pytest.mark.parametrize(("user", "args", "zh", "en"), REFUSALS,
                         ids=[" ".join(r[1][:2]) for r in REFUSALS])
def test_the_command_line_refuses_in_chinese_then_english(
        county: Context, user: str, args: list[str], zh: str, en: str) -> None:
    """`review approve NOPE` said 错误：没有这个案件（no claim NOPE）: the web app's short
    Chinese words with the service's English after them. The whole refusal is Chinese now,
    and wholly English under --lang en."""
    said = run(county, user, *args)
    assert said.exit_code == 1, said.output
    flat = _flat(said.stderr)
    assert flat == "错误：" + zh, said.stderr
    english = run(county, user, "--lang", "en", *args)
    assert english.exit_code == 1, english.output
    assert english.stderr.strip() == "error: " + en


def test_a_claims_status_is_worded_in_the_refusal(county: Context) -> None:
    """`review approve K1` on an approved claim said 错误：该案件不在待审核状态（可能已被处理）
    （claim K1 is approved, not pended）: the status was the English code."""
    said = run(county, "off", "review", "approve", "K1", "--reason", "同意")
    assert said.exit_code == 1, said.output
    assert _flat(said.stderr) == "错误：案件K1当前状态为拟救助，不在待审核状态"
    english = run(county, "off", "--lang", "en", "review", "approve", "K1", "--reason", "同意")
    assert english.stderr.strip() == "error: claim K1 is approved, not pended"


def test_the_web_app_gives_the_chinese_reason_as_detail() -> None:
    """The web app's `detail` (详情 on the page, `detail` in the API's JSON) was the service's
    English; it is the Chinese, with the same status and code as before."""
    from adjudicator.services.notices import NoticeRefused
    from adjudicator.web.errors import refusal

    answer = refusal(NoticeRefused(Message("notice.no_claim", claim="NOPE")))
    assert (answer.status, answer.code, answer.message) == (404, "not_found", "没有这个案件。")
    assert answer.detail == "没有案件 NOPE"


def test_a_move_the_workflow_refuses_is_worded_in_both_languages() -> None:
    """The workflow refused a move in English only (`claim K1 is approved: it cannot move to
    paid …`), which the command line showed after 该案件当前的状态不允许这项操作; it names
    the statuses in Chinese now, and its English is unchanged."""
    from adjudicator.workflow import IllegalTransition, check_transition

    with pytest.raises(IllegalTransition) as refused:
        check_transition("K1", "approved", "paid")
    assert str(refused.value) == ("claim K1 is approved: it cannot move to paid (allowed from "
                                  "approved: in_notice)")
    assert refused.value.localized("zh") == ("案件 K1 当前状态为拟救助，不能转为已兑现"
                                             "（拟救助可转为：公示中）")
    assert isinstance(refused.value, ValueError)


def test_no_tariff_for_a_claim_is_worded_in_both_languages() -> None:
    """A verification of a claim no tariff covers was refused with the tariff book's English
    only (no stored tariff covers region …)."""
    import datetime as dt

    from adjudicator.services.tariffs import TariffBook, TariffChoiceError

    book = TariffBook(by_pk={}, active=set())
    with pytest.raises(TariffChoiceError) as refused:
        book.choose("440101001001", dt.date(2026, 3, 1))
    assert str(refused.value).startswith("no stored tariff covers region 440101001001 on "
                                         "2026-03-01")
    assert refused.value.localized("zh").startswith("没有已加载的保障方案适用于区划 440101001001")


def test_a_feed_import_refused_is_worded_in_both_languages(county: Context,
                                                          tmp_path: Path) -> None:
    """A department's file refused as a whole (its month, its type, its header) was worded in
    Chinese only (`raise FeedRefused(f"…")`), so `--lang en` still printed Chinese. Each is a
    catalogue message now: the same Chinese by default, English under --lang en."""
    from tests.test_feeds import MEDICAL_HEADER, medical_row, write_csv

    good = write_csv(tmp_path / "med.csv", [medical_row("S1", 1)])
    said = run(county, "sup", "feed", "import", "medical", str(good), "--month", "2026-3")
    assert said.exit_code == 1, said.output
    assert _flat(said.stderr) == "错误：月份'2026-3'格式不对：应为YYYY-MM，例如2026-03"
    english = run(county, "sup", "--lang", "en", "feed", "import", "medical", str(good),
                  "--month", "2026-3")
    assert english.exit_code == 1, english.output
    assert english.stderr.strip() == "error: month '2026-3' is not YYYY-MM, e.g. 2026-03"

    jsonl = tmp_path / "med.jsonl"
    jsonl.write_text("{}\n", encoding="utf-8")
    said = run(county, "sup", "feed", "import", "medical", str(jsonl), "--month", "2026-03")
    assert said.exit_code == 1, said.output
    assert _flat(said.stderr) == "错误：med.jsonl:部门数据应为CSV或XLSX文件"
    english = run(county, "sup", "--lang", "en", "feed", "import", "medical", str(jsonl),
                  "--month", "2026-03")
    assert english.stderr.strip() == ("error: med.jsonl: a department's data is a CSV or "
                                      "XLSX file")

    header = [h for h in MEDICAL_HEADER if h != "结算时间"]
    row = medical_row("S1", 1)
    bad = write_csv(tmp_path / "bad.csv", [row[:3] + row[4:]], header=header, title=None)
    report = f"{bad}.errors.csv"
    said = run(county, "sup", "feed", "import", "medical", str(bad), "--month", "2026-03")
    assert said.exit_code == 1, said.output
    assert _flat(said.stderr) == _flat(f"错误：bad.csv 第 1 行：缺少必需的列：结算时间"
                                       f"（setl_time）；未导入任何数据，见错误报告 {report}")
    english = run(county, "sup", "--lang", "en", "feed", "import", "medical", str(bad),
                  "--month", "2026-03")
    assert english.stderr.strip() == (f"error: bad.csv row 1: a required column is missing: "
                                      f"setl_time (结算时间): nothing imported; see the error "
                                      f"report {report}")


def test_a_feed_refusal_keeps_its_chinese_and_has_english(county: Context,
                                                         tmp_path: Path) -> None:
    """The service's refusal: str() the English (logs, developers), `.localized("zh")` the
    Chinese it said before, word for word."""
    from adjudicator.feeds.importer import FeedRefused, import_feed

    with pytest.raises(FeedRefused) as refused:
        import_feed(county.as_user("sup"), "police", tmp_path / "x.csv", "2026-03")
    assert str(refused.value) == ("unknown bureau 'police': one of medical, disaster, "
                                  "education, civil-affairs")
    assert refused.value.localized("zh") == ("未知的部门 'police'：应为 medical、disaster、"
                                             "education、civil-affairs 之一")
