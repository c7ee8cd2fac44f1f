"""Reading a feed file in pieces: the rows, their numbers and their cells are the same
however the file is cut (a quoted cell holding a line break is never cut), in UTF-8 (with a
byte order mark) and in GBK."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from adjudicator.feeds import reader
from adjudicator.feeds.columns import BUREAUS
from adjudicator.intake.sources import inspect_file

LINES = ["2026年3月医保结算数据,,", "结算ID,身份证号,姓名,医疗费总额"]


def _file(tmp_path: Path, encoding: str) -> Path:
    rows = [f"S{n},33010219700101{n:04d},王{'一二三'[n % 3]},{n}.50" for n in range(40)]
    rows[7] = 'S7,330102197001010007,"王\r\n七",7.50'  # a line break inside quotes
    rows[8] = 'S8,330102197001010008,"王""八"",",8.50'  # doubled quotes
    path = tmp_path / f"feed-{encoding}.csv"
    path.write_bytes("\r\n".join([*LINES, *rows, "合计,,,99"]).encode(encoding))
    return path


def _read(path: Path, rows: int) -> pl.DataFrame:
    info = inspect_file(path)
    header = reader.find_header(info, BUREAUS["medical"])
    assert header is not None and header.row == 2
    return pl.concat(list(reader.batches(info, header, rows)))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_pieces_of_any_size_read_the_same_rows(tmp_path, monkeypatch, encoding):
    path = _file(tmp_path, encoding)
    whole = _read(path, 50_000)
    assert whole.height == 41 and whole[ROW := reader.ROW].to_list() == list(range(3, 44))
    assert whole.filter(pl.col("setl_id") == "S7")["psn_name"].to_list() == ["王\r\n七"]
    assert whole.filter(pl.col("setl_id") == "S8")["psn_name"].to_list() == ['王"八",']
    assert whole["setl_id"][0] == "S0"
    monkeypatch.setattr(reader, "_PIECE_MIN", 1)
    monkeypatch.setattr(reader, "_PIECE_BYTES_A_ROW", 1)
    monkeypatch.setattr(reader, "_BLOCK", 7)
    for rows in (1, 3, 50):
        cut = _read(path, rows)
        assert cut.equals(whole), rows
        assert cut[ROW].to_list() == list(range(3, 44))
