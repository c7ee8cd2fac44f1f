"""No name, ID number or bank account ever reaches a log line."""

from __future__ import annotations

import json

import pytest
import structlog

from adjudicator.logs import configure_logging, get_logger
from tests.casebuilder import valid_id


@pytest.fixture(autouse=True)
def _restore_structlog():
    yield
    structlog.reset_defaults()  # later tests must not log into this test's captured stream


def test_personal_data_is_scrubbed_from_log_lines(capsys) -> None:
    configure_logging(json=True)
    number = valid_id()
    log = get_logger("test")
    log.info("claim.imported", claim_id="K-1", name="张三丰", id_number=number,
             detail=f"matched member {number} account 6222021234567890123")
    line = capsys.readouterr().err.strip()
    record = json.loads(line)
    assert "张三丰" not in line and number not in line and "6222021234567890123" not in line
    assert record["claim_id"] == "K-1"
    assert record["detail"] == f"matched member {number[:6]}********{number[-4:]} account ****0123"
