"""The columnar engine decides exactly as the scalar core: the same JSON line, byte for byte.

Differential tests: realistic generated counties under the demo tariff, and Hypothesis-made
tariffs (every option of RULES.md) with cases that visit every step (coverage, identity,
negative list and its contradictions, completeness, all categories, both income tests, the
exceptions, bands, rounding, the three caps, review; covered household categories, causes,
the parts of a loss, categories a tariff defines and amounts of another shape) and amounts up
to the contract's limits, where 64-bit integers no longer suffice. Cases the fast filter must
refuse (lax inputs, model-level errors) are checked to go the scalar way, and the whole
`evaluate` stream stays identical.
"""

from __future__ import annotations

import io
import json
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adjudicator.evaluate import evaluate_stream
from adjudicator.rules.columnar import ColumnarEngine, exact_scaled, fen_of, yuan
from adjudicator.rules.decision import adjudicate
from adjudicator.rules.idnumber import check_character
from adjudicator.rules.money import exact
from adjudicator.rules.tariff import Tariff, load_tariff, parse_tariff
from fixtures.generate import iter_cases
from schemas.case import Case
from tariffs import demo_tariff_path

DEMO = load_tariff(demo_tariff_path())
ITEMS = ["PUBLIC_SERVANT", "VEHICLE", "COMPANY", "COMMERCIAL_HOUSING", "SHOP", "CONCEALMENT",
         "LARGE_DEPOSITS", "HIRED_LABOR", "BOAT"]
SOURCES = ["housing", "bank", "vehicle_registry", "payroll", "business_registry"]
STAGES = ["compulsory", "high_school", "secondary_vocational", "college", "undergraduate",
          "postgraduate"]
HOUSEHOLD_CATEGORIES = ["unstable", "edge", "sudden_hardship", "low_income", "general"]
CAUSES = ["fire", "flood", "earthquake", "traffic", "theft", "other"]
#: Categories a generated tariff may define, with their shapes.
OWN_SHAPES = {"theft": "disaster", "livestock": "disaster", "injury": "medical",
              "training": "education"}
BUILTIN = {"accident": "medical"}
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def scalar_line(text: str | bytes, tariff: Tariff) -> bytes:
    return adjudicate(Case.model_validate_json(text), tariff).to_json().encode()


def assert_same_decisions(documents: list[bytes], tariff: Tariff) -> list[bool]:
    """Every document the columnar engine takes gives the scalar line; returns which it took."""
    results = ColumnarEngine(tariff).decide(documents)
    for document, result in zip(documents, results, strict=True):
        if result is not None:
            line, outcome = result.line, result.outcome
            expected = scalar_line(document, tariff)
            assert line == expected, _difference(line, expected)
            assert outcome == json.loads(expected)["outcome"]
    return [result is not None for result in results]


def _difference(got: bytes, expected: bytes) -> str:
    a, b = json.loads(got), json.loads(expected)
    keys = [k for k in b if a.get(k) != b[k]]
    if "trace" in keys:
        steps = [(x, y) for x, y in zip(a["trace"], b["trace"], strict=False) if x != y]
        return f"differs in {keys}; first trace step: {steps[:1]}"
    return f"differs in {keys}: {[(a.get(k), b[k]) for k in keys]}"


# -- realistic counties ---------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_generated_counties_decide_identically_and_all_take_the_fast_path(seed: int) -> None:
    documents = [orjson.dumps(case) for case in iter_cases(seed, 1500)]
    taken = assert_same_decisions(documents, DEMO)
    assert all(taken)


def test_worked_examples_decide_identically() -> None:
    from fixtures import SAMPLES_DIR

    documents = (SAMPLES_DIR / "worked-examples.jsonl").read_bytes().splitlines()
    assert len(documents) == 12
    assert all(assert_same_decisions(documents, DEMO))


# -- generated tariffs and cases --------------------------------------------------------------


def amount_text(fen: int, style: int) -> str:
    """Fen as one of the plain forms the contract accepts: "12", "12.3" or "12.34"."""
    whole, part = divmod(fen, 100)
    if part == 0 and style == 0:
        return str(whole)
    if part % 10 == 0 and style == 1:
        return f"{whole}.{part // 10}"
    return f"{whole}.{part:02d}"


@st.composite
def amounts(draw: st.DrawFn, top: int = 10**7) -> str:
    fen = draw(st.one_of(st.integers(0, top * 100), st.integers(0, 2_000_000),
                         st.just(0), st.integers(0, 10**13 - 1)))
    return amount_text(fen, draw(st.integers(0, 2)))


