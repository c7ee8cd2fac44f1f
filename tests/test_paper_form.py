"""`verify form CLAIM --pdf`: the blank paper verification form for a visit without a signal."""

from __future__ import annotations

import hashlib

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from adjudicator.services.paper_form import paper_form
from adjudicator.services.verification import VerificationRefused
from adjudicator.storage.models_notice import Document
from tests.test_verification import add_finding, assigned, load_demo_tariff


def _text(path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_paper_form_prefills_members_and_asks_every_item(admin_ctx, tmp_path) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K-1", "H1")
    add_finding(admin_ctx, "H1", "VEHICLE", "vehicle_registry", found=True)
    path = paper_form(admin_ctx.as_user("v1"), "K-1", tmp_path / "form.pdf")
    text = _text(path)
    assert "防贫保入户核查表" in text and "申请编号：K-1" in text
    assert "张三" in text and "户主" in text  # the members, by name and relation
    assert "330102********" in text  # ID numbers masked on paper too
    for label in ("家庭拥有消费型车辆", "家庭拥有铺面", "家庭成员开办公司或企业"):
        assert f"{label} ☐ 是　☐ 否" in text  # every negative-list question, 是/否 boxes
    assert "工资性收入" in text and "生产经营性支出" in text  # income lines
    assert "车管部门 家庭拥有消费型车辆 发现" in text  # the department's finding, to check
    assert "核查员签字" in text and "户主签字（按手印）" in text and "村干部签字" in text
    with admin_ctx.factory() as session:
        document = session.execute(select(Document).where(
            Document.kind == "verification_form")).scalar_one()
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_verifier_prints_only_their_own_claims(admin_ctx, tmp_path) -> None:
    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K-1", "H1")
    with pytest.raises(VerificationRefused):
        paper_form(admin_ctx.as_user("v2"), "K-1", tmp_path / "form.pdf")


def test_verify_form_command(admin_ctx, db_url, tmp_path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    load_demo_tariff(admin_ctx)
    assigned(admin_ctx, "K-1", "H1")
    out = tmp_path / "form.pdf"
    result = CliRunner().invoke(app, ["verify", "form", "K-1", "--pdf", str(out), "--db",
                                      db_url, "--as", "v1"])
    assert result.exit_code == 0, result.output
    assert "纸质核查表" in result.output and "☐ 是" in _text(out)
