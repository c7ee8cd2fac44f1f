"""Write the JSON Schema files of the boundary models: `python -m schemas.generate`.

A test compares the checked-in files with what this would write, so they are never stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas.case import Case
from schemas.decision import Decision
from schemas.imports import (
    ClaimRow,
    DepartmentDataRow,
    HouseholdRow,
    VerificationFlatRow,
    VerificationImport,
)

SCHEMA_DIR = Path(__file__).resolve().parent

#: file name -> model; extended as new records cross the boundary.
MODELS: dict[str, type[BaseModel]] = {
    "case.schema.json": Case,
    "decision.schema.json": Decision,
    "import-household-row.schema.json": HouseholdRow,
    "import-claim-row.schema.json": ClaimRow,
    "import-verification.schema.json": VerificationImport,
    "import-verification-row.schema.json": VerificationFlatRow,
    "import-department-data-row.schema.json": DepartmentDataRow,
}


def render(model: type[BaseModel]) -> str:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    for name, model in MODELS.items():
        (SCHEMA_DIR / name).write_text(render(model), encoding="utf-8")
        print(f"wrote schemas/{name}")


if __name__ == "__main__":
    main()
