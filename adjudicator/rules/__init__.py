"""The rules core (理算规则): every RULES.md concept written once.

Money and rounding, tariff bands, the checks, the decision and its trace, the columnar engine
that decides whole batches with the same rules, and the reason and negative-list codes. The
package is pure: it imports only the standard library, pydantic and `schemas` — no database, no
clock, no I/O beyond reading a tariff's bytes — so the same case and tariff give the same
decision and trace, byte for byte. A test walks its imports to keep it so.
"""
