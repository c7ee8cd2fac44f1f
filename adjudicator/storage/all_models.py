"""Imports every module that defines tables, so `Base.metadata` knows the whole schema.

Feature modules keep their tables in `adjudicator/storage/models_<feature>.py` (on the same
`Base`) with a migration branch of their own from 0001 (migrations run `upgrade heads`).
"""

from adjudicator.storage import (
    models,  # noqa: F401
    models_audit,  # noqa: F401
    models_calendar,  # noqa: F401
    models_feeds,  # noqa: F401
    models_fund,  # noqa: F401
    models_notice,  # noqa: F401
    models_office,  # noqa: F401
    models_web,  # noqa: F401
)
from adjudicator.storage.models import Base

__all__ = ["Base"]
