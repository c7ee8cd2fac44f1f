"""抽样: the sample an officer draws — the statistics behind it and the reproducible,
stratified draw of verified claims (a seed and the population's digest make it repeatable)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adjudicator.messages import Message, Refused
from adjudicator.services.scope import scoped
from adjudicator.storage.context import Context
from adjudicator.storage.db import transaction
from adjudicator.storage.events import PendingEvent, append_events
from adjudicator.storage.models import (
    Claim,
    Household,
)
from adjudicator.storage.models import Verification as VerificationRow
from adjudicator.storage.models_audit import (
    AuditSample,
    AuditSampleItem,
)
from adjudicator.workflow import ClaimStatus

ZERO = Decimal(0)
S = ClaimStatus
#: The 97.5 % quantile of the standard normal distribution: a two-sided 95 % interval.
Z95 = 1.959963984540054


class AuditRefused(Refused):
    """The audit step cannot be done as asked; says why."""


# --------------------------------------------------------------------------- statistics


def wilson_interval(errors: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion errors/n (None when n is 0).

    Unlike the normal approximation it stays inside [0, 1] and is not degenerate at 0 or n
    errors, which is the usual case for a small audit sample: 0 of 10 gives [0, 0.2775].
    """
    if n <= 0:
        return None
    if not 0 <= errors <= n:
        raise ValueError(f"errors must be between 0 and n ({errors} of {n})")
    p = errors / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


# --------------------------------------------------------------------------- sampling


@dataclass(frozen=True, order=True)
class Unit:
    """One claim of the population: verified (submitted verification) and decided."""

    claim_id: str
    verifier_id: str
    township_code: str
    verification_pk: int
    decision_id: int

    @property
    def stratum(self) -> tuple[str, str]:
        return self.verifier_id, self.township_code


def population_digest(claim_ids: Iterable[str]) -> str:
    """SHA-256 of the sorted claim ids, one per line: names the population a seed drew from."""
    return hashlib.sha256("\n".join(sorted(claim_ids)).encode()).hexdigest()


def allocate(sizes: dict[tuple[str, str], int], rate: Decimal) -> dict[tuple[str, str], int]:
    """How many to draw per stratum (verifier, township).

    Each stratum gets the floor of its share rate x size. Every verifier with claims but
    nothing drawn then gets one, in their largest stratum (ties by township): an audit looks
    at every verifier's work. What is left of ceil(rate x population) goes to the largest
    fractional parts (ties by stratum), so the allocation is proportional, deterministic,
    and exceeds the target only by the per-verifier minimum.
    """
    total = sum(sizes.values())
    if total == 0:
        return {}
    target = int((rate * total).to_integral_value(rounding=ROUND_CEILING))
    shares = {key: rate * size for key, size in sizes.items()}
    counts = {key: int(share.to_integral_value(rounding=ROUND_FLOOR))
              for key, share in shares.items()}
    for verifier in sorted({key[0] for key in sizes}):
        own = [key for key in sizes if key[0] == verifier]
        if not any(counts[key] for key in own):
            counts[min(own, key=lambda k: (-sizes[k], k))] = 1
    left = target - sum(counts.values())
    for key in sorted(sizes, key=lambda k: (-(shares[k] - counts[k]), k)):
        if left <= 0:
            break
        if counts[key] < sizes[key]:
            counts[key] += 1
            left -= 1
    return counts


def draw(population: Sequence[Unit], rate: Decimal, seed: int
         ) -> tuple[list[Unit], dict[tuple[str, str], int]]:
    """The sample: strata in sorted order, each drawn with one `random.Random(seed)` from its
    claims sorted by claim id. The same seed and population give the same sample."""
    strata: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    for unit in sorted(population):
        strata[unit.stratum].append(unit)
    counts = allocate({key: len(units) for key, units in strata.items()}, rate)
    rng = random.Random(seed)
    chosen: list[Unit] = []
    for key in sorted(strata):
        chosen += rng.sample(strata[key], counts[key])
    return sorted(chosen), counts


