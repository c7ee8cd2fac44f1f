"""Names of townships (乡镇) and villages (村) by their codes, as the household register gives
them: every page, table and document shows the name, the code only where a person needs it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from adjudicator.storage.context import Context
from adjudicator.storage.models import Household


def place_names(ctx: Context, codes: Iterable[str] | None = None) -> dict[str, str]:
    """Code -> name of every township (9 digits) and village (12 digits) the register names
    (only those of `codes`, when given). A village's name is "乡镇 村" when its township has one."""
    wanted = set(codes) if codes is not None else None
    names: dict[str, str] = {}
    with ctx.factory() as session:
        rows = session.execute(select(Household.township_code, Household.township_name,
                                      Household.village_code, Household.village_name)
                               .distinct())
        for township_code, township, village_code, village in rows:
            if township:
                names.setdefault(township_code, township)
            if village:
                names.setdefault(village_code, f"{township} {village}" if township
                                 else village)
    if wanted is not None:
        names = {code: name for code, name in names.items() if code in wanted}
    return names
