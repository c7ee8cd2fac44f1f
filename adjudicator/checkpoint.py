"""Checkpoints an auditor keeps (签名检查点): the audit log's size and Merkle tree head, signed
with the county office's Ed25519 key, and proofs that one event is in the log.

The log is the event chain; its leaves are the events' hashes in seq order (each covers the
event's content and the hash before it). The tree head is the RFC 6962 / RFC 9162 Merkle tree
hash over them: a leaf is SHA-256(0x00 || event hash), a node SHA-256(0x01 || left ||
right). A checkpoint is that head with the tree size and the last event's hash, signed with
Ed25519 (`cryptography`). The private key lives in a file that `adjudicator init` creates,
never in the database: whoever can rewrite the database (even consistently, hashes and all)
cannot sign a checkpoint, and a rewrite of anything before a kept checkpoint changes its
tree head. An inclusion proof (RFC 9162 §2.1.3) shows one event — a payment, a decision — is
in the signed tree, checkable offline with `adjudicator log check-proof` and the public key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from adjudicator.messages import Message, Refused, os_reason
from adjudicator.storage.events import canonical, event_hash
from adjudicator.storage.models import ChainHead, Event

ORIGIN = "adjudicator audit log (防贫保理算审计日志)"
DEFAULT_KEY = Path("checkpoint-key.pem")


class CheckpointError(Refused):
    """A checkpoint or proof that does not hold, or cannot be made; says why, in both
    languages (`exc.localized()`)."""


# --------------------------------------------------------------------------- Merkle tree


def leaf_hash(event_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(event_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def tree_head(leaves: Iterable[bytes]) -> tuple[int, bytes]:
    """(size, RFC 6962 Merkle tree hash) of leaf hashes, streamed: a stack of the perfect
    subtrees so far (one per bit of the size), folded right to left at the end."""
    stack: list[tuple[int, bytes]] = []
    size = 0
    for leaf in leaves:
        size += 1
        stack.append((1, leaf))
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            (count, right), (_, left) = stack.pop(), stack.pop()
            stack.append((count * 2, node_hash(left, right)))
    if not stack:
        return 0, hashlib.sha256(b"").digest()
    root = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        root = node_hash(left, root)
    return size, root


def _subtree(leaves: Sequence[bytes]) -> bytes:
    return tree_head(leaves)[1]


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """RFC 6962 PATH(m, D[n]): the sibling hashes from the leaf up to the root."""
    n = len(leaves)
    if n <= 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)  # the largest power of two below n
    if index < k:
        return [*inclusion_path(leaves[:k], index), _subtree(leaves[k:])]
    return [*inclusion_path(leaves[k:], index - k), _subtree(leaves[:k])]


def root_from_path(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """RFC 9162 §2.1.3.2: the root an inclusion proof leads to (CheckpointError if the
    proof does not fit the size)."""
    if not 0 <= index < size:
        raise CheckpointError(Message("checkpoint.leaf_outside", index=index, size=size))
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise CheckpointError(Message("checkpoint.path_too_long"))
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise CheckpointError(Message("checkpoint.path_incomplete"))
    return r


# --------------------------------------------------------------------------- keys


def key_path(path: Path | None = None) -> Path:
    """The private key file: the given one, $ADJUDICATOR_CHECKPOINT_KEY, or
    checkpoint-key.pem in the working directory."""
    return path or Path(os.environ.get("ADJUDICATOR_CHECKPOINT_KEY") or DEFAULT_KEY)


def public_path(key: Path) -> Path:
    return key.with_name(key.name.removesuffix(".pem") + ".pub.pem")


def create_key(path: Path | None = None) -> tuple[Path, bool]:
    """The county office's signing key, created once (mode 0600) with its public half
    beside it; an existing key is kept. Returns (path, created). CheckpointError when what
    is there is not such a key (a folder, another file) or the key cannot be written."""
    path = key_path(path)
    if path.exists():
        _private(path)  # a key indeed, never a folder or another file said to be "kept"
        return path, False
    private = Ed25519PrivateKey.generate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(private.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        public_path(path).write_bytes(private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    except OSError as exc:
        raise CheckpointError(Message("checkpoint.key_unwritable", path=path,
                                      reason=os_reason(exc))) from None
    return path, True


def _private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise CheckpointError(Message("checkpoint.key_unreadable", path=path,
                                      reason=os_reason(exc))) from exc
    except (ValueError, TypeError) as exc:
        raise CheckpointError(Message("checkpoint.not_a_key", path=path)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(Message("checkpoint.not_ed25519_key", path=path))
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """A public key file, or the public half of a private key file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CheckpointError(Message("checkpoint.public_unreadable", path=path,
                                      reason=os_reason(exc))) from exc
    if b"PRIVATE KEY" in data:
        return _private(path).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise CheckpointError(Message("checkpoint.not_a_public_key", path=path)) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(Message("checkpoint.not_ed25519_public", path=path))
    return key


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