def ratio_text(numerator: int, digits: int) -> str:
    return exact_scaled(numerator, digits)


@st.composite
def tariffs(draw: st.DrawFn) -> str:
    listed = draw(st.lists(st.sampled_from(ITEMS), unique=True, max_size=len(ITEMS)))
    lines = [
        'id = "generated/2026"', 'name = "生成的测试方案"',
        "region_codes = " + json.dumps(draw(st.sampled_from(
            [["330102"], ["330102", "330102001"], ["3301"], ["110101", "330102"]]))),
        "valid_from = 2026-01-01", "valid_to = 2026-12-31",
        f'income_line = "{amount_text(draw(st.integers(1, 3_000_000)), 2)}"',
        f'income_test = "{draw(st.sampled_from(["after_expense", "before_expense"]))}"',
        f'hardship_ratio = "{draw(st.sampled_from(["0", "0.3", "0.5", "1", "1.5", "0.333"]))}"',
        f'borderline_margin = "{draw(st.sampled_from(["0", "0.05", "0.1", "0.125", "0.25"]))}"',
        f'rounding = "{draw(st.sampled_from(["0.01", "1"]))}"',
        "negative_list = " + json.dumps(listed),
        "excluded_income_kinds = " + json.dumps(draw(st.lists(
            st.sampled_from(["wage", "business", "property", "transfer"]), unique=True,
            max_size=2))),
    ]
    if "BOAT" in listed:
        lines.append('negative_items = { BOAT = "家庭拥有经营性船舶" }')
    if draw(st.booleans()):
        lines.append(f'large_payout_review = "{amount_text(draw(st.integers(1, 6_000_000)), 2)}"')
    if draw(st.booleans()):
        lines.append('household_annual_cap_all = '
                     f'"{amount_text(draw(st.integers(1, 30_000_000)), 2)}"')
    # Tariff shapes of real programs.
    if draw(st.booleans()):
        lines.append('person_annual_cap_all = '
                     f'"{amount_text(draw(st.integers(1, 30_000_000)), 2)}"')
    if draw(st.booleans()):
        lines.append("covered_household_categories = " + json.dumps(draw(st.lists(
            st.sampled_from(HOUSEHOLD_CATEGORIES), unique=True, min_size=1))))
    categories = draw(st.lists(st.sampled_from(
        [*OWN_SHAPES, "medical", "education", "disaster", "accident"]), unique=True, min_size=1))
    for category in categories:
        shape = OWN_SHAPES.get(category) or BUILTIN.get(category, category)
        lines += ["", f"[categories.{category}]",
                  f'annual_cap = "{amount_text(draw(st.integers(1, 20_000_000)), 2)}"']
        if category in OWN_SHAPES:
            lines += [f'shape = "{shape}"', f'label = "{category}类"']
        if draw(st.booleans()):
            lines.append("excluded_causes = " + json.dumps(draw(st.lists(
                st.sampled_from(CAUSES), unique=True, min_size=1, max_size=3))))
        if shape == "disaster" and draw(st.booleans()):
            lines.append("exclude_motor_vehicles = true")
        if shape == "medical" and draw(st.booleans()):
            lines.append("include_non_compliant = true")
        if shape == "education":
            lines.append("eligible_stages = " + json.dumps(draw(st.lists(
                st.sampled_from(STAGES), unique=True, min_size=1, max_size=4))))
        start = draw(st.integers(0, 2_000_000))
        bands = []
        for i in range(draw(st.integers(1, 4))):
            digits = draw(st.integers(0, 4))
            rate = ratio_text(draw(st.integers(1, 10**digits)), digits)
            end = start + draw(st.integers(1, 6_000_000))
            last = i == 3 or draw(st.booleans())
            to = "" if last and draw(st.booleans()) else f'to = "{amount_text(end, 2)}", '
            bands.append(f'  {{ from = "{amount_text(start, 2)}", {to}rate = "{rate}" }},')
            if not to:
                break
            start = end
            if last:
                break
        lines += ["bands = [", *bands, "]"]
    return "\n".join(lines) + "\n"


