"""Writing the audit trail. Every service that changes state calls `audit_record` inside its
transaction, so the record and the change commit or roll back together."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEvent, Organisation, RoleAssignment, User
from .request_context import current_ip


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    organisation: Organisation | None = None,
    assignment: RoleAssignment | None = None,
    role: str = "",
    result: str = "success",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """`organisation` is where the target belongs (its path scopes the bureau's audit export);
    `assignment` is the role through which the actor acted."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_role=assignment.role if assignment else role,
        actor_organisation=assignment.organisation if assignment else None,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        organisation_path=organisation.path if organisation is not None else "",
        result=result,
        reason=reason,
        ip_address=current_ip.get(),
        detail=detail or {},
    )
