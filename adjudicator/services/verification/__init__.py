"""入户核查: assigning screened claims to field verifiers, the verification form, recording it.

The package's modules (see each one's docstring); every public name is importable from here.
"""

from adjudicator.services.verification.assignment import (
    COST_LABELS,
    DEFAULT_DAYS,
    EVIDENCE_KINDS,
    INCOME_LABELS,
    RECORDABLE,
    SOURCE_LABELS,
    Assigned,
    Assignment,
    AssignResult,
    ClaimFacts,
    EvidenceEntry,
    FormAnswer,
    FormCheck,
    FormCost,
    FormFinding,
    FormIncome,
    FormMember,
    RecordResult,
    Unassigned,
    VerificationForm,
    VerificationRefused,
    apply_counted_flags,
    assign_claims,
    check_form,
    check_form_against,
    evidence_problems,
    evidence_rows,
    finding_message,
    form_to_verification,
    form_yaml,
    list_assignments,
    load_facts,
    load_form,
    overdue_assignments,
    parse_form,
    record_verification,
    sha256_of,
    validation_problems,
    verification_payload,
    verification_template,
)

# Private helpers other modules and tests reach for.
from adjudicator.services.verification.assignment import _answer as _answer
from adjudicator.services.verification.assignment import _covers as _covers
from adjudicator.services.verification.assignment import _mask_id as _mask_id
from adjudicator.services.verification.assignment import _open_loads as _open_loads

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
