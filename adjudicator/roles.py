"""Users' roles and what each may do. Every command acts as a named user and is refused
outside its role (the CLI and the web app ask the same question: `require`)."""

from __future__ import annotations

from enum import StrEnum

from adjudicator.messages import ACTION_ZH, ROLE_ZH, LocalizedError, Message
from schemas.vocabulary import Words


class Role(StrEnum):
    VERIFIER = "verifier"  # 核查员 (insurer)
    SUPERVISOR = "supervisor"  # 保险公司主管
    OFFICER = "officer"  # 县乡村振兴局/帮扶部门
    AUDITOR = "auditor"  # 审计
    ADMIN = "admin"


R = Role
#: action -> the roles allowed to do it (admin may do everything).
PERMISSIONS: dict[str, frozenset[Role]] = {
    "init": frozenset({R.ADMIN}),
    "user.manage": frozenset({R.ADMIN}),
    "tariff.load": frozenset({R.OFFICER, R.ADMIN}),
    "import": frozenset({R.SUPERVISOR}),
    "import.verifications": frozenset({R.SUPERVISOR, R.VERIFIER}),
    "verify.assign": frozenset({R.SUPERVISOR}),
    "calendar.manage": frozenset({R.OFFICER, R.SUPERVISOR}),
    "verify.record": frozenset({R.VERIFIER}),
    "verify.read": frozenset({R.VERIFIER, R.SUPERVISOR, R.OFFICER, R.AUDITOR}),
    "adjudicate": frozenset({R.SUPERVISOR}),
    "review": frozenset({R.OFFICER}),
    "notice": frozenset({R.OFFICER}),
    "pay": frozenset({R.SUPERVISOR}),
    "audit.sample": frozenset({R.OFFICER}),
    "audit.record": frozenset({R.OFFICER, R.AUDITOR}),
    "fund": frozenset({R.OFFICER}),  # premium receipts and the annual settlement
    "read": frozenset({R.VERIFIER, R.SUPERVISOR, R.OFFICER, R.AUDITOR}),
    "replay": frozenset({R.AUDITOR, R.OFFICER, R.SUPERVISOR}),
    "log.verify": frozenset({R.AUDITOR, R.OFFICER, R.SUPERVISOR}),
    "log.read": frozenset({R.AUDITOR, R.OFFICER, R.SUPERVISOR}),
    # monthly department feeds (docs/feeds.md)
    "feed.screen": frozenset({R.SUPERVISOR, R.OFFICER}),
    "feed.triage": frozenset({R.OFFICER}),
}


class PermissionDenied(LocalizedError, PermissionError):
    """The acting user's role may not do this (its message in the current language)."""


def may(role: str, action: str) -> bool:
    return role == Role.ADMIN or Role(role) in PERMISSIONS[action]


def require(user_id: str, role: str, action: str) -> None:
    if not may(role, action):
        allowed = sorted(r.value for r in PERMISSIONS[action])
        raise PermissionDenied(Message(
            "role.denied", user=user_id, role=Words(ROLE_ZH.get(role, role), role),
            action=Words(ACTION_ZH.get(action, action), action),
            allowed=Words("、".join(ROLE_ZH[r] for r in allowed), ", ".join(allowed))))
