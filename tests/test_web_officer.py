"""Officer pages: the pend queue of their townships with each decision in words, reviews
(maker-checker), notices and their PDFs, sampling audits, the summary report — on SQLite
and PostgreSQL."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from pypdf import PdfReader

from tests.e2e.fixtures import world_fixture  # noqa: F401
from tests.e2e.webworld import World


def test_the_pend_queue_is_scoped_to_the_officers_townships(world: World) -> None:
    everyone, _ = world.client("off")
    page = everyone.get("/officer/pending").text
    assert all(claim in page for claim in ("P1", "P2", "P3")) and "74,500.00" in page
    assert "救助金额达到大额复核标准，需人工复核。" in page
    assert "示范镇 示范村" in page and "乡镇 330102" not in page  # names, not codes
    township, token = world.client("off2")  # townships 330102002 only
    mine = township.get("/officer/pending").text
    # Links, not bare ids: the page also carries a random CSRF token that may contain "P1".
    assert '/officer/claims/P2"' in mine
    assert '/officer/claims/P1"' not in mine and '/officer/claims/P3"' not in mine
    before = world.fingerprint()
    refused = township.post("/officer/claims/P1/review", data={
        "csrf_token": token, "action": "approve", "reason": "越权"})
    assert refused.status_code == 403 and "不属于您负责的乡镇" in refused.text
    assert world.fingerprint() == before


def test_a_claim_in_words_with_its_figures(world: World) -> None:
    client, _ = world.client("off")
    page = client.get("/officer/claims/P1").text
    for words in ("申请 P1（因病）：待人工审核，赔付 74500.00 元。",
                  "人均纯收入 = (纯收入 40000.00", "赔付 74500.00 元达到大额审核线 30000.00 元",
                  "-20,000.00", "49,000.00",
                  "大额赔付待审核", "审核理由（必填）"):
        assert words in page, words
    missing = client.get("/officer/claims/NOPE")
    assert missing.status_code == 404 and "没有这个案件" in missing.text


def test_reviews_need_a_reason_and_never_the_officers_own_verification(world: World) -> None:
    client, token = world.client("off")
    before = world.fingerprint()
    no_reason = client.post("/officer/claims/P1/review", data={
        "csrf_token": token, "action": "approve", "reason": "  "})
    assert no_reason.status_code == 422 and "请填写审核理由" in no_reason.text
    own = client.post("/officer/claims/P3/review", data={
        "csrf_token": token, "action": "approve", "reason": "同意"})
    assert own.status_code == 403 and "必须由另一人审核" in own.text
    assert "核查过案件 P3" in own.text  # the service's own message, shown below
    verifier, v_token = world.client("v2")
    role = verifier.post("/officer/claims/P1/review", data={
        "csrf_token": v_token, "action": "approve", "reason": "同意"})
    assert role.status_code == 403
    assert world.fingerprint() == before
    done = client.post("/officer/claims/P1/review", data={
        "csrf_token": token, "action": "deny", "reason": "经复核不符合条件"})
    assert done.status_code == 303 and world.status("P1") == "denied"
    again = client.post("/officer/claims/P1/review", data={
        "csrf_token": token, "action": "approve", "reason": "再审"})
    assert again.status_code == 409 and "不在待审核状态" in again.text


def test_notices_are_posted_downloaded_masked_and_closed(world: World) -> None:
    client, token = world.client("off")
    client.post("/officer/claims/P1/review", data={"csrf_token": token, "action": "approve",
                                                   "reason": "核实无误"})
    created = client.post("/officer/notices", data={"csrf_token": token})
    assert created.status_code == 200 and "已生成 1 份公示" in created.text
    number = re.search(r'href="/officer/notices/([^"/]+)/pdf"', created.text).group(1)
    assert world.status("P1") == "in_notice"
    pdf = client.get(f"/officer/notices/{number}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "张*" in text and "张三" not in text and "74,500.00" in text
    before = world.fingerprint()
    early = client.post(f"/officer/notices/{number}/close", data={"csrf_token": token})
    assert early.status_code == 409 and "公示期尚未结束" in early.text
    assert world.fingerprint() == before
    world.clock.advance(days=7)
    client, token = world.client("off")
    closed = client.post(f"/officer/notices/{number}/close", data={"csrf_token": token})
    assert closed.status_code == 303 and world.status("P1") == "closed"
    assert "已结束" in client.get(closed.headers["location"]).text


def test_sampling_audit_and_summary_report(world: World) -> None:
    client, token = world.client("off")
    bad = client.post("/officer/audit/samples", data={"csrf_token": token, "rate": "2",
                                                      "seed": "7"})
    assert bad.status_code == 422 and "抽样比例" in bad.text
    drawn = client.post("/officer/audit/samples", data={"csrf_token": token, "rate": "0.5",
                                                         "seed": "7"})
    assert drawn.status_code == 200 and "已抽取样本 1" in drawn.text
    report = client.get("/officer/audit/report?sample=1")
    assert report.status_code == 200 and "按核查员" in report.text and "v2" in report.text
    xlsx = client.get("/officer/audit/report.xlsx?sample=1")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "按核查员"
    summary = client.get("/officer/report?year=2026")
    assert summary.status_code == 200 and "本期共入户核查" in summary.text
    assert "bar-fill" in summary.text and "分救助类别情况" in summary.text
    sheet = client.post("/officer/report/download", data={"csrf_token": token,
                                                           "format": "xlsx", "year": "2026"})
    assert sheet.status_code == 200
    assert "总体情况" in load_workbook(io.BytesIO(sheet.content)).sheetnames
    pdf = client.post("/officer/report/download", data={"csrf_token": token, "format": "pdf",
                                                        "year": "2026"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert "本期共入户核查3户" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert len(list((world.tmp / "documents" / "reports").glob("summary-2026-*"))) == 2
    auditor, _ = world.client("aud")
    assert auditor.get("/officer/audit/report").status_code == 200
    refused = auditor.post("/officer/audit/samples", data={
        "csrf_token": _, "rate": "0.5", "seed": "8"})
    assert refused.status_code == 403


def _png(seed: str, width: int = 160, height: int = 120) -> bytes:
    """A real PNG picture (a receipt-coloured card with stripes), different per `seed`."""
    import struct
    import zlib

    shade = sum(seed.encode()) % 60
    rows = b"".join(b"\x00" + b"".join(
        bytes((200 + shade, 190, 150)) if (x // 12 + y // 12) % 2 else bytes((240, 235, 220))
        for x in range(width)) for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _photo(world: World, claim_id: str) -> tuple[int, bytes]:
    """A photo of the claim's verification, stored as the web app stores uploads."""
    import hashlib

    from sqlalchemy import select

    from adjudicator.storage.db import transaction
    from adjudicator.storage.models import Verification
    from adjudicator.storage.models_audit import VerificationEvidence

    data = _png(claim_id)
    digest = hashlib.sha256(data).hexdigest()
    folder = world.tmp / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{digest}.png").write_bytes(data)
    with transaction(world.ctx.factory) as session:
        verification = session.execute(select(Verification.pk).where(
            Verification.claim_id == claim_id)).scalars().first()
        row = VerificationEvidence(claim_id=claim_id, verification_pk=verification,
                                   kind="photo", ref=f"{digest}.png", sha256=digest,
                                   note="住院发票")
        session.add(row)
        session.flush()
        return row.pk, data


