"""What the commands print is Chinese first, English under `--lang en`: every line and table
a person reads comes from the message catalogue, every code from the vocabulary. JSON output
keeps its codes. Rich wraps long lines anywhere inside Chinese text, so the output is compared
with its whitespace removed."""

from __future__ import annotations

import json

import pytest

from adjudicator.storage.context import Context
from tests.seed import add_claim, add_household, load_demo_tariff
from tests.test_audit import T1, decided, mark_paid
from tests.test_verification_cli import run


def _flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def county(admin_ctx: Context) -> Context:
    """Two claims decided (K1 paid), one verified and waiting for `adjudicate` (K3)."""
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1", verifier="v1")
    decided(admin_ctx, "K2", "H2", verifier="v2")
    mark_paid(admin_ctx, "K1")
    add_household(admin_ctx, "H3", members=4, region=T1 + "001")
    add_claim(admin_ctx, "K3", "H3", "20000", wages="40000", verifier="v1")
    return admin_ctx


def test_adjudicate_review_replay_report_speak_chinese(county: Context) -> None:
    decided_now = run(county, "sup", "adjudicate")
    assert decided_now.exit_code == 0, decided_now.output
    said = _flat(decided_now.stdout)
    assert "理算1件（给予救助1）；赔付" in said and "decided" not in said
    replayed = run(county, "aud", "replay")
    assert replayed.exit_code == 0, replayed.output
    assert _flat(replayed.stdout) == "重放3件决定：3件完全一致，0件不同"
    queue = _flat(run(county, "sup", "review", "list").stdout)
    assert "待人工审核：0件" in queue and "案件编号" in queue and "claim" not in queue
    report = run(county, "aud", "report")
    assert report.exit_code == 0, report.output
    said = _flat(report.stdout)
    assert "申请3件，涉及3户" in said and "按救助类别" in said and "因病" in said
    for english in ("claims", "households", "yuan", "medical", "approved", "paid"):
        assert english not in said


def test_adjudicate_review_replay_report_in_english(county: Context) -> None:
    decided_now = run(county, "sup", "--lang", "en", "adjudicate")
    assert "decided 1 claims (approved 1); payouts" in decided_now.stdout
    replayed = run(county, "aud", "--lang", "en", "replay")
    assert replayed.stdout.strip() == "replayed 3 decisions: 3 identical, 0 different"
    queue = run(county, "sup", "--lang", "en", "review", "list").stdout
    assert "pend queue: 0" in queue and "claim" in queue
    report = _flat(run(county, "aud", "--lang", "en", "report").stdout)
    assert "claims3,households3" in report and "byclaimcategory" in report
    assert "medical" in report and "因病" not in report


def test_report_json_keeps_its_codes(county: Context) -> None:
    data = json.loads(run(county, "aud", "report", "--json").stdout)
    assert "medical" in data["category"]
