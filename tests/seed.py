"""Put households, claims and verifications straight into a database, for storage tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from adjudicator.rules.tariff import load_tariff
from adjudicator.services.tariffs import store_tariff
from adjudicator.storage.db import transaction
from adjudicator.storage.models import Claim, Household, Member, Verification
from tariffs import demo_tariff_path
from tests.casebuilder import DEMO_ITEMS, valid_id


def load_demo_tariff(ctx) -> int:
    path = demo_tariff_path()
    with transaction(ctx.factory) as session:
        record, _ = store_tariff(session, load_tariff(path), path.read_bytes(), ctx.user_id,
                                 ctx.now())
        return record.pk


def card_number(seed: str, length: int = 19) -> str:
    """A bank card number of `length` digits with a valid Luhn check digit (prefix 62)."""
    from adjudicator.accounts import luhn_ok

    body = ("62" + "".join(str(ord(ch) % 10) for ch in seed) + "0" * length)[:length - 1]
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def add_household(ctx, household_id: str, members: int = 4, region: str = "330102001001",
                  category: str = "edge", account: bool = True) -> None:
    """A household of `members` (张三 the head); the head has a bank card unless
    `account` is False."""
    now = ctx.now()
    with transaction(ctx.factory) as session:
        session.add(Household(household_id=household_id, region_code=region,
                              township_code=region[:9], village_code=region,
                              village_name="示范村", township_name="示范镇", category=category,
                              created_at=now, updated_at=now))
        session.flush()
        for i in range(members):
            session.add(Member(household_id=household_id, member_id=f"M{i + 1}",
                               name=f"张{'三四五六七八'[i % 6]}",
                               id_number=valid_id(region[:6], seq=f"{i + 1:03d}"),
                               relation="head" if i == 0 else "child", counted=True,
                               **({"bank_name": "农村信用社", "account_no":
                                   card_number(household_id), "account_kind": "bank_card"}
                                  if account and i == 0 else {})))


def add_claim(ctx, claim_id: str, household_id: str, total_cost: str,
              event_date: dt.date = dt.date(2026, 3, 1), wages: str = "40000",
              verifier: str = "v1", status: str = "verified", category: str = "medical",
              amounts: dict[str, Any] | None = None, answers: dict[str, Any] | None = None,
              document_no: str | None = None) -> None:
    now = ctx.now()
    negative: dict[str, Any] = dict.fromkeys(DEMO_ITEMS, False)
    negative.update(answers or {})
    with transaction(ctx.factory) as session:
        session.add(Claim(claim_id=claim_id, household_id=household_id, member_id="M1",
                          category=category, event_date=event_date,
                          source="medical_insurance_feed", document_no=document_no or claim_id,
                          amounts=amounts or {"total_cost": total_cost}, status=status,
                          received_at=now, updated_at=now))
        session.flush()
        if status == "verified":
            session.add(Verification(
                claim_id=claim_id, household_id=household_id, verifier_id=verifier,
                verified_on=event_date, status="submitted", created_at=now, created_by=verifier,
                payload={"verified_on": event_date.isoformat(), "verifier_id": verifier,
                         "income": [{"kind": "wage", "amount": wages}], "costs": [],
                         "negative_list": negative}))


def bulk_seed(ctx, households: int, claims_per_household: int = 2) -> int:
    """Many ready claims fast (one transaction, bulk inserts); returns the number of claims."""
    from sqlalchemy import insert

    now = ctx.now()
    hh_rows, member_rows, claim_rows, verification_rows = [], [], [], []
    negative = dict.fromkeys(DEMO_ITEMS, False)
    for h in range(households):
        household_id = f"HB{h:06d}"
        hh_rows.append({"household_id": household_id, "region_code": "330102001001",
                        "township_code": "330102001", "village_code": "330102001001",
                        "village_name": None, "township_name": None, "category": "edge",
                        "created_at": now, "updated_at": now})
        for m in range(3):
            member_rows.append({"household_id": household_id, "member_id": f"M{m + 1}",
                                "name": "李四", "id_number": valid_id(seq=f"{m + 1:03d}"),
                                "relation": "head" if m == 0 else "child", "counted": True})
        for c in range(claims_per_household):
            claim_id = f"KB{h:06d}-{c}"
            event = dt.date(2026, 1 + c % 12, 1 + h % 28)
            claim_rows.append({"claim_id": claim_id, "household_id": household_id,
                               "member_id": "M1", "category": "medical", "event_date": event,
                               "source": "medical_insurance_feed", "document_no": claim_id,
                               "amounts": {"total_cost": str(8000 + (h * 37 + c * 911) % 30000)},
                               "status": "verified", "received_at": now, "updated_at": now})
            verification_rows.append({
                "claim_id": claim_id, "household_id": household_id, "verifier_id": "v1",
                "verified_on": event, "status": "submitted", "created_at": now,
                "created_by": "v1",
                "payload": {"verified_on": event.isoformat(), "verifier_id": "v1",
                            "income": [{"kind": "wage", "amount": str(15000 + h % 40000)}],
                            "costs": [], "negative_list": negative}})
    with transaction(ctx.factory) as session:
        session.execute(insert(Household), hh_rows)
        session.execute(insert(Member), member_rows)
        session.execute(insert(Claim), claim_rows)
        session.execute(insert(Verification), verification_rows)
    return len(claim_rows)


#: A clock late in 2026: every date of the sample files and generated counties (events and
#: verifications of 2026) is then in the past, as the imports require.
LATE_IN_2026 = dt.datetime(2026, 12, 31, 8, 0, tzinfo=dt.UTC)


def give_townships(ctx, verifier: str, townships: list[str]) -> None:
    """Make `verifier` responsible for `townships` (an imported verification's verifier must
    be assigned the claim or cover its township)."""
    from adjudicator.storage.models import User

    with transaction(ctx.factory) as session:
        user = session.get(User, verifier)
        user.townships = sorted(set(user.townships or []) | set(townships))


#: The townships of the sample files in tests/data/import.
SAMPLE_TOWNSHIPS = ["330102101", "330102201"]


def add_county_verifiers(ctx, county: str | None = None) -> None:
    """The verifiers of a generated county (V001 … one per township, whatever the seed), as
    the demo adds them (`ctx` acts as an admin)."""
    from adjudicator.services.users import add_user
    from fixtures.generate import COUNTIES, DEMO_COUNTY, township_codes

    code = county or DEMO_COUNTY
    for number, township in enumerate(township_codes(code, COUNTIES[code].townships),
                                      start=1):
        add_user(ctx, f"V{number:03d}", "verifier", f"核查员{number:02d}", [township],
                 max_open_assignments=10_000)
