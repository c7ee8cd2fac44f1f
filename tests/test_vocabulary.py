"""One vocabulary of words: every code a person reads has its Chinese and English text, once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pytest

from adjudicator.roles import Role
from adjudicator.rules import reasons
from adjudicator.workflow import ClaimStatus
from schemas import vocabulary as v
from schemas.imports import Relation
from schemas.types import (
    Cause,
    ClaimCategory,
    ClaimSource,
    CostKind,
    CrossCheckSource,
    EducationStage,
    HouseholdCategory,
    IncomeKind,
    Outcome,
    Shape,
)

ROOT = Path(__file__).resolve().parent.parent

TABLES: list[tuple[type[StrEnum], dict[str, v.Words]]] = [
    (HouseholdCategory, v.HOUSEHOLD_CATEGORIES), (ClaimCategory, v.CLAIM_CATEGORIES),
    (Shape, v.SHAPES), (Cause, v.CAUSES), (ClaimSource, v.CLAIM_SOURCES),
    (CrossCheckSource, v.CROSS_CHECK_SOURCES), (EducationStage, v.EDUCATION_STAGES),
    (IncomeKind, v.INCOME_KINDS), (CostKind, v.COST_KINDS), (Outcome, v.OUTCOMES),
    (Relation, v.RELATIONS), (ClaimStatus, v.CLAIM_STATUSES), (Role, v.ROLES),
]


def _worded(words: v.Words) -> bool:
    return bool(words.zh.strip()) and bool(words.en.strip()) and not words.zh.isascii() \
        and words.en.isascii()


@pytest.mark.parametrize(("enum", "table"), TABLES, ids=[e.__name__ for e, _ in TABLES])
def test_every_value_a_person_sees_has_chinese_and_english_words(
        enum: type[StrEnum], table: dict[str, v.Words]) -> None:
    assert set(table) == {member.value for member in enum}
    for code, words in table.items():
        assert _worded(words), code


def test_every_reason_code_and_negative_item_is_worded_in_both_languages() -> None:
    codes = {value for name, value in vars(reasons).items()
             if name.isupper() and isinstance(value, str) and name != "NEG_PREFIX"}
    codes |= {v.NEG_PREFIX + item for item in v.NEGATIVE_ITEMS}
    assert codes <= set(v.REASONS)
    for code in codes:
        assert _worded(v.REASONS[code]), code
        assert reasons.reason_text(code) == v.REASONS[code].zh
        assert reasons.reason_text(code, "en") == v.REASONS[code].en
    for item, entry in v.NEGATIVE_ITEMS.items():
        assert _worded(entry.label) and _worded(entry.short) and _worded(entry.reason), item


def test_the_pages_and_the_letters_word_a_reason_alike() -> None:
    """The web pages, the API and explain used to show shorter sentences than the letters."""
    from adjudicator.documents import describe_reason

    for code in v.REASONS:
        assert reasons.reason_text(code) == describe_reason(code)
        assert reasons.reason_text(code, "en") == describe_reason(code, lang="en")
    assert describe_reason("NEG_OWN_BOAT", {"OWN_BOAT": "自有渔船"}) \
        == reasons.reason_text("NEG_OWN_BOAT", "zh", {"OWN_BOAT": "自有渔船"}) \
        == "家庭存在本地负面清单所列情形：自有渔船。"


def test_the_outcome_reads_the_same_in_explain_the_web_and_the_documents() -> None:
    """The web pages and explain said 批准 where the documents say 给予救助."""
    from adjudicator.documents.models import OUTCOME_LABELS as DOCUMENTS
    from adjudicator.messages import ROLE_ZH
    from adjudicator.web.labels import OUTCOME_LABELS as WEB
    from adjudicator.web.labels import ROLE_LABELS

    assert DOCUMENTS == WEB == {"approved": "给予救助", "denied": "不予救助",
                                "pended": "待人工审核"}
    assert ROLE_ZH == ROLE_LABELS


@pytest.mark.parametrize("label", [
    "给予救助", "儿媳或女婿", "医保部门推送", "财政供养人员信息", "财政供养/公职人员",
    "已核查待理算", "灾害损失类", "申请救助的人员不是您家登记的家庭成员。",
    "家庭在城镇购买商品房", "户籍所在地", "公示期满待兑现", "缺口由保险公司承担",
    "出生日期不存在",
])
def test_a_label_is_written_in_one_module_only(label: str) -> None:
    holders = [path.relative_to(ROOT).as_posix()
               for folder in ("adjudicator", "cli", "schemas")
               for path in sorted((ROOT / folder).rglob("*"))
               if path.suffix in {".py", ".html"} and label in path.read_text(encoding="utf-8")]
    assert holders == ["schemas/vocabulary.py"]


@pytest.mark.parametrize(("typed", "answer"), [
    ("对", True), ("是", True), ("有", True), ("YES", True), ("1", True),
    ("没有", False), ("不是", False), ("否", False), ("无", False), ("no", False),
])
def test_the_verifiers_prompt_takes_the_services_yes_and_no_words(
        monkeypatch: pytest.MonkeyPatch, typed: str, answer: bool) -> None:
    from cli import verify_cmd

    monkeypatch.setattr(verify_cmd.typer, "prompt", lambda *a, **k: typed)
    assert verify_cmd._ask_yes_no("家庭拥有消费型车辆", None) is answer
    assert v.parse_yes_no(typed) is answer


def test_the_prompt_and_the_service_share_one_set_of_yes_no_words() -> None:
    from adjudicator.services import verification

    for word in v.YES_WORDS:
        assert verification._answer(word) is True
    for word in v.NO_WORDS:
        assert verification._answer(word) is False
    assert v.parse_yes_no("也许") is None
    assert v.parse_yes_no("  ") is None


@pytest.mark.parametrize(("typed", "answer"), [("对", True), ("没有", False), ("不是", False),
                                               ("发现", True), ("×", False)])
def test_an_import_takes_the_same_yes_and_no_words(typed: str, answer: bool) -> None:
    from schemas.imports import parse_answer

    assert parse_answer(typed) is answer


def test_explain_and_the_decision_record_word_a_rules_result_alike() -> None:
    """explain said 通过/未通过/待审/记录 where the decision record says 符合/不符合/转人工/测算."""
    from adjudicator.documents.trace_labels import result_label
    from adjudicator.explain import explain_decision

    step = {"rule": "identity.member", "result": "fail", "values": {"member_id": "M-2"}}
    decision = {"claim_id": "C-1", "category": "medical", "outcome": "denied",
                "payout": "0.00", "reasons": ["MEMBER_NOT_IN_HOUSEHOLD"], "trace": [step]}
    lines = explain_decision(decision)
    assert lines[-1] == f" 1. [{result_label('fail')}] 申请人 M-2 不是本户成员。"
    assert lines[-1] == " 1. [不符合] 申请人 M-2 不是本户成员。"
    assert lines[1] == "  - 申请救助的人员不是您家登记的家庭成员。 [MEMBER_NOT_IN_HOUSEHOLD]"


@pytest.mark.parametrize(("id_number", "problem"), [
    ("11010119900307", "length"), ("11010119900307001Y", "characters"),
    ("110101199002300012", "birth_date"), ("110101199003070010", "check_digit"),
])
def test_every_id_number_problem_is_worded_where_explain_reads_it(id_number: str,
                                                                  problem: str) -> None:
    """explain wrote the Chinese of the four problems itself and the English code bare."""
    from adjudicator.explain import explain_decision
    from adjudicator.rules.idnumber import id_number_problem

    assert id_number_problem(id_number) == problem
    assert set(v.ID_NUMBER_PROBLEMS) == {"length", "characters", "birth_date", "check_digit"}
    assert _worded(v.ID_NUMBER_PROBLEMS[problem])
    step = {"rule": "identity.id_number", "result": "fail", "values": {"problem": problem}}
    decision = {"claim_id": "C-1", "category": "medical", "outcome": "denied",
                "payout": "0.00", "reasons": ["INVALID_ID_NUMBER"], "trace": [step]}
    assert explain_decision(decision)[-1].endswith(
        f"申请人身份证号码无效（{v.ID_NUMBER_PROBLEMS[problem].zh}）。")
    assert explain_decision(decision, lang="en")[-1].endswith(
        f"({v.ID_NUMBER_PROBLEMS[problem].en}).")


def test_the_codes_of_notices_evidence_feeds_and_the_fund_are_worded_once() -> None:
    """Notice statuses, evidence kinds, push-list statuses, the fund's stages and the contract's
    settlement rules were worded where each page, statement or command showed them."""
    import typing

    from adjudicator.feeds import screen
    from adjudicator.fund.contract import SettlementRule
    from adjudicator.fund.statement import SHORTFALL_LABELS, STATUS_LABELS, SURPLUS_LABELS
    from adjudicator.services.verification import EVIDENCE_KINDS
    from adjudicator.web.labels import EVIDENCE_KIND_LABELS, NOTICE_STATUS_LABELS
    from cli import feed_cmd

    hints = typing.get_type_hints(SettlementRule)
    assert set(v.SURPLUS_RULES) == set(typing.get_args(hints["surplus"]))
    assert set(v.SHORTFALL_RULES) == set(typing.get_args(hints["shortfall"]))
    assert set(v.EVIDENCE_KINDS) == set(EVIDENCE_KINDS)
    assert set(v.PUSH_STATUSES) == {screen.PUSHED, screen.SCREENED_OUT, screen.KEPT,
                                    screen.REMOVED}
    assert set(v.NOTICE_STATUSES) == {"open", "closed"}
    for table in (v.SURPLUS_RULES, v.SHORTFALL_RULES, v.EVIDENCE_KINDS, v.PUSH_STATUSES,
                  v.NOTICE_STATUSES, v.FUND_STAGES):
        assert all(_worded(words) for words in table.values())
    assert v.zh_table(v.SURPLUS_RULES) == SURPLUS_LABELS
    assert v.zh_table(v.SHORTFALL_RULES) == SHORTFALL_LABELS
    assert v.zh_table(v.FUND_STAGES).items() <= STATUS_LABELS.items()
    assert v.zh_table(v.EVIDENCE_KINDS) == EVIDENCE_KIND_LABELS
    assert v.zh_table(v.NOTICE_STATUSES) == NOTICE_STATUS_LABELS
    assert feed_cmd.PUSH_STATUSES is v.PUSH_STATUSES  # the push list words its statuses


def test_every_reason_the_screening_gives_is_worded_once() -> None:
    """The screening's reasons were worded in feeds/screen.py, and the township's removal in
    feeds/report.py, in Chinese only."""
    import re

    from adjudicator.feeds import report, screen

    source = (ROOT / "adjudicator" / "feeds" / "screen.py").read_text(encoding="utf-8")
    given = set(re.findall(r'return "([A-Z_]+)",', source)) | {"NOT_REGISTERED"}
    assert given == set(screen.REASONS)  # every code the screen gives, and no other
    assert set(v.SCREENING_REASONS) == {*screen.REASONS, report.REMOVED_BY_TOWNSHIP}
    assert all(_worded(words) for words in v.SCREENING_REASONS.values())
    assert {code: v.SCREENING_REASONS[code].zh for code in screen.REASONS} == screen.REASONS
    assert v.zh_table(v.SCREENING_REASONS) == report.REASON_LABELS


def test_every_action_a_role_may_be_refused_has_its_chinese_name() -> None:
    """A refusal read "无权fund" and "无权feed.screen": three actions had no Chinese name."""
    from adjudicator.messages import ACTION_ZH
    from adjudicator.roles import PERMISSIONS

    assert set(PERMISSIONS) <= set(ACTION_ZH)
    assert all(not name.isascii() for name in ACTION_ZH.values())


def test_every_reason_the_engine_emits_has_its_short_chinese_name() -> None:
    """A decision record names each reason; two denial reasons read 其他情形 before."""
    from adjudicator.documents.trace_labels import reason_name

    codes = {value for name, value in vars(reasons).items()
             if name.isupper() and isinstance(value, str) and name != "NEG_PREFIX"}
    codes |= {v.NEG_PREFIX + item for item in v.NEGATIVE_ITEMS}
    for code in codes:
        name = reason_name(code)
        assert name != "其他情形" and not name.isascii(), code
    assert reason_name("HOUSEHOLD_CATEGORY_NOT_COVERED") == "户类别不在保障范围"
    assert reason_name("CAUSE_EXCLUDED") == "属于除外责任"


def test_every_import_kind_is_worded() -> None:
    from adjudicator.intake import IMPORTERS

    assert set(v.IMPORT_KINDS) == set(IMPORTERS)
    for kind, words in v.IMPORT_KINDS.items():
        assert _worded(words), kind


def test_every_code_of_the_sampling_audit_is_worded() -> None:
    import typing

    from adjudicator.services.audit.adjustments import SETTLE_WAYS
    from adjudicator.services.audit.recheck import Discrepancy

    kinds = typing.get_args(typing.get_type_hints(Discrepancy)["kind"])
    assert set(v.DISCREPANCY_KINDS) == set(kinds)
    assert set(v.ADJUSTMENT_KINDS) == set(SETTLE_WAYS)
    assert set(v.SETTLE_WAYS) == {how for ways in SETTLE_WAYS.values() for how in ways}
    assert set(v.ADJUSTMENT_STATUSES) == {"open", "settled", "superseded"}
    for table in (v.DISCREPANCY_KINDS, v.ADJUSTMENT_KINDS, v.SETTLE_WAYS,
                  v.ADJUSTMENT_STATUSES):
        for code, words in table.items():
            assert _worded(words), code


def test_a_tally_of_words_reads_in_the_messages_language() -> None:
    from adjudicator.messages import Message, Tally

    tally = Tally([(v.OUTCOMES["approved"], 3), (v.OUTCOMES["denied"], 1)])
    message = Message("demo.adjudicate", decided=4, outcomes=tally, waiting=0)
    assert message.render("zh") == ("理算：决定 4 件（给予救助 3、不予救助 1），"
                                    "0 件等待同户更早的申请")
    assert message.render("en") == "adjudicate: 4 decided (approved 3, denied 1), 0 waiting for " \
        "earlier claims"
    assert Tally([]).render("zh") == "无" and Tally([]).render("en") == "none"


def _event_kinds_in_the_code() -> set[str]:
    """Every event kind the code can record: the kinds given to `PendingEvent` (a text, or
    either text of a conditional), the kinds an import's rows record (`chunk.change`), and
    the import's own chunk event."""
    import ast

    from adjudicator.storage.events import IMPORT_CHUNK

    def texts(node: ast.expr) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return texts(node.body) | texts(node.orelse)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return {a + b for a in texts(node.left) for b in texts(node.right)}
        return set()

    kinds, unread = {IMPORT_CHUNK}, []
    for path in sorted((ROOT / "adjudicator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            place = {"PendingEvent": 0, "change": 1}.get(name or "")
            if place is None or len(node.args) <= place:
                continue
            found = texts(node.args[place])
            if not found and not (isinstance(node.args[place], ast.Name)
                                  and node.args[place].id in {"IMPORT_CHUNK", "kind"}):
                unread.append(f"{path.name}:{node.lineno}")
            kinds |= found
    assert not unread, unread  # a kind the scan cannot read would escape the test
    return kinds


def test_every_event_kind_the_code_records_is_worded() -> None:
    """`log history` showed the audit trail's kinds as codes only (decision.made,
    claim.status) to Chinese readers."""
    assert {"review.approved", "review.denied", "user.enabled", "user.setup_link",
            "household.created", "feed.rows"} <= _event_kinds_in_the_code()
    assert set(v.EVENT_KINDS) == _event_kinds_in_the_code()
    for kind, words in v.EVENT_KINDS.items():
        assert _worded(words), kind


def test_the_operations_guide_lists_every_event_kind_as_the_vocabulary_words_it() -> None:
    import re

    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    listed = {code: v.Words(zh, en) for code, zh, en in
              re.findall(r"^\| `([a-z_.]+)` \| (.+?) \| (.+?) \|$", text, re.MULTILINE)
              if "." in code}
    assert listed == v.EVENT_KINDS