def id_number(seq: int, kind: str) -> str:
    body = f"330102{19600101 + seq * 10000:08d}{seq % 1000:03d}"
    good = body + check_character(body)
    if kind == "bad_check":
        return body + ("0" if good[-1] != "0" else "1")
    if kind == "bad_birth":
        body = "330102" + "19601341" + "123"
        return body + check_character(body)
    if kind == "short":
        return good[:17]
    return good.lower() if kind == "lower" else good


@st.composite
def cases(draw: st.DrawFn, number: int) -> dict[str, Any]:
    members = []
    for i in range(draw(st.integers(0, 5))):
        member: dict[str, Any] = {
            "member_id": f"M{i + 1}", "name": "王小五",
            "id_number": id_number(i + 1, draw(st.sampled_from(
                ["good"] * 6 + ["bad_check", "bad_birth", "short", "lower"])))}
        if draw(st.booleans()):
            member["counted"] = draw(st.sampled_from([True, True, False]))
        if draw(st.booleans()):
            member["relation"] = "head"
        members.append(member)
    category = draw(st.sampled_from(["medical", "medical", "education", "disaster", "accident",
                                     *OWN_SHAPES]))
    shape = OWN_SHAPES.get(category) or BUILTIN.get(category, category)
    if draw(st.integers(0, 9)) == 0:  # amounts of another shape than the category's
        shape = draw(st.sampled_from(["medical", "education", "disaster"]))
    claim: dict[str, Any] = {
        "claim_id": f"K-{number}", "category": category,
        "member_id": f"M{draw(st.integers(1, 5))}",
        "event_date": draw(st.sampled_from(["2026-05-01", "2026-01-01", "2026-12-31",
                                            "2025-12-31", "2027-01-01"])),
        "source": "application"}
    if draw(st.booleans()):
        claim["cause"] = draw(st.sampled_from(CAUSES))
    if category not in OWN_SHAPES:  # a built-in carries its own part (the contract says so)
        shape = BUILTIN.get(category, category)
    if shape == "medical":
        names = ["non_compliant_cost", "basic_insurance_paid", "critical_illness_paid",
                 "medical_assistance_paid", "other_compensation"]
        part = {"total_cost": draw(amounts())}
        part.update((n, draw(amounts(top=draw(st.sampled_from([100, 10_000, 100_000])))))
                    for n in names if draw(st.booleans()))
        claim["medical"] = part
    elif shape == "education":
        claim["education"] = {"stage": draw(st.sampled_from(STAGES)),
                              "tuition": draw(amounts(top=50_000))}
        if draw(st.booleans()):
            claim["education"]["accommodation"] = draw(amounts(top=5_000))
        if draw(st.booleans()):
            claim["education"]["aid_received"] = draw(amounts(top=20_000))
    else:
        claim["disaster"] = {"assessed_loss": draw(amounts())}
        for name in ("insurance_paid", "relief_paid", "liable_party_paid", "motor_vehicle_loss"):
            if draw(st.booleans()):
                claim["disaster"][name] = draw(amounts(top=30_000))
    case: dict[str, Any] = {
        "case_id": f"C-{number}",
        "household": {"household_id": "H-1",
                      "region_code": draw(st.sampled_from(
                          ["330102001001", "330102001", "330103001001", "110101002"])),
                      "category": draw(st.sampled_from(["edge", "edge", *HOUSEHOLD_CATEGORIES])),
                      "members": members},
        "claim": claim}
    if draw(st.integers(0, 9)):
        answers = {item: draw(st.sampled_from([False, False, False, True, None]))
                   for item in ITEMS if draw(st.integers(0, 9))}
        verification: dict[str, Any] = {
            "verified_on": "2026-04-01", "verifier_id": "V1",
            "negative_list": answers,
            "cross_checks": [
                {"source": draw(st.sampled_from(SOURCES)),
                 "item": draw(st.sampled_from([*ITEMS, "YACHT"])),
                 "found": draw(st.booleans())}
                for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3])))]}
        if draw(st.integers(0, 9)):
            verification["income"] = [
                {"kind": draw(st.sampled_from(["wage", "business", "property", "transfer"])),
                 "amount": draw(amounts(top=draw(st.sampled_from([100_000, 10**11 - 1]))))}
                for _ in range(draw(st.integers(0, 3)))]
        if draw(st.booleans()):
            verification["costs"] = [{"kind": "production", "amount": draw(amounts(top=50_000))}]
        case["verification"] = verification
    if draw(st.booleans()):
        case["history"] = {name: draw(amounts(top=draw(st.sampled_from([0, 100, 200_000]))))
                           for name in ("eligible_expense_to_date", "paid_to_date",
                                        "paid_all_categories_to_date",
                                        "paid_member_all_categories_to_date")
                           if draw(st.booleans())}
    return case


