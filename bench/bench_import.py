"""Import throughput: rows/s and peak memory per kind of file, beside the obvious way.

Run by hand (it prints a table; nothing here is a test):

    python bench/bench_import.py                         # SQLite, a county of 20,000 claims
    python bench/bench_import.py --claims 100000 --pg postgresql://postgres@127.0.0.1:5432/test

A generated county's CSV files (fixtures/generate.py: about 4.2 household rows, 3.4
department-data rows and 1 verification per claim) are imported in order with
`adjudicator.intake` (chunks, set-based lookups, bulk inserts / COPY). The obvious way does the
same work for a sample of the same county (`--naive-claims`): each row read with csv.DictReader,
validated with model_validate, looked up with its own queries, stored as one ORM object with its
event, and committed on its own. `bench/run_all.py` calls `bench_imports(url, rows, tmp)`.

Peak RSS is the process's (ru_maxrss) after each kind: it includes the generated county, which
the generator holds in memory; the import itself streams its file (docs/scale.md has the
million-claim figure measured in a process of its own).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, select, text

Row = tuple[str, str, str]
KINDS = ("households", "claims", "department-data", "verifications")
#: Households per claim in the generated counties (about 0.9 claims per household).
HOUSEHOLDS_PER_CLAIM = 1.1


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pg_schema(base: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema in the PostgreSQL database `base`: (URL using it, drop)."""
    from urllib.parse import quote

    base = base.split("?")[0].replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    url = base.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{url}?options={quote(f'-csearch_path={schema}')}", drop


def _context(url: str) -> Any:
    from adjudicator.services.users import add_user, bootstrap_admin
    from adjudicator.storage.context import Context, connect

    engine, factory = connect(url, create=True)
    system = Context(engine, factory, "admin", "admin")
    bootstrap_admin(system, "admin", "admin")
    admin = system.as_user("admin")
    add_user(admin, "sup", "supervisor", "sup")
    from fixtures.generate import COUNTIES, DEMO_COUNTY, township_codes

    # the generated county's verifiers (an imported verification must name one of its claim)
    for number, township in enumerate(township_codes(DEMO_COUNTY,
                                                     COUNTIES[DEMO_COUNTY].townships), start=1):
        add_user(admin, f"V{number:03d}", "verifier", f"V{number:03d}", [township],
                 max_open_assignments=1_000_000)
    return admin.as_user("sup")


#: The generated counties' dates follow today (no visit in the future), within 2026.
TODAY = min(dt.date.today(), dt.date(2026, 12, 31))


def _county_files(claims: int, directory: Path, seed: int) -> dict[str, Path]:
    from fixtures.generate import generate_county, write_import_files

    county = generate_county(seed, max(10, int(claims * HOUSEHOLDS_PER_CLAIM)), today=TODAY)
    return write_import_files(county, directory, fmt="csv")


def bench_imports(url: str, rows: int, tmp: Path, naive_claims: int = 1_000
                  ) -> list[Row]:
    """Import a county of `rows` claims (and its households, department data and
    verifications) into the database at `url` (SQLite or PostgreSQL; a fresh schema is made
    for PostgreSQL); then the obvious way on a county of `naive_claims` claims. Rows: (what,
    rows/s, the obvious way's rows/s and notes)."""
    from adjudicator.intake import import_file

    pg = url.startswith("postgresql")
    label = "PostgreSQL" if pg else "SQLite"
    fast = _run_on(url, pg, tmp, "fast", lambda ctx, files: {
        kind: _timed(lambda kind=kind: import_file(ctx, kind, files[kind]).rows_total)
        for kind in KINDS}, rows)
    naive = _run_on(url, pg, tmp, "naive", lambda ctx, files: {
        kind: _timed(lambda kind=kind: NAIVE[kind](ctx, files[kind])) for kind in KINDS},
        naive_claims)
    table: list[Row] = []
    for kind in KINDS:
        (done, seconds, peak), (n_done, n_seconds, _) = fast[kind], naive[kind]
        table.append((f"import {kind} ({label})",
                      f"{done / seconds:,.0f} rows/s ({done:,} rows, peak RSS {peak:,.0f} MiB)",
                      f"obvious way {n_done / n_seconds:,.0f} rows/s ({n_done:,} rows)"))
    return table


