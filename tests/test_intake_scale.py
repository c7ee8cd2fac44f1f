"""Intake at scale: the fast row validation gives exactly the model's values and problems;
chunk boundaries change nothing (duplicates, conflicts, error rows); a crashed import loses
nothing committed and its re-run completes the rest; the event chain stays valid."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select, text

from adjudicator.intake import claims as claims_intake
from adjudicator.intake import (
    fastrows,
    import_claims,
    import_department_data,
    import_households,
    import_verifications,
)
from adjudicator.intake import findings as findings_intake
from adjudicator.intake import households as households_intake
from adjudicator.intake import verifications as verifications_intake
from adjudicator.intake.fastrows import FastModel
from adjudicator.intake.pipeline import validation_problems
from adjudicator.intake.report import read_report
from adjudicator.rules.idnumber import check_character
from adjudicator.storage.events import verify_chain
from adjudicator.storage.models import Claim, Event, Finding, Household, Member, Verification
from fixtures.generate import generate_county, write_import_files
from schemas.imports import ClaimRow, HouseholdRow
from tests.test_intake import write_csv

pytestmark = pytest.mark.usefixtures("late_in_2026")


PARSERS = {"households": households_intake.parse, "claims": claims_intake.parse,
           "department-data": findings_intake.parse,
           "verifications": verifications_intake.parse}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def _slow(kind: str, fields: dict[str, Any]) -> Any:
    """The same parse with every FastModel replaced by plain model_validate."""
    saved = {}
    for module in (households_intake, claims_intake, findings_intake):
        saved[module] = module._ROWS  # type: ignore[attr-defined]
        module._ROWS = _Plain(module._ROWS.model)  # type: ignore[attr-defined]
    flat = verifications_intake._FLAT
    verifications_intake._FLAT = _Plain(flat.model)  # type: ignore[assignment]
    try:
        return PARSERS[kind](fields, {})
    finally:
        for module, value in saved.items():
            module._ROWS = value  # type: ignore[attr-defined]
        verifications_intake._FLAT = flat


class _Plain:
    def __init__(self, model: Any) -> None:
        self.model = model

    def validate(self, values: dict[str, Any]) -> Any:
        return self.model.model_validate(values)


def _outcome(kind: str, fields: dict[str, Any], slow: bool) -> Any:
    try:
        record = _slow(kind, fields) if slow else PARSERS[kind](fields, {})
    except ValidationError as exc:
        return ("error", validation_problems(exc))
    return ("ok", record, record.model_fields_set, record.model_dump(mode="json"))


@pytest.mark.parametrize("chinese", [False, True])
def test_fast_validation_equals_the_model_on_generated_files(tmp_path: Path,
                                                             chinese: bool) -> None:
    files = write_import_files(generate_county(3, 150), tmp_path, chinese_headers=chinese)
    from adjudicator.intake import IMPORTERS

    for kind, path in files.items():
        columns = IMPORTERS[kind].columns
        for raw in _rows(path):
            fields = {columns.field_for(k): v for k, v in raw.items()}
            fields = {k: v for k, v in fields.items() if k}
            assert _outcome(kind, fields, False) == _outcome(kind, fields, True), (kind, raw)


AWKWARD_CLAIMS = [
    {"total_cost": "1,234.56元"}, {"total_cost": "-5"}, {"total_cost": "1e3"},
    {"total_cost": "12345678901234.00"}, {"total_cost": "9999999999999.99"},
    {"total_cost": "１２３.４"}, {"total_cost": " 12.5 "}, {"total_cost": "0.001"},
    {"claim_id": "Ｋ-１"}, {"claim_id": " K-1 "}, {"claim_id": "K" * 65},
    {"claim_id": "K" * 64}, {"claim_id": "K-1\u3000"}, {"id_number": "33010219780312041x"},
    {"id_number": "3301021978031204"}, {"id_number": "330102 19780312 0417"},
    {"name": "张\u3000三"}, {"name": "ｚｈａｎｇ"}, {"category": "因病", "source": "医保"},
    {"category": "education", "tuition": "100", "stage": "本科", "total_cost": None},
    {"category": "education", "tuition": "100", "total_cost": None},
    {"household_id": None}, {"document_no": "x" * 65}, {"event_date": "2026年3月1日"},
    {"event_date": "2026-02-30"}, {"unknown": "1"}, {"total_cost": 12.5},
]


@pytest.mark.parametrize("change", AWKWARD_CLAIMS)
def test_fast_validation_equals_the_model_on_awkward_values(change: dict[str, Any]) -> None:
    fields = {"claim_id": "K-1", "household_id": "H-1", "member_id": "M1",
              "id_number": "330102197803120417", "name": "张三", "category": "medical",
              "event_date": "2026-03-01", "source": "application", "document_no": "JS-1",
              "total_cost": "100.00"}
    fields.update(change)
    fields = {k: v for k, v in fields.items() if v is not None}
    assert _outcome("claims", fields, False) == _outcome("claims", fields, True)


def test_shortcuts_agree_with_the_field_validators() -> None:
    amount = TypeAdapter(ClaimRow.model_fields["total_cost"].annotation,
                         config={"str_strip_whitespace": True})
    text = TypeAdapter(ClaimRow.model_fields["household_id"].annotation,
                       config={"str_strip_whitespace": True})
    idn = TypeAdapter(HouseholdRow.model_fields["id_number"].annotation)
    samples = ["0", "0.00", "12.5", "1234567890123.45", "12345678901234", "00012.10", "1.234",
               "-1", "+1", "1e3", " 1", "１", "ab", "", "K-1", "张三", "a\u00a0", "Ｋ",
               "330102197803120417", "33010219780312041X", "33010219780312041x"]
    for raw in samples:
        for shortcut, adapter in ((fastrows.amount, amount), (fastrows.text(64), text),
                                  (fastrows.id_number, idn)):
            value = shortcut(raw)
            if value is not fastrows.MISS:
                assert adapter.validate_python(raw) == value, raw
                assert type(adapter.validate_python(raw)) is type(value)
    assert fastrows.amount("12.50") == Decimal("12.50")


def test_a_model_with_other_validators_always_goes_the_ordinary_way() -> None:
    from pydantic import BaseModel, ConfigDict, field_validator

    class Odd(BaseModel):
        model_config = ConfigDict(extra="forbid")
        a: str

        @field_validator("a")
        @classmethod
        def _upper(cls, value: str) -> str:
            return value.upper()

    fast = FastModel(Odd)
    assert not fast.usable and fast.validate({"a": "x"}).a == "X"


# --- chunk boundaries, crashes and re-runs -------------------------------------------------


def _count(ctx: Any, model: Any) -> int:
    with ctx.factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def _report(path: str | None) -> list[dict[str, str]]:
    assert path is not None
    return read_report(path)


def test_chunk_boundaries_change_nothing(admin_ctx: Any, tmp_path: Path) -> None:
    files = write_import_files(generate_county(5, 40), tmp_path / "a")
    with files["claims"].open(encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    # a claim given again (same id) 3 rows later, and one with another id but the same
    # member, category and document: duplicates across every chunk boundary of size 2 and 3
    first = lines[1].split(",")
    again = list(first)
    again[0] = again[0] + "-B"
    claims = tmp_path / "claims.csv"
    claims.write_text("\n".join([*lines[:4], lines[1], ",".join(again), *lines[4:]]) + "\n",
                      encoding="utf-8")
    households = import_households(admin_ctx, files["households"], chunk_size=3)
    assert households.rejected == 0
    result = import_claims(admin_ctx, claims, chunk_size=2)
    assert (result.rows_total, result.rejected) == (len(lines) + 1, 1)
    assert result.unchanged == 1  # the identical row again
    problems = _report(result.error_report)
    assert [(p["row"], p["code"], p["field"]) for p in problems] == [
        ("6", "DUPLICATE_CLAIM", "document_no")]
    assert _count(admin_ctx, Claim) == len(lines) - 1
    ok, problem = _chain(admin_ctx)
    assert problem is None and ok == _count(admin_ctx, Event)


def _chain(ctx: Any) -> Any:
    with ctx.factory() as session:
        return verify_chain(session)


def test_error_rows_at_chunk_boundaries_are_reported_once(admin_ctx: Any,
                                                          tmp_path: Path) -> None:
    header = ["household_id", "region_code", "household_category", "village_name",
              "member_id", "name", "id_number"]
    good = ["H-1", "330102101201", "edge", "张家庄村", "M1", "张三", "330102197803120417"]
    rows = [good,
            ["H-1", "330102101201", "edge", "张家庄村", "M2", "李四", "bad"],  # row 3
            ["H-1", "330102101201", "edge", "张家庄村", "M3", "王五", "330102198005210623"],
            ["H-1", "330102101299", "edge", "张家庄村", "M4", "赵六", "330102201506010351"],
            ["H-2", "330102101201", "general", "张家庄村", "M1", "钱七",
             "330102197803120417"]]  # row 6: another member's ID number
    path = write_csv(tmp_path / "h.csv", header, rows)
    for size in (1, 2, 3, 1000):
        result = import_households(admin_ctx, path, tmp_path / f"e{size}.csv", chunk_size=size)
        codes = [(p["row"], p["code"]) for p in _report(result.error_report)]
        assert codes == [("3", "INVALID_VALUE"), ("5", "HOUSEHOLD_CONFLICT"),
                         ("6", "DUPLICATE_ID_NUMBER")], size
        assert result.rejected == 3
    assert _count(admin_ctx, Member) == 2 and _count(admin_ctx, Household) == 1


def test_a_crash_mid_import_loses_nothing_committed_and_a_rerun_completes(
        admin_ctx: Any, tmp_path: Path) -> None:
    files = write_import_files(generate_county(6, 30), tmp_path)
    import_households(admin_ctx, files["households"])
    total = len(_rows(files["claims"]))
    calls = {"n": 0}
    store = claims_intake.IMPORTER.store

    def crashing(session: Any, chunk: Any, rows: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        store(session, chunk, rows)

    from dataclasses import replace

    from adjudicator.intake import IMPORTERS
    from adjudicator.intake.pipeline import run_import

    with pytest.raises(RuntimeError):
        run_import(admin_ctx, replace(IMPORTERS["claims"], store=crashing), files["claims"],
                   chunk_size=4)
    assert _count(admin_ctx, Claim) == 8  # two chunks committed, the third rolled back
    again = import_claims(admin_ctx, files["claims"], chunk_size=4)
    assert (again.unchanged, again.accepted, again.rejected) == (8, total - 8, 0)
    assert _count(admin_ctx, Claim) == total
    ok, problem = _chain(admin_ctx)
    assert problem is None and ok == _count(admin_ctx, Event)


def test_a_whole_county_imports_idempotently_with_a_valid_chain(admin_ctx: Any,
                                                                tmp_path: Path) -> None:
    files = write_import_files(generate_county(9, 60), tmp_path)
    importers = (("households", import_households), ("claims", import_claims),
                 ("department-data", import_department_data),
                 ("verifications", import_verifications))
    first = {kind: importer(admin_ctx, files[kind], chunk_size=7)
             for kind, importer in importers}
    assert all(r.rejected == 0 and r.accepted == r.rows_total for r in first.values())
    # One import.chunk event per chunk of 7 rows, listing what each of its rows did.
    with admin_ctx.factory() as session:
        chunks = [orjson.loads(p) for p in session.scalars(
            select(Event.payload).where(Event.kind == "import.chunk").order_by(Event.seq))]
    for kind, result in first.items():
        mine = [c for c in chunks if c["import_batch"] == result.batch_id]
        assert [c["import_kind"] for c in mine] == [kind] * -(-result.rows_total // 7)
        assert sum(c["accepted"] for c in mine) == result.rows_total
        rows = {change["row"] for c in mine for change in c["changes"]}
        assert rows == set(range(2, result.rows_total + 2))  # every data row, header row 1
    kinds = {change["kind"] for c in chunks for change in c["changes"]}
    assert kinds == {"household.created", "member.added", "claim.received",
                     "finding.recorded", "verification.submitted", "claim.status_changed"}
    events = _count(admin_ctx, Event)
    again = {kind: importer(admin_ctx, files[kind], chunk_size=1000)
             for kind, importer in importers}
    assert all(r.unchanged == r.rows_total and r.accepted == 0 for r in again.values())
    assert _count(admin_ctx, Event) == events
    with admin_ctx.factory() as session:
        assert set(session.scalars(select(Claim.status))) == {"verified"}
        assert session.scalar(select(func.count()).select_from(Verification)) == len(
            _rows(files["verifications"]))
        assert session.scalar(select(func.count()).select_from(Finding)) == len(
            _rows(files["department-data"]))
    ok, problem = _chain(admin_ctx)
    assert problem is None and ok == events


def _postgresql_only(ctx: Any) -> None:
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's (SQLite plans well without)")


def test_an_import_refreshes_the_planner_statistics_of_its_tables(admin_ctx: Any,
                                                                  tmp_path: Path) -> None:
    """PostgreSQL plans the batch that follows an import from fresh statistics (a table
    loaded by COPY is otherwise planned as if it were still empty)."""
    _postgresql_only(admin_ctx)
    files = write_import_files(generate_county(4, 12), tmp_path)
    result = import_households(admin_ctx, files["households"])
    with admin_ctx.factory() as session:
        estimated = dict(session.execute(text(
            "SELECT relname, reltuples FROM pg_class WHERE relnamespace = "
            "current_schema()::regnamespace AND relname IN ('households', 'members')")).all())
    households = len({row["household_id"] for row in _rows(files["households"])})
    assert estimated == {"households": households, "members": result.rows_total}


def test_a_long_import_refreshes_the_statistics_as_its_tables_double(
        admin_ctx: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file far larger than the table it loads into is not planned for the empty table to
    its end: the statistics are refreshed each time the import has doubled the table (1, 2,
    4 ... chunks) and at the end; a small import into a large table refreshes nothing."""
    from adjudicator.intake import pipeline

    _postgresql_only(admin_ctx)
    files = write_import_files(generate_county(4, 12), tmp_path)
    seen: list[tuple[int, tuple[str, ...]]] = []
    refresh = pipeline.refresh_statistics

    def counting(session: Any, tables: Any) -> None:
        stored = session.scalar(select(func.count()).select_from(Member))
        seen.append((stored, tuple(t.__tablename__ for t in tables)))
        refresh(session, tables)

    monkeypatch.setattr(pipeline, "refresh_statistics", counting)
    result = import_households(admin_ctx, files["households"], chunk_size=4)
    assert 32 < result.rows_total < 64
    assert [n for n, _ in seen] == [4, 8, 16, 32, result.rows_total]
    assert {tables for _, tables in seen} == {("households", "members")}
    seen.clear()
    import_households(admin_ctx, files["households"], chunk_size=4)  # all unchanged
    header, first, *_ = files["households"].read_text(encoding="utf-8").splitlines()
    cells = first.split(",")
    cells[0], cells[7] = "H-NEW", "33010219900101004" + check_character("33010219900101004")
    more = tmp_path / "one-more.csv"
    more.write_text(f"{header}\n{','.join(cells)}\n", encoding="utf-8")
    assert import_households(admin_ctx, more, chunk_size=4).accepted == 1
    assert seen == []  # one row into a table of 40-odd: no refresh


