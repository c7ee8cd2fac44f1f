"""`adjudicator audit ...` end to end through the real CLI (typer's CliRunner), on SQLite and
PostgreSQL: sample, record re-checks from the forms `verify template` prints, report as a
table, JSON, XLSX and PDF, list and settle the recovery."""

from __future__ import annotations

import io
import json
from pathlib import Path

import yaml
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.seed import load_demo_tariff
from tests.test_audit import decided, mark_paid
from tests.test_verification_cli import VISIT, run


def _flat(text: str) -> str:
    return "".join(text.split())


def _fill(path: Path, **answers: bool) -> None:
    """Fill a printed form as the auditor found the household (JSON or YAML, as printed)."""
    is_json = path.suffix == ".json"
    text = path.read_text("utf-8")
    form = json.loads(text) if is_json else yaml.safe_load(text)
    form["verified_on"] = VISIT
    for row in form["income"]:
        row["amount"] = "40000" if row["kind"] == "wage" else "0"
    for row in form["negative_list"]:
        row["answer"] = answers.get(row["item"], False)
    path.write_text(json.dumps(form, ensure_ascii=False) if is_json
                    else yaml.safe_dump(form, allow_unicode=True), "utf-8")


def test_audit_commands_end_to_end(admin_ctx, tmp_path: Path, monkeypatch) -> None:
    load_demo_tariff(admin_ctx)
    decided(admin_ctx, "K1", "H1", verifier="v1")
    decided(admin_ctx, "K2", "H2", verifier="v2")
    mark_paid(admin_ctx, "K1")

    drawn = run(admin_ctx, "off", "audit", "sample", "--rate", "1", "--seed", "9", "--json")
    assert drawn.exit_code == 0, drawn.output
    sample = json.loads(drawn.stdout)
    assert (sample["population_size"], sample["sample_size"]) == (2, 2)
    sample_id = str(sample["sample_id"])
    text = run(admin_ctx, "off", "audit", "sample", "--rate", "1", "--seed", "9")
    assert text.exit_code == 0 and sample["population_sha256"] in text.stdout.replace("\n", "")
    assert run(admin_ctx, "aud", "audit", "sample", "--rate", "1", "--seed", "9"
               ).exit_code == 1  # officers draw samples
    bad = run(admin_ctx, "off", "audit", "sample", "--rate", "five", "--seed", "9")
    assert bad.exit_code == 1 and "--rate 应为小数" in bad.stderr

    k1, k2 = tmp_path / "K1.json", tmp_path / "K2.yaml"
    assert run(admin_ctx, "aud", "verify", "template", "K1", "--format", "json", "--out",
               str(k1)).exit_code == 0
    assert run(admin_ctx, "aud", "verify", "template", "K2", "--out", str(k2)).exit_code == 0
    _fill(k1, VEHICLE=True)
    _fill(k2)
    material = run(admin_ctx, "aud", "audit", "record", sample_id, "K1", "--file", str(k1),
                   "--json")
    assert material.exit_code == 0, material.output
    result = json.loads(material.stdout)
    assert (result["material"], result["reopened"], result["outcome_audit"]) == (
        True, True, "denied")
    assert result["adjustment"]["kind"] == "recovery"
    assert result["adjustment"]["amount"] == "7500.00"
    clean = run(admin_ctx, "aud", "audit", "record", sample_id, "K2", "--file", str(k2))
    assert clean.exit_code == 0, clean.output
    assert "无重大差异" in _flat(clean.stdout) and "material" not in clean.stdout
    again = run(admin_ctx, "aud", "audit", "record", sample_id, "K2", "--file", str(k2))
    assert again.exit_code == 1 and "已经复核过" in again.stderr

    xlsx, pdf = tmp_path / "audit.xlsx", tmp_path / "audit.pdf"
    reported = run(admin_ctx, "aud", "audit", "report", "--sample", sample_id, "--json",
                   "--xlsx", str(xlsx), "--pdf", str(pdf))
    assert reported.exit_code == 0, reported.output
    report = json.loads(reported.stdout)
    assert report["total"]["rechecked"] == 2 and report["total"]["with_discrepancies"] == 1
    assert report["total"]["ci95_low"] == 0.0945 and report["total"]["ci95_high"] == 0.9055
    assert [m["claim_id"] for m in report["material"]] == ["K1"]
    assert load_workbook(xlsx)["按核查员"]["A2"].value == "v1"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert "按核查员统计" in pdf_text and "K1" in pdf_text
    from cli.common import console

    monkeypatch.setattr(console, "_width", 200)  # each row of a table on one line
    table = run(admin_ctx, "aud", "audit", "report")
    assert table.exit_code == 0 and "重大差异：1件" in _flat(table.stdout)
    said = _flat(table.stdout)
    assert "抽样复核：按核查员" in said and "差错率" in said and "给予救助→不予救助" in said
    assert "追回7500.00（待结清）" in said
    for english in ("verifier", "township", "material", "error rate", "recovery", "open"):
        assert english not in table.stdout
    english = run(admin_ctx, "aud", "--lang", "en", "audit", "report")
    assert "material: 1" in english.stdout and "sampling audit by verifier" in english.stdout
    assert "approved → denied" in english.stdout and "重大" not in english.stdout
    listed = _flat(run(admin_ctx, "sup", "audit", "adjustments").stdout)
    assert "追回/补发：1笔" in listed and "追回" in listed and "待结清" in listed
    assert run(admin_ctx, "aud", "audit", "report", "--sample", "999").exit_code == 1

    listed = run(admin_ctx, "sup", "audit", "adjustments", "--status", "open", "--json")
    [adjustment] = json.loads(listed.stdout)
    assert (adjustment["claim_id"], adjustment["kind"], adjustment["amount"]) == (
        "K1", "recovery", "7500.00")
    settled = run(admin_ctx, "sup", "audit", "settle", str(adjustment["adjustment_id"]),
                  "--how", "repaid", "--ref", "BANK-20261124-1")
    assert settled.exit_code == 0, settled.output
    assert "已结清：已退回" in _flat(settled.stdout)
    assert json.loads(run(admin_ctx, "sup", "audit", "adjustments", "--status", "open",
                          "--json").stdout) == []
