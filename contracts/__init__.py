"""Fund contracts (约定盈亏、年度核算) shipped with the package: one TOML file per county
and year."""

from __future__ import annotations

from pathlib import Path

CONTRACT_DIR = Path(__file__).resolve().parent


def shipped_contract_paths() -> list[Path]:
    """Every contract file shipped with the package, sorted by name."""
    return sorted(CONTRACT_DIR.glob("*.toml"))


def demo_contract_path() -> Path:
    return CONTRACT_DIR / "demo-county-2026.toml"