def _population(session: Session, ctx: Context, date_from: dt.date | None,
                date_to: dt.date | None) -> list[Unit]:
    latest = (select(VerificationRow.claim_id, func.max(VerificationRow.pk).label("pk"))
              .where(VerificationRow.status == "submitted")
              .group_by(VerificationRow.claim_id).subquery())
    query = (select(Claim.claim_id, VerificationRow.verifier_id, Household.township_code,
                    VerificationRow.pk, Claim.current_decision_id)
             .join(latest, latest.c.claim_id == Claim.claim_id)
             .join(VerificationRow, VerificationRow.pk == latest.c.pk)
             .join(Household, Household.household_id == Claim.household_id)
             .where(Claim.current_decision_id.is_not(None)))
    if date_from is not None:
        query = query.where(VerificationRow.verified_on >= date_from)
    if date_to is not None:
        query = query.where(VerificationRow.verified_on <= date_to)
    query = scoped(ctx, query, Household.township_code)
    return sorted(Unit(c, v, t, pk, d or 0) for c, v, t, pk, d in session.execute(query))


@dataclass(frozen=True)
class SampleResult:
    sample_id: int
    seed: int
    rate: Decimal
    period_from: dt.date | None
    period_to: dt.date | None
    population_size: int
    population_sha256: str
    strata: list[dict[str, Any]]
    claims: list[Unit]

    def as_dict(self) -> dict[str, Any]:
        return {"sample_id": self.sample_id, "seed": self.seed, "rate": str(self.rate),
                "from": self.period_from.isoformat() if self.period_from else None,
                "to": self.period_to.isoformat() if self.period_to else None,
                "population_size": self.population_size,
                "population_sha256": self.population_sha256, "sample_size": len(self.claims),
                "strata": self.strata,
                "claims": [{"claim_id": u.claim_id, "verifier": u.verifier_id,
                            "township": u.township_code} for u in self.claims]}


def draw_sample(ctx: Context, *, rate: Decimal, seed: int, date_from: dt.date | None = None,
                date_to: dt.date | None = None) -> SampleResult:
    """Draw and record a stratified sample of the verified claims of the period (by the
    verification's visit date, both ends inclusive)."""
    ctx.require("audit.sample")
    if (not rate.is_finite() or not Decimal(0) < rate <= 1  # NaN: no comparison holds
            or rate != rate.quantize(Decimal("0.0001"))):
        raise AuditRefused(Message("audit.bad_rate", rate=rate))
    if not 0 <= seed < 2**63:
        raise AuditRefused(Message("audit.bad_seed"))
    if date_from and date_to and date_from > date_to:
        raise AuditRefused(Message("audit.bad_period", end=date_to, start=date_from))
    now = ctx.now()
    with transaction(ctx.factory) as session:
        population = _population(session, ctx, date_from, date_to)
        if not population:
            raise AuditRefused(Message("audit.empty_population"))
        chosen, counts = draw(population, rate, seed)
        sizes: dict[tuple[str, str], int] = defaultdict(int)
        for unit in population:
            sizes[unit.stratum] += 1
        strata = [{"verifier": v, "township": t, "population": sizes[(v, t)],
                   "sampled": counts[(v, t)]} for v, t in sorted(sizes)]
        digest = population_digest(u.claim_id for u in population)
        sample = AuditSample(drawn_by=ctx.user_id, drawn_at=now, seed=seed, rate=rate,
                             period_from=date_from, period_to=date_to,
                             population_size=len(population), population_sha256=digest,
                             sample_size=len(chosen), strata=strata)
        session.add(sample)
        session.flush()
        session.add_all(AuditSampleItem(sample_id=sample.sample_id, claim_id=u.claim_id,
                                        verifier_id=u.verifier_id, township_code=u.township_code,
                                        verification_pk=u.verification_pk,
                                        decision_id=u.decision_id) for u in chosen)
        append_events(session, ctx.user_id, now, [PendingEvent(
            "audit.sample_drawn", "audit_sample", str(sample.sample_id), {
                "seed": seed, "rate": str(rate), "from": date_from, "to": date_to,
                "population_size": len(population), "population_sha256": digest,
                "sample_size": len(chosen), "strata": strata,
                "claims": [u.claim_id for u in chosen]})])
        return SampleResult(sample.sample_id, seed, rate, date_from, date_to, len(population),
                            digest, strata, chosen)
