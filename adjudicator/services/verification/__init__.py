"""入户核查: assigning screened claims to field verifiers, the verification form, recording it.

A supervisor assigns screened claims to the verifiers who cover the household's township,
least loaded first and within each verifier's workload limit, with a deadline in working days.
The assigned verifier prints a form prefilled with what is known (members, the tariff's active
negative-list items, department findings, evidence), fills it at the household and records
it: an incomplete form is kept as a draft and the claim waits; a complete one is stored as
exactly a `schemas.case.Verification` (without cross-checks, which `build_case` adds from the
stored findings) and the claim becomes `verified`, ready for adjudication.

Personal data: the form carries members' real names (the verifier checks them at the door)
and masked ID numbers; events and errors carry item codes, member ids and counts, never a
name or an ID number.

The package, one module per reason to change (every public name is importable from here):

    form        the form's models, reading a filled form (parse_form, load_form)
    facts       what the form and its checks need about one claim (load_facts)
    assignment  assigning claims to verifiers, listing open and late assignments
    template    the form for a claim, prefilled with what is known
    checks      a filled form against the stored claim: refused, missing, contradicted
    recording   recording a draft or a submitted verification

The YAML document a verifier fills in is written by `adjudicator.documents.verification_form`.
"""

from adjudicator.documents.verification_form import form_yaml
from adjudicator.services.verification.assignment import (
    DEFAULT_DAYS,
    Assigned,
    Assignment,
    AssignResult,
    Unassigned,
    assign_claims,
    list_assignments,
    overdue_assignments,
)

# Private helpers other modules and tests reach for.
from adjudicator.services.verification.assignment import _covers as _covers
from adjudicator.services.verification.assignment import _open_loads as _open_loads
from adjudicator.services.verification.checks import (
    FormCheck,
    check_form_against,
    evidence_problems,
    sha256_of,
)
from adjudicator.services.verification.facts import ClaimFacts, finding_message, load_facts
from adjudicator.services.verification.form import (
    COST_LABELS,
    EVIDENCE_KINDS,
    INCOME_LABELS,
    SOURCE_LABELS,
    EvidenceEntry,
    FormAnswer,
    FormCost,
    FormFinding,
    FormIncome,
    FormMember,
    VerificationForm,
    VerificationRefused,
    load_form,
    parse_form,
    validation_problems,
)
from adjudicator.services.verification.form import _answer as _answer
from adjudicator.services.verification.recording import (
    RECORDABLE,
    RecordResult,
    apply_counted_flags,
    check_form,
    evidence_rows,
    form_to_verification,
    record_verification,
    verification_payload,
)
from adjudicator.services.verification.template import _mask_id as _mask_id
from adjudicator.services.verification.template import verification_template

__all__ = [
    "COST_LABELS", "DEFAULT_DAYS", "EVIDENCE_KINDS", "INCOME_LABELS", "RECORDABLE",
    "SOURCE_LABELS", "AssignResult", "Assigned", "Assignment", "ClaimFacts", "EvidenceEntry",
    "FormAnswer", "FormCheck", "FormCost", "FormFinding", "FormIncome", "FormMember",
    "RecordResult", "Unassigned", "VerificationForm", "VerificationRefused",
    "apply_counted_flags", "assign_claims", "check_form", "check_form_against",
    "evidence_problems", "evidence_rows", "finding_message", "form_to_verification",
    "form_yaml", "list_assignments", "load_facts", "load_form", "overdue_assignments",
    "parse_form", "record_verification", "sha256_of", "validation_problems",
    "verification_payload", "verification_template",
]
