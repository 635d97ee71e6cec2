"""Demo claims in review, so a newcomer finds work in every reviewer's queue (审核工作台).

``load_review_demo()`` files claims for the demo professionals through the real services (drafts,
evidence, submission, decisions by the demo reviewers, all on record), leaving one waiting at each
stage, one returned with a comment and one approved. Idempotent: it does nothing once its claims exist.
Needs the demo accounts (``accounts.demo.load_demo``) and the current year's rule set.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User

from . import services
from .models import Claim
from .review import review_decide
from .review_models import ReviewDecision, ReviewStageState

#: A minimal one-page PDF: the demo's evidence.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
DEMO_MARK = "DEMO-"
#: Evidence keys are normalised (upper case, no punctuation): "DEMO-JSJ-0001" is kept as "DEMOJSJ0001".
DEMO_EVIDENCE_KEY_PREFIX = "number:DEMO"

PROFESSIONAL = "13800000005"  # 张敏, 任城区实验中学 (under 任城区教育和体育局)
COMPANY_PROFESSIONAL = "13800000007"  # 陈静, 济宁鲁科智能科技有限公司 (no department)
UNIT_ADMIN = "13800000004"
COMPANY_ADMIN = "13800000008"
DEPARTMENT_REVIEWER = "13800000003"
COUNTY_STAFF = "13800000002"

# (claimant, rule, fields, decisions in order: (reviewer, decision, comment))
DEMO_CLAIMS: list[tuple[str, str, dict[str, object], list[tuple[str, str, str]]]] = [
    (PROFESSIONAL, "PUB-3", {"modules": 2, "certificate_number": "DEMO-JSJ-0001"}, []),
    (
        PROFESSIONAL,
        "PRO-6",
        {"qualification_name": "心理咨询师", "certificate_number": "DEMO-ZG-0001"},
        [(UNIT_ADMIN, ReviewDecision.APPROVE, "材料齐全")],
    ),
    (
        PROFESSIONAL,
        "PRO-3",
        {"courses": 2, "certificate_number": "DEMO-ZK-0001"},
        [(UNIT_ADMIN, ReviewDecision.APPROVE, ""), (DEPARTMENT_REVIEWER, ReviewDecision.APPROVE, "同意")],
    ),
    (
        PROFESSIONAL,
        "PUB-3",
        {"modules": 1, "certificate_number": "DEMO-JSJ-0002"},
        [(UNIT_ADMIN, ReviewDecision.RETURN, "合格证书扫描件不清晰，请重新上传")],
    ),
    (COMPANY_PROFESSIONAL, "PUB-2", {"grade": "A", "certificate_number": "DEMO-WY-0001"}, []),
    (
        COMPANY_PROFESSIONAL,
        "PRO-6",
        {"qualification_name": "信息系统项目管理师", "certificate_number": "DEMO-ZG-0002"},
        [(COMPANY_ADMIN, ReviewDecision.APPROVE, "")],
    ),
    (
        COMPANY_PROFESSIONAL,
        "PUB-3",
        {"modules": 3, "certificate_number": "DEMO-JSJ-0003"},
        [(COMPANY_ADMIN, ReviewDecision.APPROVE, ""), (COUNTY_STAFF, ReviewDecision.APPROVE, "同意认定")],
    ),
]


def load_review_demo() -> list[Claim]:
    """Files the demo claims once; returns them (an empty list when they exist already)."""
    if Claim.objects.filter(evidence_key__startswith=DEMO_EVIDENCE_KEY_PREFIX).exists():
        return []
    year = timezone.localdate().year
    people = {user.mobile: user for user in User.objects.filter(mobile__startswith="138")}
    claims = []
    with transaction.atomic():
        for number, (mobile, code, fields, decisions) in enumerate(DEMO_CLAIMS, start=1):
            person = people[mobile]
            claim = services.claim_save(
                actor=person,
                rule_code=code,
                year=year,
                fields=fields,
                uploads=[SimpleUploadedFile(f"证明材料{number}.pdf", DEMO_PDF + f"%{number}\n".encode())],
            )
            claim = services.claim_submit(actor=person, claim_id=claim.pk)
            for reviewer, decision, comment in decisions:
                stage = claim.review_stages.get(state=ReviewStageState.OPEN)
                claim = review_decide(
                    actor=people[reviewer],
                    claim_id=claim.pk,
                    decision=decision,
                    comment=comment,
                    stage_id=stage.pk,
                ).claim
            claims.append(claim)
    return claims