def test_an_entitys_history_includes_the_import_rows_that_named_it(admin_ctx: Any,
                                                                   tmp_path: Path) -> None:
    from adjudicator.services.adjudication import adjudicate_ready
    from adjudicator.storage.events import history
    from tests.seed import load_demo_tariff
    from tests.test_verification_cli import run

    load_demo_tariff(admin_ctx)
    files = write_import_files(generate_county(9, 20), tmp_path)
    results = {kind: importer(admin_ctx, files[kind], chunk_size=5) for kind, importer in (
        ("households", import_households), ("claims", import_claims),
        ("verifications", import_verifications))}
    claim = _rows(files["claims"])[7]
    adjudicate_ready(admin_ctx.as_user("sup"))
    with admin_ctx.factory() as session:
        entries = history(session, claim["claim_id"])
        member = history(session, f"{claim['household_id']}/{claim['member_id']}")
    assert [e.kind for e in entries] == ["claim.received", "verification.submitted",
                                         "claim.status_changed", "decision.made",
                                         "claim.status"]
    received = entries[0].detail
    assert (received["import_batch"], received["row"]) == (results["claims"].batch_id, 9)
    assert received["household_id"] == claim["household_id"]
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    assert [e.kind for e in member] == ["member.added"]

    shown = run(admin_ctx, "sup", "log", "history", claim["claim_id"], "--json")
    assert shown.exit_code == 0, shown.output
    assert [e["kind"] for e in orjson.loads(shown.stdout)] == [e.kind for e in entries]
    assert run(admin_ctx, "sup", "log", "history", "NO-SUCH").exit_code == 1
    assert run(admin_ctx, "v1", "log", "history", claim["claim_id"]).exit_code != 0


