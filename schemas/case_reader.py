"""The fast path's case filter once more, decoded by msgspec into light objects.

`schemas.case_fast.FAST_CASE` (pydantic-core, plain dicts) is the columnar engine's strict
filter, itself narrower than the `Case` contract. This module states the same shape as
msgspec Structs, which decode and check a case's JSON in one pass without building dicts, and
it is narrower again than `FAST_CASE`:

- every constraint of `FAST_CASE` (lengths, patterns, the enumerations, strict types, no
  unknown field); the patterns are matched whole by Python's `fullmatch` (a `$` would let a
  final newline through, which pydantic-core's regex does not);
- no whitespace stripping: a text that `FAST_CASE` would strip (an identifier, a name or an ID
  number with a space at either end) is refused here (`read_case`'s check), and the case
  goes the `FAST_CASE` way (a pattern-checked text cannot have one);
- absent optional fields read as the defaults the columnar engine reads for them.

`read_case` gives the Struct, or None when the case must go the slower ways (`FAST_CASE`,
then the scalar core through `Case`, which decides it or names the field at fault).
tests/test_rules_fast_reader.py holds it to `FAST_CASE`, field by field and on generated
cases: whatever it accepts, `FAST_CASE` accepts, with the same values.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

import msgspec
from msgspec import Meta, Struct

from schemas.case_fast import (  # the enumerations as the Literals of their values
    AMOUNT_PATTERN,
    CauseValue,
    ClaimSourceValue,
    CostKindValue,
    CrossCheckSourceValue,
    EducationStageValue,
    HouseholdCategoryValue,
    IncomeKindValue,
)
from schemas.types import (
    CATEGORY_NAME_MAX,
    CATEGORY_NAME_PATTERN,
    NEGATIVE_ITEM_PATTERN,
)

#: The texts with a pattern are checked after decoding (`_patterned`), all of them with one
#: call of a regular expression (`_matches`): msgspec calls Python's `re` once per text, which
#: was two thirds of the decoding. PATTERNS names them, for the tests.
Amount = str
ItemCode = Annotated[str, Meta(max_length=64)]
CategoryValue = Annotated[str, Meta(max_length=CATEGORY_NAME_MAX)]
RegionCode = str
REGION_PATTERN = r"^[0-9]{6,12}$"
PATTERNS = {"Amount": AMOUNT_PATTERN, "ItemCode": NEGATIVE_ITEM_PATTERN,
            "CategoryValue": CATEGORY_NAME_PATTERN, "RegionCode": REGION_PATTERN}
Identifier = Annotated[str, Meta(min_length=1, max_length=64)]
Note = Annotated[str, Meta(max_length=200)]


def _body(pattern: str) -> str:
    """A pattern `^…$` without its anchors, its groups not capturing."""
    return "(?:" + re.sub(r"(?<!\\)\((?!\?)", "(?:", pattern[1:-1]) + ")"


def _many(pattern: str) -> str:
    """A pattern for none or more texts of `pattern` joined by newlines."""
    body = _body(pattern)
    return f"(?:{body}(?:\n{body})*)?"


#: The amounts and the negative-list items (each joined by newlines), the region code and the
#: category, joined by NULs. None of the patterns matches an empty text, a newline or a NUL.
_ALL = re.compile("\0".join((_many(AMOUNT_PATTERN), _many(NEGATIVE_ITEM_PATTERN),
                              _body(REGION_PATTERN), _body(CATEGORY_NAME_PATTERN))))


def _matches(amounts: list[str], items: list[str], region: str, category: str) -> bool:
    """Whether every text fullmatches its pattern (PATTERNS; Python's fullmatch: no final
    newline let through, as in pydantic-core), all with one call of `_ALL`: the newlines and
    NULs are counted (no text may hold one), and a list of one empty text, which joins as an
    empty list does, is refused."""
    joined = "\0".join(("\n".join(amounts), "\n".join(items), region, category))
    newlines = (len(amounts) - 1 if amounts else 0) + (len(items) - 1 if items else 0)
    return (joined.count("\n") == newlines and joined.count("\0") == 3
            and amounts != [""] and items != [""] and _ALL.fullmatch(joined) is not None)


class _Strict(Struct, forbid_unknown_fields=True, gc=False):
    """gc=False: a decoded case holds no cycle, so its Structs are left out of the collector's
    walks (faster to make and to free)."""


class ReadMember(_Strict):
    member_id: Identifier
    name: Annotated[str, Meta(min_length=1, max_length=64)]
    id_number: Annotated[str, Meta(min_length=1, max_length=32)]
    relation: Annotated[str, Meta(max_length=32)] = ""
    counted: bool = True


class ReadHousehold(_Strict):
    household_id: Identifier
    region_code: RegionCode
    category: HouseholdCategoryValue
    members: list[ReadMember]


class ReadIncomeItem(_Strict):
    kind: IncomeKindValue
    amount: Amount
    note: Note | None = None


class ReadCostItem(_Strict):
    kind: CostKindValue
    amount: Amount
    note: Note | None = None


class ReadCrossCheck(_Strict):
    source: CrossCheckSourceValue
    item: ItemCode
    found: bool
    detail: Note | None = None


class ReadVerification(_Strict):
    verified_on: dt.date
    verifier_id: Identifier
    income: list[ReadIncomeItem] | None = None
    costs: list[ReadCostItem] = []
    negative_list: dict[ItemCode, bool | None] = {}
    cross_checks: list[ReadCrossCheck] = []
    reused_from_claim: Identifier | None = None
    reused_verification_id: Annotated[int, Meta(ge=1)] | None = None


class ReadMedical(_Strict):
    total_cost: Amount
    non_compliant_cost: Amount = "0"
    basic_insurance_paid: Amount = "0"
    critical_illness_paid: Amount = "0"
    medical_assistance_paid: Amount = "0"
    other_compensation: Amount = "0"


class ReadEducation(_Strict):
    stage: EducationStageValue
    tuition: Amount
    accommodation: Amount = "0"
    aid_received: Amount = "0"


class ReadDisaster(_Strict):
    assessed_loss: Amount
    insurance_paid: Amount = "0"
    relief_paid: Amount = "0"
    liable_party_paid: Amount | None = None
    motor_vehicle_loss: Amount | None = None


class ReadClaim(_Strict):
    claim_id: Identifier
    category: CategoryValue
    member_id: Identifier
    event_date: dt.date
    source: ClaimSourceValue
    document_no: Annotated[str, Meta(max_length=64)] | None = None
    cause: CauseValue | None = None
    medical: ReadMedical | None = None
    education: ReadEducation | None = None
    disaster: ReadDisaster | None = None


class ReadHistory(Struct, forbid_unknown_fields=True, frozen=True, gc=False):  # frozen: a default
    eligible_expense_to_date: Amount = "0"
    paid_to_date: Amount = "0"
    paid_all_categories_to_date: Amount = "0"
    paid_member_all_categories_to_date: Amount | None = None


NO_HISTORY = ReadHistory()


class ReadCase(_Strict):
    case_id: Identifier
    household: ReadHousehold
    claim: ReadClaim
    verification: ReadVerification | None = None
    history: ReadHistory = NO_HISTORY


_DECODER = msgspec.json.Decoder(ReadCase)


def _unstripped(case: ReadCase) -> bool:
    """True when a free text (any text without a pattern or an enumeration, which `FAST_CASE`
    strips) has whitespace at either end (Python's whitespace: a superset of what
    pydantic-core strips)."""
    claim = case.claim
    texts = [case.case_id, case.household.household_id, claim.claim_id, claim.member_id]
    if claim.document_no is not None:
        texts.append(claim.document_no)
    for member in case.household.members:
        texts += (member.member_id, member.name, member.id_number, member.relation)
    verification = case.verification
    if verification is not None:
        texts.append(verification.verifier_id)
        if verification.reused_from_claim is not None:
            texts.append(verification.reused_from_claim)
        for item in verification.income or ():
            if item.note is not None:
                texts.append(item.note)
        for cost in verification.costs:
            if cost.note is not None:
                texts.append(cost.note)
        for check in verification.cross_checks:
            if check.detail is not None:
                texts.append(check.detail)
    return list(map(str.strip, texts)) != texts  # in C: strip() returns an unchanged text


def _patterned(case: ReadCase) -> bool:
    """Whether each text with a pattern (PATTERNS) matches it."""
    claim = case.claim
    amounts: list[str] = []
    medical, education, disaster = claim.medical, claim.education, claim.disaster
    if medical is not None:
        amounts += (medical.total_cost, medical.non_compliant_cost,
                    medical.basic_insurance_paid, medical.critical_illness_paid,
                    medical.medical_assistance_paid, medical.other_compensation)
    if education is not None:
        amounts += (education.tuition, education.accommodation, education.aid_received)
    if disaster is not None:
        amounts += (disaster.assessed_loss, disaster.insurance_paid, disaster.relief_paid)
        if disaster.liable_party_paid is not None:
            amounts.append(disaster.liable_party_paid)
        if disaster.motor_vehicle_loss is not None:
            amounts.append(disaster.motor_vehicle_loss)
    history = case.history
    amounts += (history.eligible_expense_to_date, history.paid_to_date,
                history.paid_all_categories_to_date)
    if history.paid_member_all_categories_to_date is not None:
        amounts.append(history.paid_member_all_categories_to_date)
    items: list[str] = []
    verification = case.verification
    if verification is not None:
        amounts += [item.amount for item in verification.income or ()]
        amounts += [cost.amount for cost in verification.costs]
        items += verification.negative_list
        items += [check.item for check in verification.cross_checks]
    return _matches(amounts, items, case.household.region_code, claim.category)


def read_case(text: str | bytes) -> ReadCase | None:
    """The case, or None when this filter does not take it (see the module's text)."""
    try:
        case = _DECODER.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    return None if _unstripped(case) or not _patterned(case) else case


def from_fast(data: dict[str, Any]) -> ReadCase | None:
    """A case `FAST_CASE` validated (plain dicts, texts stripped) as the same Structs, or None
    when they do not take it."""
    try:
        return msgspec.convert(data, ReadCase)
    except msgspec.ValidationError:
        return None


__all__ = ["NO_HISTORY", "ReadCase", "from_fast", "read_case"]
