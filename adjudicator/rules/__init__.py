"""The rules core (理算规则): every RULES.md concept written once.

Money and rounding, tariff bands, the checks, the decision and its trace (whose steps are
built in one place, `steps`), the columnar engine that decides whole batches with the same
rules, a claim's history, waiting and tariff choice, and the reason and negative-list codes.
The package is pure: it imports only the standard library, pure libraries (pydantic, numpy,
orjson) and `schemas` — no database, no clock, no I/O beyond reading a tariff's bytes — so the
same case and tariff give the same decision and trace, byte for byte.
tests/test_rules_contract.py walks its imports to keep it so.
"""