def _run_on(url: str, pg: bool, tmp: Path, name: str,
            work: Callable[[Any, dict[str, Path]], dict[str, tuple[int, float, float]]],
            claims: int) -> dict[str, tuple[int, float, float]]:
    if pg:
        db_url, drop = pg_schema(url)
    else:
        db_url, drop = f"sqlite:///{tmp / f'{name}-{uuid.uuid4().hex[:6]}.db'}", (lambda: None)
    files = _county_files(claims, tmp / f"{name}-{uuid.uuid4().hex[:6]}", seed=7)
    ctx = _context(db_url)
    try:
        return work(ctx, files)
    finally:
        ctx.engine.dispose()
        drop()


def _timed(work: Callable[[], int]) -> tuple[int, float, float]:
    started = time.perf_counter()
    done = work()
    return done, time.perf_counter() - started, _peak_mib()


# --- the obvious way: one row, its own queries, one ORM object and one commit -------------


def _dict_rows(path: Path, columns: Any) -> Iterator[dict[str, Any]]:
    from adjudicator.intake.pipeline import filled

    with path.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            yield filled({columns.field_for(k): v for k, v in row.items()})


def _each(ctx: Any, records: Iterable[Any], work: Callable[[Any, Any], list[Any]]) -> int:
    """The obvious way's loop: each record stored by `work` in a transaction of its own, with
    the events it returns; how many records there were."""
    from adjudicator.storage.db import transaction
    from adjudicator.storage.events import append_events

    n = 0
    for rec in records:
        with transaction(ctx.factory) as session:
            append_events(session, ctx.user_id, ctx.now(), work(session, rec))
        n += 1
    return n


def naive_households(ctx: Any, path: Path) -> int:
    from adjudicator.intake import columns
    from adjudicator.storage.events import PendingEvent
    from adjudicator.storage.models import Household, Member
    from schemas.imports import HouseholdRow

    def work(session: Any, rec: HouseholdRow) -> list[Any]:
        events = []
        if session.get(Household, rec.household_id) is None:
            session.add(Household(
                household_id=rec.household_id, region_code=rec.region_code,
                township_code=rec.region_code[:9], village_code=rec.region_code,
                village_name=rec.village_name, township_name=rec.township_name,
                category=rec.household_category.value, created_at=ctx.now(),
                updated_at=ctx.now()))
            events.append(PendingEvent("household.created", "household",
                                       rec.household_id, {}))
        if session.scalar(select(Member).where(Member.id_number == rec.id_number)) is None:
            session.add(Member(household_id=rec.household_id, member_id=rec.member_id,
                               name=rec.name, id_number=rec.id_number,
                               relation=rec.relation.value, counted=rec.counted))
            events.append(PendingEvent("member.added", "member",
                                       f"{rec.household_id}/{rec.member_id}", {}))
        session.flush()
        return events

    return _each(ctx, map(HouseholdRow.model_validate, _dict_rows(path, columns.HOUSEHOLDS)),
                 work)


