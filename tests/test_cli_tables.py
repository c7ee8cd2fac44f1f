"""At 80 columns (a pipe, a narrow terminal) the identifier a person acts on is never cut in a
CLI table: claim ids, household ids, notice numbers stay whole; other columns fold."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from cli.common import keep_ids
from tests.seed import load_demo_tariff
from tests.test_verification import T1, screened, set_verifier
from tests.test_verification_cli import run

CLAIMS = [f"K-330102-2026-{n:06d}" for n in (1, 2, 3)]


def _pend_queue() -> Table:
    table = Table("claim", "household", "category", "payout", "reasons", "verifier",
                  title="待审核 pend queue: 3")
    for n, claim in enumerate(CLAIMS, 1):
        table.add_row(claim, f"H-330102-2026-{n:06d}", "sudden_hardship", "40900.00",
                      "LARGE_PAYOUT 赔付金额超过大额审核线，需人工审核\nINCOMPLETE_VERIFICATION "
                      "入户核查信息不完整", "verifier-township-330102101")
    return table


def _render(table: Table) -> str:
    out = io.StringIO()
    Console(file=out, width=80, force_terminal=False).print(table)
    return out.getvalue()


def test_the_pend_queue_keeps_claim_ids_whole_at_80_columns() -> None:
    plain = _render(_pend_queue())
    assert "K-330102-202…" in plain or CLAIMS[0] not in plain  # what rich does by itself
    fitted = _render(keep_ids(_pend_queue()))
    for n, claim in enumerate(CLAIMS, 1):
        assert claim in fitted and f"H-330102-2026-{n:06d}" in fitted
    assert "…" not in fitted
    assert max(len(line) for line in fitted.splitlines()) <= 80


def test_verify_list_keeps_ids_whole_in_a_pipe(admin_ctx) -> None:
    load_demo_tariff(admin_ctx)
    set_verifier(admin_ctx, "v1", [T1], max_open=5)
    for n, claim in enumerate(CLAIMS, 1):
        screened(admin_ctx, claim, f"H-330102-2026-{n:06d}", T1)
    assert run(admin_ctx, "sup", "verify", "assign", "--days", "3").exit_code == 0
    listed = run(admin_ctx, "v1", "verify", "list", "--mine")  # CliRunner: 80 columns
    assert listed.exit_code == 0, listed.output
    for claim in CLAIMS:
        assert claim in listed.stdout
    assert "…" not in listed.stdout


def _notices(*extra: str) -> Table:
    table = Table("公示编号", "村", "状态", "件数", "合计（元）", "公示期", *extra)
    table.add_row("GS-20261105-330102101201", "城关镇 郑家庄村", "已结束", "2", "31023.94",
                  "2026-11-05 至 2026-11-11", *("—" * 12 for _ in extra))
    return table


def test_an_amount_is_never_folded_when_the_table_can_hold_it() -> None:
    """`notice list` at 80 columns showed 合计 31023.94 as 31023.9 over 4: a reader takes the
    first line for the amount."""
    fitted = _render(keep_ids(_notices(), width=80))
    assert "31023.94" in fitted and "GS-20261105-330102101201" in fitted


def test_amounts_fold_rather_than_crop_a_table_too_wide_for_them() -> None:
    """Whole amounts would push the table past 80 columns and crop its last columns: then
    they fold as before, and every column is drawn."""
    cropped = _render(keep_ids(_notices(*(f"列{n}" for n in range(4)))))  # no width given
    assert not cropped.splitlines()[0].endswith("┓")
    crowded = _notices(*(f"列{n}" for n in range(4)))
    fitted = _render(keep_ids(crowded, width=80))
    assert fitted.splitlines()[0].count("┳") == len(crowded.columns) - 1  # none cropped
    assert fitted.splitlines()[0].endswith("┓")
    assert "GS-20261105-330102101201" in fitted


def test_a_table_whose_amounts_would_fold_is_printed_a_block_a_row(monkeypatch) -> None:
    """`audit adjustments` and `report` at 80 columns folded 1433.94 into 14 / 33 / .9 / 4
    (or 204940.5 over 1): then each row is a block of 列名：数值 lines, every amount whole; a
    table that holds its amounts whole is still drawn as a table."""
    from cli import common

    out = io.StringIO()
    monkeypatch.setattr(common, "console", Console(file=out, width=80, force_terminal=False))
    crowded = _notices(*(f"列{n}" for n in range(4)))
    common.print_table(crowded)
    blocks = [line for line in out.getvalue().splitlines() if line]
    assert blocks[:3] == ["公示编号：GS-20261105-330102101201", "  村：城关镇 郑家庄村",
                          "  状态：已结束"]
    assert "  合计（元）：31023.94" in blocks and "  列3：" + "—" * 12 in blocks
    out.seek(0)
    out.truncate()
    common.print_table(_notices())
    assert "┃" in out.getvalue() and "31023.94" in out.getvalue()