def test_the_pended_claim_shows_what_a_reviewer_needs(world: World) -> None:
    """Regression: the page of a pended claim showed no claimant, household, village,
    document number, itemised income or evidence photos, and reasons as codes."""
    pk, _ = _photo(world, "P1")
    client, _ = world.client("off")
    page = client.get("/officer/claims/P1").text
    for words in ("张三", "（户主）", "330102********", "示范镇 示范村", "H4（边缘易致贫户）",
                  "单据号</dt><dd>P1", "工资性收入", "40,000.00", "家庭拥有消费型车辆",
                  "示范县2026年度防贫保障标准", "大额赔付待审核", "住院发票",
                  f'src="/officer/claims/P1/evidence/{pk}"'):
        assert words in page, words
    assert "PEND_LARGE_PAYOUT" not in page and "demo-county/2026" not in page


def test_evidence_photos_only_through_the_app_with_role_checks(world: World) -> None:
    pk, data = _photo(world, "P1")
    url = f"/officer/claims/P1/evidence/{pk}"
    for user in ("off", "aud"):
        client, _ = world.client(user)
        photo = client.get(url)
        assert photo.status_code == 200 and photo.content == data, user
        assert photo.headers["content-type"] == "image/png"
        assert "no-store" in photo.headers["cache-control"]
    assert world.client()[0].get(url).status_code in (302, 303, 401)  # not signed in
    assert world.client("v2")[0].get(url).status_code == 403  # a verifier
    assert world.client("off2")[0].get(url).status_code == 403  # another township
    officer, _ = world.client("off")
    assert officer.get(f"/officer/claims/P2/evidence/{pk}").status_code in (403, 404)
    assert officer.get("/officer/claims/P1/evidence/99999").status_code == 404
    for path in (world.tmp / "evidence").glob("*.png"):
        path.write_bytes(data + b"changed")
    assert officer.get(url).status_code == 409  # a changed file is never served


def test_a_number_too_large_for_the_database_finds_nothing(world: World) -> None:
    """?sample=999…9 (30 digits) on the audit report, its PDF and XLSX, and an evidence file
    of that number ended in a 500 (OverflowError from the database driver)."""
    huge = "9" * 30
    auditor, _ = world.client("aud")
    for path in ("/officer/audit/report", "/officer/audit/report.pdf",
                 "/officer/audit/report.xlsx"):
        answer = auditor.get(f"{path}?sample={huge}")
        assert answer.status_code in (404, 409, 422), (path, answer.status_code)
        assert f"没有第 {huge} 号样本" in answer.text
    officer, _ = world.client("off")
    evidence = officer.get(f"/officer/claims/P1/evidence/{huge}")
    assert evidence.status_code == 404 and "没有这份佐证材料" in evidence.text


def test_a_sampling_rate_of_nan_is_refused_not_a_500(world: World) -> None:
    """The sampling form's rate NaN (or sNaN) reached the service's comparisons, which raise
    InvalidOperation on NaN: the page answered 500 and logged a traceback."""
    client, token = world.client("off")
    before = world.fingerprint()
    for rate in ("NaN", "sNaN", "Infinity"):
        answer = client.post("/officer/audit/samples", data={"csrf_token": token,
                                                            "rate": rate, "seed": "1"})
        assert answer.status_code == 422 and "抽样比例应为大于 0、不超过 1" in answer.text
    assert world.fingerprint() == before
