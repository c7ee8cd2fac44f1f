"""Masking of names, ID numbers, bank accounts and phones (adjudicator.masking)."""

from __future__ import annotations

import pytest

from adjudicator.masking import (
    COMPOUND_SURNAMES,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张小明", "张*明"),
        ("张王小明", "张**明"),
        ("欧阳志华", "欧阳*华"),
        ("欧阳华", "欧阳*"),
        ("司马相如", "司马*如"),
        ("诸葛孔明", "诸葛*明"),
        ("上官婉儿", "上官*儿"),
        ("慕容复", "慕容*"),
        ("欧阳娜娜华", "欧阳**华"),
        ("欧阳", "欧*"),
        ("买买提·艾力", "买**·*力"),
        ("  王五 ", "王*"),
        ("李", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_name(name: str | None, masked: str) -> None:
    assert mask_name(name) == masked


def test_compound_surnames_include_the_common_ones() -> None:
    expected = "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离"
    for surname in [*expected.split(), "宗政", "澹台"]:
        assert surname in COMPOUND_SURNAMES
    assert all(len(surname) == 2 for surname in COMPOUND_SURNAMES)


@pytest.mark.parametrize("name", ["张小明", "欧阳志华", "张王小明", "买买提·艾力", "王五"])
def test_masked_name_hides_the_given_name_and_keeps_its_length(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name)
    assert "*" in masked
    assert masked != name


def test_mask_name_never_reveals_markup() -> None:
    masked = mask_name('<img src="file:///etc/passwd">')
    assert "passwd" not in masked
    assert "file" not in masked


@pytest.mark.parametrize(
    ("id_number", "masked"),
    [
        ("330102198001010012", "330102********0012"),
        ("11010519491231002x", "110105********002X"),
        (" 3301 0219 8001 0100 12 ", "330102********0012"),
        ("330102800101001", "330102*****1001"),
        ("12345678901", "123456*8901"),
        ("1234567890", "**********"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(id_number: str | None, masked: str) -> None:
    assert mask_id_number(id_number) == masked


def test_masked_id_number_keeps_region_and_last_four_only() -> None:
    masked = mask_id_number("330102198001010012")
    assert masked.startswith("330102")
    assert masked.endswith("0012")
    assert "19800101" not in masked
    assert len(masked) == 18


@pytest.mark.parametrize(
    ("account", "masked"),
    [
        ("6222021234567890123", "***************0123"),
        ("6222 0212 3456 7890 123", "***************0123"),
        ("6222-0212-3456", "********3456"),
        ("12345", "*2345"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_bank_account(account: str | None, masked: str) -> None:
    assert mask_bank_account(account) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("008613812345678", "0086138****5678"),
        ("0310-1234567", "031*-***4567"),
        ("12345", "***45"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_masking_is_pure_and_idempotent_on_masked_values() -> None:
    for value in ("张小明", "欧阳志华"):
        assert mask_name(mask_name(value)) == mask_name(value)
    masked_id = mask_id_number("330102198001010012")
    assert mask_id_number(masked_id) == masked_id
    assert mask_phone(mask_phone("13812345678")) == "138****5678"