# --------------------------------------------------------------------------- checkpoints


def _leaves(session: Session, size: int | None = None) -> Iterable[bytes]:
    query = select(Event.hash).order_by(Event.seq)
    if size is not None:
        query = query.where(Event.seq <= size)
    for digest in session.execute(query.execution_options(yield_per=5000)).scalars():
        yield leaf_hash(digest)


def _body(data: dict[str, Any]) -> bytes:
    return canonical({k: data[k] for k in ("origin", "tree_size", "root_hash", "head_hash",
                                           "issued_at", "key_id")}).encode()


def write_checkpoint(session: Session, out: Path, key: Path | None = None,
                     now: dt.datetime | None = None) -> dict[str, Any]:
    """Sign the log's current size and tree head into `out` (JSON)."""
    private = _private(key_path(key))
    head = session.execute(select(ChainHead.seq, ChainHead.hash).where(ChainHead.id == 1)
                           ).one_or_none()
    size = 0 if head is None else head.seq
    counted, root = tree_head(_leaves(session, size))
    if counted != size:
        raise CheckpointError(Message("checkpoint.head_ahead", size=size, counted=counted))
    data: dict[str, Any] = {
        "origin": ORIGIN, "tree_size": size, "root_hash": root.hex(),
        "head_hash": None if head is None else head.hash,
        "issued_at": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "key_id": key_id(private.public_key())}
    data["signature"] = base64.b64encode(private.sign(_body(data))).decode()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    return data


def read_checkpoint(path: Path, public: Ed25519PublicKey) -> dict[str, Any]:
    """A checkpoint file whose signature holds under `public`."""
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CheckpointError(_unreadable("checkpoint", path, exc)) from exc
    return signed(data, public)


def _unreadable(what: str, path: Path, exc: Exception) -> Message:
    """Why a checkpoint or proof file (`what`: "checkpoint" or "proof") cannot be read: the
    system's reason for a file it cannot open, else that it is not such a file."""
    if isinstance(exc, OSError):
        return Message(f"checkpoint.{what}_unreadable", path=path, reason=os_reason(exc))
    return Message(f"checkpoint.{what}_not_json", path=path)