def naive_claims(ctx: Any, path: Path) -> int:
    from adjudicator.intake import columns
    from adjudicator.storage.events import PendingEvent
    from adjudicator.storage.models import Claim, Member
    from schemas.imports import ClaimRow

    def work(session: Any, rec: ClaimRow) -> list[Any]:
        member = session.scalar(select(Member).where(
            Member.household_id == rec.household_id, Member.member_id == rec.member_id))
        if member is None or session.get(Claim, rec.claim_id) is not None:
            return []
        if session.scalar(select(Claim.claim_id).where(
                Claim.household_id == rec.household_id, Claim.member_id == rec.member_id,
                Claim.category == rec.category,
                Claim.document_no == rec.document_no)) is not None:
            return []
        session.add(Claim(claim_id=rec.claim_id, household_id=rec.household_id,
                          member_id=rec.member_id, category=rec.category,
                          event_date=rec.event_date, source=rec.source.value,
                          document_no=rec.document_no, amounts=rec.amounts(),
                          status="screened", received_at=ctx.now(),
                          updated_at=ctx.now()))
        session.flush()
        return [PendingEvent("claim.received", "claim", rec.claim_id, {})]

    return _each(ctx, map(ClaimRow.model_validate, _dict_rows(path, columns.CLAIMS)), work)


def naive_department_data(ctx: Any, path: Path) -> int:
    from adjudicator.intake import columns
    from adjudicator.storage.events import PendingEvent
    from adjudicator.storage.models import Finding, Member
    from schemas.imports import DepartmentDataRow

    def work(session: Any, rec: DepartmentDataRow) -> list[Any]:
        household = rec.household_id
        if rec.id_number is not None:
            household = session.scalar(select(Member.household_id).where(
                Member.id_number == rec.id_number))
        key = hashlib.sha256(f"{household}|{rec.model_dump_json()}".encode()).hexdigest()
        if household is None or session.scalar(select(Finding.pk).where(
                Finding.row_key == key)) is not None:
            return []
        session.add(Finding(household_id=household, source=rec.source.value,
                            item=rec.item, found=rec.found, detail=rec.detail,
                            reported_on=rec.reported_on, row_key=key))
        session.flush()
        return [PendingEvent("finding.recorded", "household", household, {})]

    return _each(ctx, map(DepartmentDataRow.model_validate,
                          _dict_rows(path, columns.DEPARTMENT_DATA)), work)


def naive_verifications(ctx: Any, path: Path) -> int:
    from adjudicator.intake import columns
    from adjudicator.storage.events import PendingEvent
    from adjudicator.storage.models import Claim, Verification
    from schemas.imports import VerificationFlatRow, verification_payload

    def parse(fields: dict[str, Any]) -> Any:
        answers = {k[4:]: v for k, v in fields.items() if k.startswith("neg_")}
        flat = {k: v for k, v in fields.items() if not k.startswith("neg_")}
        return VerificationFlatRow.model_validate({**flat, "negative_list": answers}).to_import()

    def work(session: Any, rec: Any) -> list[Any]:
        claim = session.get(Claim, rec.claim_id)
        if claim is None:
            return []
        session.add(Verification(
            claim_id=claim.claim_id, household_id=claim.household_id,
            verifier_id=rec.verification.verifier_id,
            verified_on=rec.verification.verified_on, status="submitted",
            payload=verification_payload(rec.verification), created_at=ctx.now(),
            created_by=ctx.user_id))
        claim.status = "verified"
        session.flush()
        return [PendingEvent("verification.submitted", "claim", claim.claim_id, {}),
                PendingEvent("claim.status_changed", "claim", claim.claim_id, {})]

    return _each(ctx, map(parse, _dict_rows(path, columns.VERIFICATIONS)), work)


NAIVE: dict[str, Callable[[Any, Path], int]] = {
    "households": naive_households, "claims": naive_claims,
    "department-data": naive_department_data, "verifications": naive_verifications}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--naive-claims", type=int, default=1_000)
    parser.add_argument("--pg", default=None, help="PostgreSQL URL (a schema is made in it)")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        rows += bench_imports(f"sqlite:///{tmp / 'bench.db'}", args.claims, tmp,
                              args.naive_claims)
        if args.pg:
            rows += bench_imports(args.pg, args.claims, tmp, args.naive_claims)
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'rate':<48}  obvious way")
    for what, rate, notes in rows:
        print(f"{what:<{width}}  {rate:<48}  {notes}")


if __name__ == "__main__":
    main()
