"""Test helpers: build valid cases (as JSON-ready dicts) from a few domain figures."""

from __future__ import annotations

from typing import Any

from adjudicator.rules.idnumber import check_character

DEMO_ITEMS = ["PUBLIC_SERVANT", "VEHICLE", "COMPANY", "COMMERCIAL_HOUSING", "SHOP", "CONCEALMENT"]


def valid_id(region: str = "330102", birth: str = "19800101", seq: str = "001") -> str:
    body = f"{region}{birth}{seq}"
    return body + check_character(body)


def make_case(
    *,
    members: int = 4,
    wages: str = "40000",
    production_cost: str = "0",
    medical: dict[str, str] | None = None,
    education: dict[str, str] | None = None,
    disaster: dict[str, str] | None = None,
    history: dict[str, str] | None = None,
    answers: dict[str, Any] | None = None,
    found: dict[str, str] | None = None,
    case_id: str = "C-1",
    claim_id: str = "K-1",
    region_code: str = "330102001001",
    event_date: str = "2026-03-01",
    household_category: str = "edge",
    category: str | None = None,
    cause: str | None = None,
) -> dict[str, Any]:
    negative: dict[str, Any] = dict.fromkeys(DEMO_ITEMS, False)
    for item, answer in (answers or {}).items():
        if answer == "unanswered":
            negative.pop(item, None)
        else:
            negative[item] = answer
    default_category, amounts = "medical", {"medical": medical or {"total_cost": "0"}}
    if education is not None:
        default_category, amounts = "education", {"education": education}
    elif disaster is not None:
        default_category, amounts = "disaster", {"disaster": disaster}
    case: dict[str, Any] = {
        "case_id": case_id,
        "household": {
            "household_id": "H-330102-000001",
            "region_code": region_code,
            "category": household_category,
            "members": [
                {"member_id": f"M{i + 1}", "name": "张三",
                 "relation": "head" if i == 0 else "child",
                 "id_number": valid_id(seq=f"{i + 1:03d}"), "counted": True}
                for i in range(members)
            ],
        },
        "verification": {
            "verified_on": "2026-03-10",
            "verifier_id": "V017",
            "income": [{"kind": "wage", "amount": wages}],
            "costs": [{"kind": "production", "amount": production_cost}],
            "negative_list": negative,
            "cross_checks": [
                {"source": source, "item": item, "found": True}
                for item, source in (found or {}).items()
            ],
        },
        "claim": {"claim_id": claim_id, "category": category or default_category,
                  "member_id": "M1", "event_date": event_date,
                  "source": "medical_insurance_feed", "document_no": "INV-1", **amounts},
    }
    if cause is not None:
        case["claim"]["cause"] = cause
    if history is not None:
        case["history"] = history
    return case
