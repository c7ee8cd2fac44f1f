"""The demo's closing step: the money checked against the chain, a signed checkpoint written
and verified, and one payout proven in it (as docs/operations.md's auditor does)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from adjudicator.messages import Message
from adjudicator.storage.context import Context


def checkpoint_step(ctx: Context, out_dir: Path, paid: list[str],
                    step: Callable[[Message], None]) -> dict[str, Any]:
    """Check every money row against the chain, sign a checkpoint with a key created in
    `out_dir`, verify the log against it, and prove the first paid claim's payment."""
    from adjudicator.checkpoint import (
        check_proof,
        create_key,
        prove,
        public_path,
        verify_checkpoint,
        write_checkpoint,
    )
    from adjudicator.services.integrity import verify_records

    problems = verify_records(ctx)
    key, _ = create_key(out_dir / "checkpoint-key.pem")
    checkpoint = out_dir / "checkpoint.json"
    with ctx.factory() as session:
        data = write_checkpoint(session, checkpoint, key, ctx.clock())
        extends = verify_checkpoint(session, checkpoint, public_path(key))
        proof_file = None
        if paid:
            proof_file = out_dir / f"proof-{paid[0]}.json"
            proof = prove(session, paid[0], checkpoint, public_path(key))
            proof_file.write_bytes(orjson.dumps(proof, option=orjson.OPT_INDENT_2))
    proven = check_proof(proof_file, public_path(key)) if proof_file is not None else None
    agree = (Message("demo.rows_agree") if not problems
             else Message("demo.rows_differ", count=len(problems)))
    step(Message("demo.trust", agree=agree, checkpoint=checkpoint.name, size=data["tree_size"],
                 unchanged=extends.checkpoint_size,
                 proof=Message("demo.proof", claim=proven.claim_id, file=proof_file.name)
                 if proven is not None and proof_file is not None else ""))
    return {"records_ok": not problems, "checkpoint": checkpoint, "proof": proof_file}
