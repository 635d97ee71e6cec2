"""Annex 1 of the 2024 notice (学时折算标准) as data and pure functions; no Django here.

- ``figures``: ``RuleFigures``, every figure of a year's rule set (stored by the model as JSON).
- ``specs``: ``RULES``, what each claimable rule asks for and the sentence of the notice it quotes.
- ``compute``: field validation, evidence keys, the credit of one claim, the claim window.
- ``messages``: every Chinese sentence a user can read from here.
"""

from .compute import (
    ClaimFieldError,
    CreditResult,
    PriorCredits,
    check_claim_window,
    compute_credit,
    daily_capped_hours,
    digital_engineer_hours,
    evidence_key,
    format_hours,
    normalise_evidence_text,
    pro_rata_hours,
    quality_online_course_hours,
    quantize_hours,
    reduced_requirements,
    training_hours,
    validate_fields,
    yearly_cap,
)
from .figures import FIGURES_2024, RuleFigures
from .specs import RULES, FieldSpec, RuleNotClaimableError, RuleSpec, get_spec, is_claimable

__all__ = [
    "FIGURES_2024",
    "RULES",
    "ClaimFieldError",
    "CreditResult",
    "FieldSpec",
    "PriorCredits",
    "RuleFigures",
    "RuleNotClaimableError",
    "RuleSpec",
    "check_claim_window",
    "compute_credit",
    "daily_capped_hours",
    "digital_engineer_hours",
    "evidence_key",
    "format_hours",
    "get_spec",
    "is_claimable",
    "normalise_evidence_text",
    "pro_rata_hours",
    "quality_online_course_hours",
    "quantize_hours",
    "reduced_requirements",
    "training_hours",
    "validate_fields",
    "yearly_cap",
]
