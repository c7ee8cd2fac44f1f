"""Tariff tables shipped with the package: one TOML file per region and period."""

from __future__ import annotations

from pathlib import Path

TARIFF_DIR = Path(__file__).resolve().parent


def shipped_tariff_paths() -> list[Path]:
    """Every tariff file shipped with the package, sorted by name."""
    return sorted(TARIFF_DIR.glob("*.toml"))


def demo_tariff_path() -> Path:
    return TARIFF_DIR / "demo-county-2026.toml"
