"""The paper verification form (纸质入户核查表): many visits happen without a phone signal, so the
verifier prints the claim's form blank, fills it in at the household by hand, and enters it
afterwards (on the phone or with `adjudicator verify record`)."""

from __future__ import annotations

from pathlib import Path

from adjudicator.documents.formatting import format_date
from adjudicator.documents.models import CLAIM_CATEGORY_LABELS
from adjudicator.masking import mask_id_number
from adjudicator.services.notices import store_document
from adjudicator.services.verification import SOURCE_LABELS, verification_template
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import Claim, Household, User
from adjudicator.web.labels import RELATION_LABELS


def paper_form(ctx: Context, claim_id: str, path: Path) -> Path:
    """Write the blank paper form of `claim_id` as PDF to `path` and record it (SHA-256 in
    the chain). Who may: as `verify template` (a verifier for their own assignments only)."""
    from adjudicator.documents.render import render_verification_form

    form = verification_template(ctx, claim_id)
    with ctx.factory() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None  # verification_template found it
        household = session.get(Household, claim.household_id)
        assert household is not None
        verifier = session.get(User, claim.assigned_verifier) if claim.assigned_verifier else None
    data = {
        "claim_id": claim_id, "household_id": form.household_id,
        "township": household.township_name or household.township_code,
        "village": household.village_name or household.village_code,
        "category": CLAIM_CATEGORY_LABELS.get(claim.category, claim.category),
        "event_date": format_date(claim.event_date) or "",
        "due": format_date(claim.verification_due) if claim.verification_due else "",
        "verifier": verifier.display_name if verifier is not None else "",
        "members": [{"member_id": m.member_id, "name": m.name or "",
                     "relation": RELATION_LABELS.get(m.relation or "", m.relation or ""),
                     "id_number": mask_id_number(m.id_number) if m.id_number else ""}
                    for m in form.members],
        "income": [line.label or line.kind for line in form.income],
        "costs": [line.label or line.kind for line in form.costs] or ["生产经营性支出"],
        "questions": [item.label or item.item for item in form.negative_list],
        "findings": [{"source": SOURCE_LABELS.get(f.source, f.source),
                      "item": next((i.label for i in form.negative_list if i.item == f.item),
                                   None) or f.item,
                      "found": "发现" if f.found else "未发现"} for f in form.findings],
    }
    pdf = render_verification_form(data)
    with transaction(ctx.factory) as session:
        events: list[PendingEvent] = []
        store_document(session, ctx, "verification_form", claim_id, path, pdf, events)
        append_events(session, ctx.user_id, ctx.now(), events)
    return path
