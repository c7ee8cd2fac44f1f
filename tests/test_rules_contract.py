"""The rules core's import contract: `adjudicator.rules` sits at the bottom.

It imports the standard library, a few pure third-party libraries (pydantic, numpy, orjson,
msgspec) and `schemas`, and nothing else of this project: no storage, services, documents,
web or CLI.
The test walks the import statements with `ast` (module level and inside functions), and
follows every first-party module they reach, so that a module of `schemas` importing, say,
`adjudicator.messages` would be caught too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "adjudicator" / "rules"
#: Third-party libraries the core may use: pure computation, no I/O of their own.
#: msgspec: the columnar engine's first case filter (schemas/case_reader.py) decodes JSON
#: into Structs with it; like orjson it only parses and checks, with no I/O.
PURE_LIBRARIES = {"pydantic", "pydantic_core", "numpy", "orjson", "typing_extensions",
                  "msgspec"}
FIRST_PARTY = {"adjudicator", "schemas"}
#: First-party modules the core may reach: itself, the package that holds it, `schemas`.
ALLOWED_FIRST_PARTY = ("adjudicator.rules", "schemas")


def _source(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module an import statement of the file names (absolute, resolved)."""
    module = _module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            found.add(name)
            # `from package import module` imports the module.
            for alias in node.names:
                if _source(f"{name}.{alias.name}") is not None:
                    found.add(f"{name}.{alias.name}")
    return found


def _parents(module: str) -> list[str]:
    """A module's packages, which importing it runs first."""
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def reachable() -> dict[str, set[str]]:
    """Each first-party module reached from the rules package, with what it imports."""
    todo = [_module_of(path) for path in sorted(RULES.glob("*.py"))]
    seen: dict[str, set[str]] = {}
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        source = _source(module)
        assert source is not None, module
        seen[module] = names = imports_of(source)
        for name in sorted(names) + _parents(module):
            if name.split(".")[0] in FIRST_PARTY and _source(name) is not None:
                todo.append(name)
    return seen


def test_the_walk_sees_the_rules_modules_and_what_they_import() -> None:
    graph = reachable()
    assert "adjudicator.rules.columnar" in graph
    assert "schemas.case_fast" in graph["adjudicator.rules.columnar"]
    assert "numpy" in graph["adjudicator.rules.columnar"]
    # A function-level import is an import too.
    assert imports_of(ROOT / "tests" / "test_rules_contract.py") >= {"ast", "pytest"}


def test_rules_reaches_no_first_party_module_outside_rules_and_schemas() -> None:
    graph = reachable()
    outside = sorted(module for module in graph
                     if module not in ("adjudicator",)
                     and not module.startswith(ALLOWED_FIRST_PARTY))
    assert outside == [], f"the rules core reaches {outside}"


def test_rules_imports_only_the_standard_library_and_pure_libraries() -> None:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    problems = []
    for module, names in sorted(reachable().items()):
        for name in sorted(names):
            top = name.split(".")[0]
            if top in FIRST_PARTY:
                continue
            if top not in stdlib and top not in PURE_LIBRARIES:
                problems.append(f"{module} imports {name}")
    assert problems == []


@pytest.mark.parametrize("module", ["adjudicator"])
def test_the_top_package_imports_only_the_rules(module: str) -> None:
    """Importing `adjudicator.rules` runs `adjudicator/__init__.py` first: it stays thin."""
    source = _source(module)
    assert source is not None
    first_party = {name for name in imports_of(source) if name.split(".")[0] in FIRST_PARTY}
    assert all(name.startswith("adjudicator.rules") for name in first_party), first_party
