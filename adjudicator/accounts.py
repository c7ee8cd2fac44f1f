"""Payees' accounts (收款账户): a bank card, a passbook account or a social security card.

The insurer pays by bank transfer into the account the household register gives for a member.
An account number is checked before it is stored: digits only, a length its kind allows, and,
for card numbers, the Luhn check digit that every UnionPay card (银联卡) and the financial
account of a social security card (社会保障卡金融账户) carry. A passbook or settlement account
(存折/结算账户) has no check digit: only its length is checked.

An account number is personal data: it is written in full only into the bank's payment
register (a confidential file), and masked (`mask_bank_account`) everywhere else. Messages
never repeat it.
"""

from __future__ import annotations

from enum import StrEnum

from adjudicator.masking import mask_bank_account

__all__ = ["ACCOUNT_KIND_LABELS", "AccountKind", "account_problem", "luhn_ok", "mask_account",
           "normalise_account"]


class AccountKind(StrEnum):
    BANK_CARD = "bank_card"  # 银行卡
    PASSBOOK = "passbook"  # 存折 / 结算账户
    SOCIAL_SECURITY_CARD = "social_security_card"  # 社会保障卡 (金融账户)


#: Chinese (and other) names of each kind, as county registers write them.
ACCOUNT_KIND_LABELS: dict[str, str] = {
    "银行卡": "bank_card", "借记卡": "bank_card", "储蓄卡": "bank_card", "卡": "bank_card",
    "存折": "passbook", "折": "passbook", "一折通": "passbook", "一卡通": "passbook",
    "结算账户": "passbook", "账户": "passbook",
    "社保卡": "social_security_card", "社会保障卡": "social_security_card",
}

#: Chinese label of each kind, for registers and pages.
KIND_ZH = {"bank_card": "银行卡", "passbook": "存折", "social_security_card": "社保卡"}

#: Allowed lengths (digits) and whether the Luhn check digit applies.
_RULES: dict[AccountKind, tuple[range, bool]] = {
    AccountKind.BANK_CARD: (range(16, 20), True),
    AccountKind.SOCIAL_SECURITY_CARD: (range(16, 20), True),
    AccountKind.PASSBOOK: (range(8, 31), False),
}


def normalise_account(text: str) -> str:
    """The account number as digits: spaces and hyphens removed (full-width digits too)."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in cleaned if not ch.isspace() and ch != "-")


def kind_of(text: str | None) -> AccountKind | None:
    """The kind a register's word names (银行卡, 存折, 社保卡, or the English value)."""
    if text is None or not text.strip():
        return None
    word = text.strip()
    if word.lower() in {k.value for k in AccountKind}:
        return AccountKind(word.lower())
    value = ACCOUNT_KIND_LABELS.get(word)
    return AccountKind(value) if value is not None else None


def luhn_ok(digits: str) -> bool:
    """Whether the last digit is the Luhn (ISO/IEC 7812) check digit of the others."""
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def account_problem(number: str, kind: AccountKind) -> str | None:
    """Why `number` (normalised) is not an account of `kind`, in Chinese; None when it is.
    The message never repeats the number."""
    lengths, luhn = _RULES[kind]
    label = KIND_ZH[kind.value]
    if not number.isdigit() or not number.isascii():
        return f"{label}账号只能由数字组成（空格和连字符可省略）"
    if len(number) not in lengths:
        return (f"{label}账号应为{lengths.start}至{lengths.stop - 1}位数字，"
                f"此处为{len(number)}位")
    if luhn and not luhn_ok(number):
        return f"{label}账号的校验位不符（Luhn 校验未通过），请核对是否抄错"
    return None


def mask_account(number: str | None) -> str:
    """The account as every output but the bank's register shows it: the last 4 digits."""
    return mask_bank_account(number)