def _quiet(case: dict[str, Any]) -> dict[str, Any]:
    """The same case with every deny reason of steps 1 and 2 and the pend of step 4 removed,
    so that the draw reaches the income test and the bands."""
    for i, member in enumerate(case["household"]["members"]):
        member["id_number"] = id_number(i + 1, "good")
        member["counted"] = True
    if not case["household"]["members"]:
        case["household"]["members"] = [{"member_id": "M1", "name": "王", "id_number":
                                         id_number(1, "good")}]
    case["claim"]["member_id"] = "M1"
    case["claim"]["event_date"] = "2026-06-01"
    case["household"]["region_code"] = "330102001001"
    case["verification"] = {"verified_on": "2026-04-01", "verifier_id": "V1",
                            "negative_list": dict.fromkeys(ITEMS, False),
                            "income": (case.get("verification") or {}).get("income") or []}
    if "education" in case["claim"]:
        case["claim"]["education"]["stage"] = "high_school"
    return case


@SETTINGS
@given(source=tariffs(), drawn=st.lists(st.tuples(st.integers(0, 10**6), st.booleans()),
                                         min_size=1, max_size=12), data=st.data())
def test_generated_tariffs_and_cases_decide_identically(
        source: str, drawn: list[tuple[int, bool]], data: st.DataObject) -> None:
    tariff = parse_tariff(source.encode(), "generated.toml")
    documents = []
    for number, quiet in drawn:
        case = data.draw(cases(number))
        documents.append(orjson.dumps(_quiet(case) if quiet else case))
    taken = assert_same_decisions(documents, tariff)
    assert all(taken)  # every well-formed plain case is decided the fast way


def test_income_beyond_64_bits_is_computed_exactly() -> None:
    """Figures whose products overflow 64-bit integers go through Python integers."""
    huge = {"kind": "wage", "amount": "99999999999.99"}
    documents = []
    for members, items in ((1, 300), (3, 250), (7, 1)):
        case = _quiet({"case_id": f"C-{members}", "household": {
            "household_id": "H-1", "region_code": "330102001001", "category": "edge",
            "members": [{"member_id": f"M{i + 1}", "name": "王", "id_number":
                         id_number(i + 1, "good")} for i in range(members)]},
            "claim": {"claim_id": f"K-{members}", "category": "medical", "member_id": "M1",
                      "event_date": "2026-06-01", "source": "application",
                      "medical": {"total_cost": "99999999999.99"}},
            "history": {"eligible_expense_to_date": "99999999999.99"}})
        case["verification"]["income"] = [huge] * items
        documents.append(orjson.dumps(case))
    assert all(assert_same_decisions(documents, DEMO))


# -- the fast filter refuses what it must, and the stream stays the same -----------------------


def _mutations(case: dict[str, Any]) -> list[tuple[str, dict[str, Any] | bytes]]:
    text = json.dumps(case, ensure_ascii=False)
    total = case["claim"]["medical"]["total_cost"]
    return [
        ("number amount", json.loads(text.replace(f'"total_cost": "{total}"',
                                                  '"total_cost": 20000'))),
        ("float amount", json.loads(text.replace(f'"total_cost": "{total}"',
                                                 '"total_cost": 20000.5'))),
        ("padded amount", json.loads(text.replace(f'"total_cost": "{total}"',
                                                  '"total_cost": " 20000.00 "'))),
        ("leading zero", json.loads(text.replace(f'"total_cost": "{total}"',
                                                 '"total_cost": "020000"'))),
        ("three decimals", json.loads(text.replace(f'"total_cost": "{total}"',
                                                   '"total_cost": "20000.001"'))),
        ("lax boolean", json.loads(text.replace('"counted": true', '"counted": "true"'))),
        ("unknown field", {**case, "surprise": 1}),
        ("duplicate member", {**case, "household": {
            **case["household"],
            "members": case["household"]["members"] * 2}}),
        ("wrong amounts part", {**case, "claim": {**case["claim"], "disaster": {
            "assessed_loss": "1"}}}),
        ("padded identifier", {**case, "case_id": "  C-padded  "}),
        ("not JSON", b"{not json"),
        ("not UTF-8", b'{"case_id": "\xff"}'),
    ]


