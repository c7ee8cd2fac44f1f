"""Masking of personal data before it reaches a public output or a log.

A village notice (公示) must identify a beneficiary well enough for neighbours to object, and
no more: the surname and the last character of the given name, the region part (first 6
characters) and the last 4 characters of the resident ID number. The same functions are used
for logs and audit files, so they are pure, never raise on odd input and never return more of
the value than the rule allows (short values are masked entirely rather than revealed).

Every function accepts ``None`` and returns ``""`` for it, so templates can call them on
optional fields.
"""

from __future__ import annotations

__all__ = [
    "COMPOUND_SURNAMES",
    "MASK_CHAR",
    "mask_bank_account",
    "mask_id_number",
    "mask_name",
    "mask_phone",
]

MASK_CHAR = "*"

# Two-character (复姓) surnames kept whole when masking a name. The list covers the compound
# surnames of the 百家姓 and the ones still common in household registers.
_COMPOUND_SURNAMES_TEXT = """
    欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离
    宗政 澹台 端木 濮阳 淳于 太叔 申屠 仲孙 闻人 赫连 万俟 司空 南宫 西门 公冶 公羊
    拓跋 呼延 百里 东郭 南门 羊舌 微生 梁丘 左丘 东门 公良 漆雕 乐正 壤驷 公西 亓官
    司寇 巫马 子车 颛孙 鲜于 闾丘 谷梁 太史 独孤 完颜 耶律 纳兰 宰父 夹谷 仉督 锺离
"""
COMPOUND_SURNAMES: frozenset[str] = frozenset(_COMPOUND_SURNAMES_TEXT.split())

# Separators that are kept visible inside a masked name (e.g. 买买提·艾力 written with an
# interpunct, or a Latin name with a space); they carry no identifying information.
_NAME_SEPARATORS = frozenset("·•・.． ")


def mask_name(name: str | None) -> str:
    """Mask a person's name for a public notice.

    - 2 characters: keep the surname, ``张三`` -> ``张*``;
    - 3 characters: keep the first and the last, ``张小明`` -> ``张*明``;
    - a compound surname (欧阳, 司马, ...) is kept whole and, when the name has four or more
      characters, the last one too: ``欧阳志华`` -> ``欧阳*华``, ``欧阳华`` -> ``欧阳*``;
    - 4 or more characters otherwise: keep the first and the last, ``张王小明`` -> ``张**明``;
    - separators (``·`` in transliterated names, spaces) stay visible;
    - a single character is masked entirely.
    """
    if name is None:
        return ""
    text = name.strip()
    if not text:
        return ""
    letters = [i for i, ch in enumerate(text) if ch not in _NAME_SEPARATORS]
    if len(letters) <= 1:
        return "".join(ch if ch in _NAME_SEPARATORS else MASK_CHAR for ch in text)

    keep: set[int] = {letters[0]}
    if len(letters) == 2:
        pass
    elif text[:2] in COMPOUND_SURNAMES and letters[:2] == [0, 1]:
        keep.add(letters[1])
        if len(letters) >= 4:
            keep.add(letters[-1])
    else:
        keep.add(letters[-1])
    return "".join(
        ch if (i in keep or ch in _NAME_SEPARATORS) else MASK_CHAR for i, ch in enumerate(text)
    )


def mask_id_number(id_number: str | None) -> str:
    """Mask a resident ID number: keep the first 6 and the last 4 characters.

    ``330102198001010012`` -> ``330102********0012`` (an old 15-digit number keeps the same
    parts). Spaces are removed and a trailing ``x`` is upper-cased. A value of 10 characters or
    fewer cannot keep 10 characters and still hide anything, so it is masked entirely.
    """
    if id_number is None:
        return ""
    text = "".join(id_number.split()).upper()
    if len(text) <= 10:
        return MASK_CHAR * len(text)
    return text[:6] + MASK_CHAR * (len(text) - 10) + text[-4:]


def mask_bank_account(account: str | None) -> str:
    """Mask a bank account or card number: keep only the last 4 characters.

    Spaces and hyphens are removed: ``6222 0212 3456 7890 123`` -> ``***************0123``.
    A value of 4 characters or fewer is masked entirely.
    """
    if account is None:
        return ""
    text = "".join(ch for ch in account if not ch.isspace() and ch != "-")
    if len(text) <= 4:
        return MASK_CHAR * len(text)
    return MASK_CHAR * (len(text) - 4) + text[-4:]


def mask_phone(phone: str | None) -> str:
    """Mask a personal phone number: keep the first 3 and the last 4 digits.

    ``13812345678`` -> ``138****5678``; ``+86 138 1234 5678`` -> ``+86 138 **** 5678`` (a
    ``+86``/``0086`` country prefix and separators are kept as written); a landline
    ``0310-1234567`` -> ``031*-***4567``. A number with fewer than 8 digits keeps only its last
    2 digits.
    """
    if phone is None:
        return ""
    text = phone.strip()
    # Positions of digits, and of digits an earlier masking already hid (so that masking
    # twice gives the same result).
    digit_positions = [i for i, ch in enumerate(text) if ch.isdigit() or ch == MASK_CHAR]
    positions = set(digit_positions)
    # Skip a country prefix so that "first 3" means the start of the national number.
    start = 0
    if text.startswith("+86"):
        start = 2
    elif text.startswith("0086"):
        start = 4
    national = digit_positions[start:]
    if len(national) >= 8:
        keep = set(digit_positions[:start]) | set(national[:3]) | set(national[-4:])
    else:
        keep = set(digit_positions[:start]) | set(national[-2:])
    return "".join(
        MASK_CHAR if (i in positions and i not in keep) else ch for i, ch in enumerate(text)
    )