def signed(data: Any, public: Ed25519PublicKey) -> dict[str, Any]:
    """The checkpoint's data, once its signature holds under `public`."""
    try:
        signature = base64.b64decode(data["signature"])
        body = _body(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(Message("checkpoint.incomplete", missing=exc) if isinstance(
            exc, KeyError) else Message("checkpoint.malformed")) from exc
    try:
        public.verify(signature, body)
    except InvalidSignature as exc:
        raise CheckpointError(Message("checkpoint.bad_signature")) from exc
    return data  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Extends:
    """The current log extends a checkpointed one."""

    checkpoint_size: int
    current_size: int
    issued_at: str

    def message(self) -> Message:
        return Message("log.extends", issued_at=self.issued_at, size=self.checkpoint_size,
                       current=self.current_size)

    def as_dict(self) -> dict[str, Any]:
        return {"checkpoint_size": self.checkpoint_size, "current_size": self.current_size,
                "issued_at": self.issued_at, "ok": True}


def verify_checkpoint(session: Session, path: Path, public_key: Path | None = None
                      ) -> Extends:
    """Prove the current log extends the checkpointed one: the signature holds, and the
    first `tree_size` events give the signed tree head (so none of them was rewritten,
    removed or reordered, however consistently), and the log has not shrunk."""
    public = load_public(public_key or public_path(key_path()))
    data = read_checkpoint(path, public)
    size = int(data["tree_size"])
    counted, root = tree_head(_leaves(session, size))
    if counted < size:
        raise CheckpointError(Message("checkpoint.log_truncated", counted=counted, size=size))
    if root.hex() != data["root_hash"]:
        raise CheckpointError(Message("checkpoint.log_rewritten", size=size,
                                      issued=data["issued_at"]))
    current = session.execute(select(ChainHead.seq).where(ChainHead.id == 1)).scalar() or 0
    return Extends(size, current, data["issued_at"])


# --------------------------------------------------------------------------- proofs


def _event_fields(row: Any) -> dict[str, Any]:
    return {"seq": row.seq, "at": row.at, "actor": row.actor, "kind": row.kind,
            "entity_type": row.entity_type, "entity_id": row.entity_id,
            "payload": row.payload, "prev_hash": row.prev_hash, "hash": row.hash}


def prove(session: Session, claim_id: str, checkpoint: Path, public_key: Path | None = None
          ) -> dict[str, Any]:
    """An inclusion proof of the claim's payout — its last payment event, or else its last
    decision event — in the tree a checkpoint signed. The proof carries the event itself
    (so its amount is read from what is proven), the path and the checkpoint."""
    public = load_public(public_key or public_path(key_path()))
    data = read_checkpoint(checkpoint, public)
    size = int(data["tree_size"])
    columns = [Event.__table__.c[name] for name in (
        "seq", "at", "actor", "kind", "entity_type", "entity_id", "payload", "prev_hash",
        "hash")]
    row = None
    for kind in ("payment.made", "decision.made"):
        row = session.execute(select(*columns).where(
            Event.entity_id == claim_id, Event.kind == kind, Event.seq <= size)
            .order_by(Event.seq.desc()).limit(1)).one_or_none()
        if row is not None:
            break
    if row is None:
        raise CheckpointError(Message("checkpoint.claim_not_inside", size=size,
                                      claim=claim_id))
    leaves = list(_leaves(session, size))
    if _subtree(leaves).hex() != data["root_hash"]:
        raise CheckpointError(Message("checkpoint.log_differs"))
    path = inclusion_path(leaves, row.seq - 1)
    return {"claim_id": claim_id, "event": _event_fields(row), "leaf_index": row.seq - 1,
            "path": [p.hex() for p in path], "checkpoint": data}


@dataclass(frozen=True)
class ProofChecked:
    claim_id: str
    kind: str
    amount: str | None
    seq: int
    tree_size: int
    issued_at: str

    def message(self) -> Message:
        what = Message("log.proof_payment" if self.kind == "payment.made"
                       else "log.proof_decision")
        amount = "" if self.amount is None else Message("log.proof_amount", amount=self.amount)
        return Message("log.proof_holds", claim=self.claim_id, what=what, amount=amount,
                       seq=self.seq, issued_at=self.issued_at, size=self.tree_size)


def check_proof(proof_file: Path, public_key: Path) -> ProofChecked:
    """Check a proof offline: the checkpoint's signature, the event's own hash, and the path
    from its leaf to the signed tree head. No database."""
    try:  # every part of the proof read here: a part missing is a file that is not a proof
        proof = orjson.loads(proof_file.read_bytes())
        event = proof["event"]
        path = [bytes.fromhex(p) for p in proof["path"]]
        checkpoint, leaf_index = proof["checkpoint"], int(proof["leaf_index"])
        digest = event_hash(event["seq"], event["at"], event["actor"], event["kind"],
                            event["entity_type"], event["entity_id"], event["payload"],
                            event["prev_hash"])
        claimed, payload = event["hash"], orjson.loads(event["payload"])
        if not isinstance(payload, dict):
            raise TypeError("the event's payload is not an object")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CheckpointError(_unreadable("proof", proof_file, exc)) from exc
    data = signed(checkpoint, load_public(public_key))
    if digest != claimed:
        raise CheckpointError(Message("checkpoint.event_altered"))
    root = root_from_path(leaf_index, int(data["tree_size"]), leaf_hash(digest), path)
    if root.hex() != data["root_hash"]:
        raise CheckpointError(Message("checkpoint.root_differs"))
    amount = payload.get("amount", payload.get("payout"))
    return ProofChecked(event["entity_id"], event["kind"],
                        None if amount is None else str(amount), event["seq"],
                        int(data["tree_size"]), data["issued_at"])