def test_what_the_fast_filter_refuses_goes_the_scalar_way() -> None:
    from tests.casebuilder import make_case

    case = make_case(case_id="C-1", medical={"total_cost": "25000.00"})
    case["household"]["members"][0]["counted"] = True
    mutations = _mutations(case)
    documents = [m if isinstance(m, bytes) else orjson.dumps(m) for _, m in mutations]
    taken = assert_same_decisions(documents, DEMO)
    refused = [name for (name, _), took in zip(mutations, taken, strict=True) if not took]
    assert refused == [name for name, _ in mutations if name != "padded identifier"]

    # Through `evaluate`: the lines are the scalar engine's, decisions and error lines alike.
    stream = b"\n".join([orjson.dumps(case), *documents]) + b"\n"
    outputs = {}
    for engine in ("columnar", "scalar"):
        sink = io.BytesIO()
        counts = evaluate_stream(io.BytesIO(stream), "cases.jsonl", DEMO, sink,
                                 engine=engine)  # type: ignore[arg-type]
        outputs[engine] = (sink.getvalue(), counts)
    assert outputs["columnar"][0] == outputs["scalar"][0]
    assert outputs["columnar"][1] == outputs["scalar"][1]
    lines = outputs["columnar"][0].decode("utf-8", "replace").splitlines()
    errors = [json.loads(line)["at"] for line in lines if line.startswith('{"error"')]
    assert errors == [f"cases.jsonl:line {n}" for n, document in
                      enumerate([orjson.dumps(case), *documents], 1) if not _valid(document)]
    assert len(errors) >= 6


def _valid(document: bytes) -> bool:
    try:
        Case.model_validate_json(document)
    except ValueError:
        return False
    return True


# -- the integer helpers ----------------------------------------------------------------------


@given(st.integers(-(10**15), 10**15))
def test_yuan_formats_fen_as_the_scalar_core_does(fen: int) -> None:
    from decimal import Decimal

    from adjudicator.rules.money import fmt

    assert yuan(fen) == fmt(Decimal(fen).scaleb(-2))


@given(st.integers(0, 10**13 - 1), st.integers(0, 2))
def test_fen_of_reads_every_plain_form(fen: int, style: int) -> None:
    text = amount_text(fen, style)
    assert fen_of(text) == fen


@given(st.integers(-(10**18), 10**18), st.integers(0, 8))
def test_exact_scaled_matches_money_exact(value: int, digits: int) -> None:
    from decimal import Decimal

    assert exact_scaled(value, digits) == exact(Decimal(value).scaleb(-digits))


# -- every boundary, to the fen ------------------------------------------------------------

BOUNDARY_TARIFF_TEXT = """
id = "boundaries/2026"
name = "边界"
region_codes = ["330102"]
valid_from = 2026-01-01
valid_to = 2026-12-31
income_line = "7000"
hardship_ratio = "0.5"
borderline_margin = "0.1"
large_payout_review = "30000"
household_annual_cap_all = "150000"
negative_list = ["VEHICLE"]

[categories.medical]
annual_cap = "40000"
bands = [
  { from = "5000", to = "20000", rate = "0.5" },
  { from = "20000", to = "50000", rate = "0.65" },
  { from = "50000", rate = "0.7" },
]
"""
BOUNDARY_TARIFF = parse_tariff(BOUNDARY_TARIFF_TEXT.encode(), "boundaries.toml")


def plain_case(net: int, members: int, expense: int, *, to_date: int = 0, paid: int = 0,
               paid_all: int = 0) -> bytes:
    """A covered, complete medical case from figures in fen."""
    return orjson.dumps({
        "case_id": "C-b", "household": {
            "household_id": "H-b", "region_code": "330102001001", "category": "edge",
            "members": [{"member_id": f"M{i + 1}", "name": "王", "id_number":
                         id_number(i + 1, "good")} for i in range(members)]},
        "verification": {"verified_on": "2026-04-01", "verifier_id": "V1",
                         "negative_list": {"VEHICLE": False},
                         "income": [{"kind": "wage", "amount": yuan(net)}]},
        "claim": {"claim_id": "K-b", "category": "medical", "member_id": "M1",
                  "event_date": "2026-06-01", "source": "application",
                  "medical": {"total_cost": yuan(expense)}},
        "history": {"eligible_expense_to_date": yuan(to_date), "paid_to_date": yuan(paid),
                    "paid_all_categories_to_date": yuan(paid_all)}})


def _around(value: int) -> list[int]:
    return [value - 1, value, value + 1]