def test_a_chunks_event_counts_every_row_once(admin_ctx: Any, tmp_path: Path) -> None:
    header = ["household_id", "region_code", "household_category", "village_name",
              "member_id", "name", "id_number"]
    first = ["H-1", "330102101201", "edge", "张家庄村", "M1", "张三", "330102197803120417"]
    second = ["H-1", "330102101201", "edge", "张家庄村", "M2", "李四", "330102201203150427"]
    import_households(admin_ctx, write_csv(tmp_path / "a.csv", header, [first, second]))
    rows = [first,  # row 2: unchanged
            [*second[:5], "李泗", second[6]],  # row 3: a new name
            ["H-1", "330102101201", "edge", "张家庄村", "M3", "孙七", "bad"],  # row 4
            ["H-2", "330102101201", "general", "张家庄村", "M1", "王五", "330102198005210623"],
            ["H-2", "330102101299", "general", "张家庄村", "M2", "赵六",
             "330102201506010351"]]  # row 6: another village for H-2
    result = import_households(admin_ctx, write_csv(tmp_path / "b.csv", header, rows))
    assert (result.accepted, result.updated, result.unchanged, result.rejected) == (2, 1, 1, 2)
    with admin_ctx.factory() as session:
        event = orjson.loads(session.scalars(select(Event.payload).where(
            Event.kind == "import.chunk").order_by(Event.seq.desc()).limit(1)).one())
    assert {k: event[k] for k in ("import_batch", "import_kind", "rows", "accepted", "updated",
                                  "unchanged", "rejected")} == {
        "import_batch": result.batch_id, "import_kind": "households", "rows": [2, 6],
        "accepted": 2, "updated": 1, "unchanged": 1, "rejected": 2}
    assert [(c["row"], c["kind"], c["entity_id"]) for c in event["changes"]] == [
        (3, "member.updated", "H-1/M2"), (5, "household.created", "H-2"),
        (5, "member.added", "H-2/M1")]
    assert event["changes"][0]["detail"]["changed"] == ["name"]
    text = orjson.dumps(event).decode()
    assert not any(personal in text for personal in ("李泗", "王五", "330102198005210623"))
