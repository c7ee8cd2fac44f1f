"""Checkpoints an auditor keeps: the RFC 6962 tree head, signed; a consistent rewrite of the
chain by someone with database access is caught; a payout's proof is checked offline."""

from __future__ import annotations

import hashlib
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from adjudicator.checkpoint import (
    CheckpointError,
    check_proof,
    create_key,
    inclusion_path,
    leaf_hash,
    node_hash,
    prove,
    public_path,
    root_from_path,
    tree_head,
    verify_checkpoint,
    write_checkpoint,
)
from adjudicator.storage.append_only import guards_lifted
from adjudicator.storage.events import GENESIS, event_hash, verify_chain
from adjudicator.storage.models import ChainHead, Event
from tests.test_record_trust import _paid_claim


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1, as written: the reference the streamed tree head must equal."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


@given(st.integers(min_value=0, max_value=70))
def test_tree_head_and_every_inclusion_proof_match_rfc_6962(n: int) -> None:
    leaves = [leaf_hash(hashlib.sha256(str(i).encode()).hexdigest()) for i in range(n)]
    size, root = tree_head(leaves)
    assert (size, root) == (n, _mth(leaves))
    for index in range(n):
        path = inclusion_path(leaves, index)
        assert root_from_path(index, n, leaves[index], path) == root
        if n > 1:  # another leaf never proves on this path
            assert root_from_path(index, n, leaves[(index + 1) % n], path) != root


@pytest.fixture
def keyed(admin_ctx, clock, tmp_path: Path):
    _paid_claim(admin_ctx, clock)
    key, created = create_key(tmp_path / "keys" / "checkpoint-key.pem")
    assert created and key.stat().st_mode & 0o777 == 0o600
    assert create_key(key) == (key, False)  # kept, never replaced
    checkpoint = tmp_path / "checkpoint.json"
    with admin_ctx.factory() as session:
        write_checkpoint(session, checkpoint, key)
    return admin_ctx, key, checkpoint


def test_the_log_extends_its_checkpoint_and_a_consistent_rewrite_is_caught(keyed) -> None:
    ctx, key, checkpoint = keyed
    with ctx.factory() as session:
        held = verify_checkpoint(session, checkpoint, public_path(key))
    assert held.checkpoint_size == held.current_size > 0
    # Someone with the database's powers rewrites the payment's amount and every hash after
    # it, and the chain head: the chain alone reads intact.
    with ctx.engine.begin() as connection, guards_lifted(connection):
        rows = connection.execute(select(Event).order_by(Event.seq)).all()
        prev = GENESIS
        for row in rows:
            payload = row.payload.replace('"amount":"10500.00"', '"amount":"11500.00"')
            digest = event_hash(row.seq, row.at, row.actor, row.kind, row.entity_type,
                                row.entity_id, payload, prev)
            connection.execute(update(Event).where(Event.seq == row.seq).values(
                payload=payload, prev_hash=prev, hash=digest))
            prev = digest
        connection.execute(update(ChainHead).values(hash=prev))
    with ctx.factory() as session:
        assert verify_chain(session)[1] is None
        with pytest.raises(CheckpointError, match="were rewritten"):
            verify_checkpoint(session, checkpoint, public_path(key))


def test_a_truncated_log_or_a_forged_checkpoint_is_caught(keyed, tmp_path: Path) -> None:
    ctx, key, checkpoint = keyed
    forged = orjson.loads(checkpoint.read_bytes())
    forged["tree_size"] -= 1
    (tmp_path / "forged.json").write_bytes(orjson.dumps(forged))
    with ctx.factory() as session, pytest.raises(CheckpointError, match="signature does not hold"):
        verify_checkpoint(session, tmp_path / "forged.json", public_path(key))
    with ctx.engine.begin() as connection, guards_lifted(connection):
        last = connection.execute(select(Event.seq).order_by(Event.seq.desc())).scalar()
        connection.execute(text("DELETE FROM events WHERE seq = :s"), {"s": last})
    with ctx.factory() as session, pytest.raises(CheckpointError, match="truncated"):
        verify_checkpoint(session, checkpoint, public_path(key))


def test_a_payout_proof_is_checked_offline(keyed, tmp_path: Path) -> None:
    ctx, key, checkpoint = keyed
    with ctx.factory() as session:
        proof = prove(session, "K1", checkpoint, public_path(key))
    path = tmp_path / "proof.json"
    path.write_bytes(orjson.dumps(proof))
    checked = check_proof(path, public_path(key))
    assert (checked.claim_id, checked.kind, checked.amount) == ("K1", "payment.made",
                                                                "10500.00")
    proof["event"]["payload"] = proof["event"]["payload"].replace("10500.00", "11500.00")
    path.write_bytes(orjson.dumps(proof))
    with pytest.raises(CheckpointError, match="was altered"):
        check_proof(path, public_path(key))
    other, _ = create_key(tmp_path / "other.pem")
    proof = orjson.loads(orjson.dumps(prove_again(ctx, checkpoint, key)))
    path.write_bytes(orjson.dumps(proof))
    with pytest.raises(CheckpointError, match="signature does not hold"):
        check_proof(path, public_path(other))


def prove_again(ctx, checkpoint: Path, key: Path) -> dict:
    with ctx.factory() as session:
        return prove(session, "K1", checkpoint, public_path(key))