BOUNDARIES = [
    # the income line itself: P = 7000.00 passes, 7000.01 does not (one member, E = 20000)
    *[plain_case(2_000_000 + p, 1, 2_000_000) for p in _around(700_000)],
    # the borderline floor 7000 x 0.9 = 6300: P = 6300.00 is not borderline, 6300.01 is
    *[plain_case(2_000_000 + p, 1, 2_000_000) for p in _around(630_000)],
    # the hardship threshold: C = 0.5 x N exactly is an exception, one fen less is not
    *[plain_case(8_000_000, 1, c) for c in _around(4_000_000)],
    # half a fen of per-capita income rounds away from zero, both signs (three members)
    *[plain_case(n, 3, 3_000_000) for n in (3_000_000 + 2, 3_000_000 + 1, 3_000_000 - 2,
                                              3_000_000 - 1, 3_000_000 - 3)],
    # band edges, the category cap (40000 reached at C = 73571.43), the review threshold
    *[plain_case(0, 2, c) for c in (*_around(500_000), *_around(2_000_000),
                                     *_around(5_000_000), *_around(7_357_143),
                                     *_around(6_000_000))],
    # paid to date equal to the rounded figure (BELOW_TRIGGER), the all-category room
    plain_case(0, 2, 3_000_000, paid=1_400_000), plain_case(0, 2, 3_000_000, paid=1_399_999),
    plain_case(0, 2, 3_000_000, paid_all=15_000_000),
    plain_case(0, 2, 3_000_000, paid_all=14_999_999),
    plain_case(0, 2, 1, to_date=6_000_000, paid=1_000_000),
    # a payout of exactly 30000.00 (F(61428.57) rounds to 35000.00, less 5000 paid) is reviewed
    *[plain_case(0, 2, 6_142_857, paid=p) for p in _around(500_000)],
]


@pytest.mark.parametrize("tariff", [BOUNDARY_TARIFF, DEMO], ids=["boundaries", "demo"])
def test_every_boundary_to_the_fen_decides_identically(tariff: Tariff) -> None:
    assert all(assert_same_decisions(BOUNDARIES, tariff))
    outcomes = {json.loads(scalar_line(d, BOUNDARY_TARIFF))["reasons"].__repr__()
                for d in BOUNDARIES}
    assert {"['PEND_BORDERLINE_INCOME']", "['PEND_HARDSHIP_EXCEPTION']", "['INCOME_ABOVE_LINE']",
            "['BELOW_TRIGGER']", "['CAP_REACHED']", "['PEND_LARGE_PAYOUT']", "[]"} <= outcomes


# -- the fast filter states the same contract -------------------------------------------------


def _shape(schema: dict[str, Any], defs: dict[str, Any], path: str = "case"
           ) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """Every object of a JSON Schema by path: (its property names, its required names)."""
    if "$ref" in schema:
        return _shape(defs[schema["$ref"].rsplit("/", 1)[1]], defs, path)
    found: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
    for option in schema.get("anyOf", []):
        found.update(_shape(option, defs, path))
    if schema.get("type") == "array":
        found.update(_shape(schema["items"], defs, path + "[]"))
    if schema.get("type") == "object" and "properties" in schema:
        found[path] = (frozenset(schema["properties"]), frozenset(schema.get("required", [])))
        for name, sub in schema["properties"].items():
            found.update(_shape(sub, defs, f"{path}.{name}"))
    return found


def test_the_fast_filter_has_the_fields_of_the_case_contract() -> None:
    from schemas.case_fast import FAST_CASE

    contract = Case.model_json_schema()
    fast = FAST_CASE.json_schema()
    assert _shape(fast, fast.get("$defs", {})) == _shape(contract, contract.get("$defs", {}))


def test_a_tariff_at_the_limits_of_its_figures_decides_identically() -> None:
    """An income line of 12 digits (the bound of every amount) and a five-decimal margin:
    products far beyond 64 bits."""
    tariff = parse_tariff(BOUNDARY_TARIFF_TEXT.replace('income_line = "7000"',
                                                       'income_line = "999999999999.99"')
                          .replace('borderline_margin = "0.1"', 'borderline_margin = "0.00005"')
                          .encode(), "huge.toml")
    cases = [plain_case(n, 1, 2_000_000) for n in (0, 10**11, 10**12 - 1)]
    assert all(assert_same_decisions(cases + BOUNDARIES, tariff))
