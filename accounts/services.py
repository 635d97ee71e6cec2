"""Every write a user can cause in accounts: registration, profile, unit membership, organisations,
roles. One function per use case, keyword-only, each in one transaction with its audit record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import identity, policies, selectors
from .audit import audit_record
from .models import (
    BUREAU_KINDS,
    ROLE_ORGANISATION_KINDS,
    Membership,
    MembershipStatus,
    Notification,
    Organisation,
    OrganisationKind,
    PlatformContact,
    Role,
    RoleAssignment,
    User,
)

ID_NUMBER_TAKEN = gettext_lazy("该身份证号码已注册。如忘记密码，请使用“找回密码”或联系所在单位管理员。")
MOBILE_TAKEN = gettext_lazy("该手机号码已被其他账号使用。")
UNIT_REQUIRED = gettext_lazy("请选择您所在的工作单位。")
UNIT_NOT_FOUND = gettext_lazy("未找到该单位，请输入单位全称或统一社会信用代码。")
UNIT_AMBIGUOUS = gettext_lazy("找到多个同名单位，请输入统一社会信用代码。")
MEMBERSHIP_NOT_PENDING = gettext_lazy("该申请已处理，无需重复操作。")
MEMBERSHIP_NOT_YOURS = gettext_lazy("您无权处理该单位的人员申请。")
REJECTION_REASON_REQUIRED = gettext_lazy("请填写不通过的理由。")
CHANGE_SAME_UNIT = gettext_lazy("您已在该单位，无需变更。")
CHANGE_NOT_A_PROFESSIONAL = gettext_lazy("只有专业技术人员可以申请加入或变更工作单位。")
CHANGE_ALREADY_PENDING = gettext_lazy("您已有一项待确认的单位申请，请等待处理或先撤回。")
NOTHING_TO_CANCEL = gettext_lazy("没有可撤回的单位申请。")
PARENT_KIND_INVALID = gettext_lazy("该类型的机构不能设在所选上级机构之下。")
PARENT_NOT_PLACED = gettext_lazy("所选上级机构在机构树中的位置有误，请联系技术支持修复后再添加下级机构。")
ROLE_ORGANISATION_INVALID = gettext_lazy("该角色必须授予在对应类型的机构上。")

# Which kinds of organisation may sit directly under which.
ALLOWED_PARENT_KINDS: dict[str, tuple[str, ...]] = {
    OrganisationKind.CITY_BUREAU: (),
    OrganisationKind.COUNTY_BUREAU: (OrganisationKind.CITY_BUREAU,),
    OrganisationKind.ZONE_BUREAU: (OrganisationKind.CITY_BUREAU,),
    OrganisationKind.DEPARTMENT: BUREAU_KINDS,
    OrganisationKind.UNIT: (*BUREAU_KINDS, OrganisationKind.DEPARTMENT),
    OrganisationKind.PROVIDER: BUREAU_KINDS,
}


def _capacity(
    actor: User | None, *, organisation: Organisation | None = None, roles: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The role (and its organisation) in which the actor acts, as `audit_record` takes it: the
    closest assignment through which they govern `organisation` with one of `roles`, else their
    platform-admin role (a superuser without that role is recorded as a platform admin all the same)."""
    if actor is None:
        return {}
    assignment = policies.governing_assignment(actor, organisation, roles) if roles else None
    if assignment is None and policies.is_platform_admin(actor):
        assignment = policies.primary_assignment(actor, (Role.PLATFORM_ADMIN,))
        if assignment is None:
            return {"role": Role.PLATFORM_ADMIN}
    return {"assignment": assignment} if assignment is not None else {}


# --- API tokens ---------------------------------------------------------------------------------------


@transaction.atomic
def api_token_issue(*, actor: User) -> Any:
    """A new API token for the (authenticated) actor, replacing any earlier one: each sign-in through
    the API starts a token's life afresh (accounts.security.PolicyTokenAuthentication ends it), and the
    sign-in is on record like one on the login page."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=actor).delete()
    token = Token.objects.create(user=actor)
    assignment = policies.primary_assignment(actor, policies.STAFF_ROLES)
    audit_record(
        actor=actor,
        action="auth.token_issue",
        target=actor,
        organisation=assignment.organisation if assignment and assignment.organisation else actor.unit,
        assignment=assignment,
        role="" if assignment else Role.PROFESSIONAL if policies.has_role(actor, Role.PROFESSIONAL) else "",
    )
    return token


# --- The contacts directory (Annex 2 lines outside the tree) -----------------------------------------


@transaction.atomic
def platform_contact_save(
    *, actor: User, contact_id: int | None, name: str, phone: str, sort_order: int = 0
) -> PlatformContact:
    """Adds or edits a line of the public contacts directory (platform admins; audited)."""
    if not policies.is_platform_admin(actor):
        raise PermissionDenied
    contact = (
        PlatformContact.objects.select_for_update().get(pk=contact_id)
        if contact_id is not None
        else PlatformContact()
    )
    before = {"name": contact.name, "phone": contact.phone, "sort_order": contact.sort_order}
    contact.name, contact.phone, contact.sort_order = name.strip(), phone.strip(), sort_order
    contact.full_clean()
    contact.save()
    audit_record(
        actor=actor,
        action="platform_contact.save",
        target=contact,
        **_capacity(actor),
        detail={
            "before": before if contact_id is not None else None,
            "name": contact.name,
            "phone": contact.phone,
        },
    )
    return contact


@transaction.atomic
def platform_contact_delete(*, actor: User, contact_id: int) -> None:
    if not policies.is_platform_admin(actor):
        raise PermissionDenied
    contact = PlatformContact.objects.select_for_update().get(pk=contact_id)
    audit_record(
        actor=actor,
        action="platform_contact.delete",
        target=contact,
        **_capacity(actor),
        detail={"name": contact.name, "phone": contact.phone},
    )
    contact.delete()


# --- Organisations -------------------------------------------------------------------------------


def organisation_placement_check(*, kind: str, parent: Organisation | None) -> None:
    """Raises ValidationError unless an organisation of `kind` may sit directly under `parent`, and
    `parent` has its own path in the tree (the new organisation's path extends it)."""
    allowed = ALLOWED_PARENT_KINDS[kind]
    if (parent is None and allowed) or (parent is not None and parent.kind not in allowed):
        raise ValidationError({"parent": PARENT_KIND_INVALID})
    if parent is not None and not parent.is_placed:
        raise ValidationError({"parent": PARENT_NOT_PLACED})


def _check_organisation_actor(actor: User | None, within: Organisation | None) -> None:
    """Bureau staff create and edit organisations in their jurisdiction, a platform admin anywhere
    (and alone at the root). `actor` is None only for data loading commands."""
    if actor is None:
        return
    if not (policies.is_platform_admin(actor) or policies.governs(actor, within, policies.BUREAU_ROLES)):
        raise PermissionDenied


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    phone: str = "",
    credit_code: str = "",
    unit_type: str = "",
    is_public_subject_provider: bool = False,
    address: str = "",
    sort_order: int = 0,
) -> Organisation:
    """Places a new organisation in the tree. Its path is its parent's path (or "/") followed by its
    own id, so it is never empty: an empty path would be a prefix of every path, and whoever held a
    role there would govern the whole city."""
    organisation_placement_check(kind=kind, parent=parent)
    _check_organisation_actor(actor, parent)
    if credit_code:
        credit_code = identity.clean_credit_code(credit_code)
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        parent=parent,
        phone=phone,
        credit_code=credit_code,
        unit_type=unit_type,
        is_public_subject_provider=is_public_subject_provider,
        address=address,
        sort_order=sort_order,
    )
    organisation.full_clean(exclude=["path", "bureau"])
    organisation.save()
    organisation.path = f"{parent.path if parent else '/'}{organisation.pk}/"
    organisation.depth = parent.depth + 1 if parent else 0
    if kind in BUREAU_KINDS:
        organisation.bureau = organisation
    else:
        organisation.bureau = parent.bureau if parent else None
    organisation.save(update_fields=["path", "depth", "bureau"])
    audit_record(
        actor=actor,
        action="organisation.create",
        target=organisation,
        organisation=organisation,
        **_capacity(actor, organisation=parent, roles=policies.BUREAU_ROLES),
    )
    return organisation


# What an organisation's edit may change. Its kind and its parent stay: moving an organisation would
# change the path of everything under it, and with it who governs whom.
ORGANISATION_EDITABLE_FIELDS = (
    "name",
    "phone",
    "credit_code",
    "unit_type",
    "is_public_subject_provider",
    "address",
    "is_active",
    "sort_order",
)


@transaction.atomic
def organisation_update(*, actor: User, organisation_id: int, **changes: Any) -> Organisation:
    """Edits an organisation's own details (ORGANISATION_EDITABLE_FIELDS); only real changes are
    saved and go on record."""
    unknown = sorted(set(changes) - set(ORGANISATION_EDITABLE_FIELDS))
    if unknown:
        raise TypeError(f"organisation_update() cannot change {', '.join(unknown)}")
    organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
    _check_organisation_actor(actor, organisation)
    if changes.get("credit_code"):
        changes["credit_code"] = identity.clean_credit_code(changes["credit_code"])
    if "name" in changes:
        changes["name"] = str(changes["name"]).strip()
    changed = [
        field
        for field in ORGANISATION_EDITABLE_FIELDS
        if field in changes and getattr(organisation, field) != changes[field]
    ]
    if not changed:
        return organisation
    for field in changed:
        setattr(organisation, field, changes[field])
    organisation.full_clean(exclude=["path", "bureau"])
    organisation.save(update_fields=changed)
    audit_record(
        actor=actor,
        action="organisation.update",
        target=organisation,
        organisation=organisation,
        **_capacity(actor, organisation=organisation, roles=policies.BUREAU_ROLES),
        detail={"fields": changed},
    )
    return organisation


def unit_resolve(text: str) -> Organisation:
    """Finds the unit a person typed: a credit code, an exact name, or "name（code）" from the picker."""
    text = identity.to_half_width(text or "").strip()
    if not text:
        raise ValidationError(UNIT_REQUIRED)
    if text.endswith(")") and "(" in text:
        text = text[text.rindex("(") + 1 : -1].strip() or text
    units = Organisation.objects.filter(kind=OrganisationKind.UNIT, is_active=True)
    by_code = units.filter(credit_code=text.upper()).first()
    if by_code:
        return by_code
    by_name = list(units.filter(name=text)[:2])
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise ValidationError(UNIT_AMBIGUOUS)
    raise ValidationError(UNIT_NOT_FOUND)


# --- Registration and profile --------------------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    mobile: str
    password: str
    real_name: str
    id_number: str
    unit: Organisation
    email: str = ""
    title_series: str = ""
    title_level: str = ""
    specialty: str = ""
    education: str = ""


def id_number_taken(normalised_id_number: str) -> bool:
    return User.objects.filter(id_number_digest=identity.id_number_digest(normalised_id_number)).exists()


def _set_id_number(user: User, normalised: str) -> None:
    user.id_number_encrypted = identity.encrypt_id_number(normalised)
    user.id_number_digest = identity.id_number_digest(normalised)
    user.id_number_masked = identity.mask_id_number(normalised)


@transaction.atomic
def user_register(*, registration: Registration) -> User:
    """A professional registers with real name and ID number and names their unit, which must confirm
    them; they can log in and study meanwhile."""
    id_number = identity.clean_id_number(registration.id_number)
    mobile = identity.clean_mobile(registration.mobile)
    errors = {}
    if id_number_taken(id_number):
        errors["id_number"] = ID_NUMBER_TAKEN
    if User.objects.filter(mobile=mobile).exists():
        errors["mobile"] = MOBILE_TAKEN
    if errors:
        raise ValidationError(errors)
    user = User(
        mobile=mobile,
        real_name=registration.real_name.strip(),
        email=registration.email,
        unit=registration.unit,
        title_series=registration.title_series,
        title_level=registration.title_level,
        specialty=registration.specialty,
        education=registration.education,
    )
    _set_id_number(user, id_number)
    user.set_password(registration.password)
    user.full_clean(exclude=["password", "id_number_encrypted", "id_number_digest", "id_number_masked"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # two registrations racing for one ID number
        raise ValidationError({"id_number": ID_NUMBER_TAKEN}) from error
    RoleAssignment.objects.create(user=user, role=Role.PROFESSIONAL)
    Membership.objects.create(user=user, unit=registration.unit, status=MembershipStatus.PENDING)
    # Training hours imported for this ID number before the person registered are theirs now.
    from filings.services import held_hours_attach

    held_hours_attach(user=user)
    audit_record(
        actor=user,
        action="user.register",
        target=user,
        organisation=registration.unit,
        role=Role.PROFESSIONAL,
    )
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the platform's language
        _notify_unit_admins(
            registration.unit,
            title=_("新注册人员待确认"),
            body=_("%(name)s 注册时选择了本单位，请确认其单位关系。") % {"name": user.real_name},
            link="/unit/members/",
        )
    return user


PROFILE_FIELDS = ("email", "title_series", "title_level", "specialty", "education")


@transaction.atomic
def profile_update(*, actor: User, mobile: str, **changes: str) -> User:
    user = User.objects.select_for_update().get(pk=actor.pk)
    mobile = identity.clean_mobile(mobile)
    if mobile != user.mobile and User.objects.filter(mobile=mobile).exclude(pk=user.pk).exists():
        raise ValidationError({"mobile": MOBILE_TAKEN})
    changed = []
    if mobile != user.mobile:
        user.mobile = mobile
        changed.append("mobile")
    for field in PROFILE_FIELDS:
        if field in changes and getattr(user, field) != changes[field]:
            setattr(user, field, changes[field])
            changed.append(field)
    user.full_clean(exclude=["password"])
    user.save()
    if changed:
        audit_record(
            actor=actor,
            action="user.profile_update",
            target=user,
            organisation=user.unit,
            # People edit their own profile in their own capacity: a professional as one, staff in
            # their (first) staff role.
            assignment=policies.primary_assignment(actor, (Role.PROFESSIONAL, *policies.STAFF_ROLES)),
            detail={"fields": changed},
        )
    return user


def id_number_reveal(*, actor: User, person: User) -> str:
    """The full number, for a role that needs it; every such view is on record."""
    if not policies.can_view_full_id_number(actor, person):
        raise PermissionDenied
    audit_record(
        actor=actor,
        action="user.id_number_view",
        target=person,
        organisation=person.unit,
        assignment=policies.governing_assignment(actor, person.unit, policies.BUREAU_ROLES),
    )
    return identity.decrypt_id_number(person.id_number_encrypted)


# --- Unit membership -----------------------------------------------------------------------------


def _notify_unit_admins(unit: Organisation, *, title: str, body: str, link: str = "") -> None:
    admins = User.objects.filter(
        role_assignments__role=Role.UNIT_ADMIN,
        role_assignments__organisation=unit,
        role_assignments__is_active=True,
        is_active=True,
    ).distinct()
    created = Notification.objects.bulk_create(
        [Notification(recipient=admin, title=title, body=body, link=link) for admin in admins]
    )
    selectors.forget_unread_count(*(notification.recipient_id for notification in created))


def notify(*, recipient: User, title: str, body: str = "", link: str = "") -> Notification:
    notification = Notification.objects.create(recipient=recipient, title=title, body=body, link=link)
    selectors.forget_unread_count(recipient.pk)
    return notification


def _locked_pending_membership(actor: User, membership_id: int) -> Membership:
    membership = Membership.objects.select_for_update().select_related("user", "unit").get(pk=membership_id)
    if not policies.can_decide_membership(actor, membership):
        raise PermissionDenied(MEMBERSHIP_NOT_YOURS)
    if membership.status != MembershipStatus.PENDING:
        raise ValidationError(MEMBERSHIP_NOT_PENDING)
    return membership


@transaction.atomic
def membership_confirm(*, actor: User, membership_id: int) -> Membership:
    """The unit admin confirms that the person works here. For an employer change, the old tie ends
    and the old unit is told; the history stays."""
    membership = _locked_pending_membership(actor, membership_id)
    person = User.objects.select_for_update().get(pk=membership.user_id)
    now = timezone.now()
    previous = (
        Membership.objects.select_for_update()
        .select_related("unit")
        .filter(user=person, status=MembershipStatus.CONFIRMED)
        .first()
    )
    if previous is not None:
        previous.status = MembershipStatus.ENDED
        previous.ended_at = now
        previous.save(update_fields=["status", "ended_at"])
        with translation.override(settings.LANGUAGE_CODE):  # stored text: the platform's language
            _notify_unit_admins(
                previous.unit,
                title=_("人员调出通知"),
                body=_("%(name)s 已调入 %(unit)s，不再属于本单位。")
                % {"name": person.real_name, "unit": membership.unit.name},
                link="/unit/members/",
            )
    membership.status = MembershipStatus.CONFIRMED
    membership.decided_at = now
    membership.decided_by = actor
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    person.unit = membership.unit
    person.save(update_fields=["unit"])
    audit_record(
        actor=actor,
        action="membership.confirm",
        target=membership,
        organisation=membership.unit,
        assignment=policies.governing_assignment(actor, membership.unit, (Role.UNIT_ADMIN,)),
        detail={"previous_unit": previous.unit_id if previous else None},
    )
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the platform's language
        notify(
            recipient=person,
            title=_("单位关系已确认"),
            body=_("%(unit)s 已确认您为本单位人员。") % {"unit": membership.unit.name},
            link="/profile/",
        )
    return membership


@transaction.atomic
def membership_reject(*, actor: User, membership_id: int, reason: str) -> Membership:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REJECTION_REASON_REQUIRED})
    membership = _locked_pending_membership(actor, membership_id)
    person = User.objects.select_for_update().get(pk=membership.user_id)
    membership.status = MembershipStatus.REJECTED
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.decision_reason = reason[:200]
    membership.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    if person.unit_id == membership.unit_id and not membership.is_employer_change:
        # A first registration the unit does not recognise: the person leaves its jurisdiction and
        # names their real unit from the profile page.
        person.unit = None
        person.save(update_fields=["unit"])
    audit_record(
        actor=actor,
        action="membership.reject",
        target=membership,
        organisation=membership.unit,
        assignment=policies.governing_assignment(actor, membership.unit, (Role.UNIT_ADMIN,)),
        reason=reason,
    )
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the platform's language
        notify(
            recipient=person,
            title=_("单位关系未通过"),
            body=_("%(unit)s 未确认您的单位关系，理由：%(reason)s")
            % {"unit": membership.unit.name, "reason": reason},
            link="/profile/",
        )
    return membership


@transaction.atomic
def employer_change_request(*, actor: User, unit: Organisation) -> Membership:
    """The person asks to move to another unit (or names a unit after a rejection); the new unit
    confirms. Until then the person stays with the current unit."""
    if not policies.can_request_employer_change(actor):
        raise PermissionDenied(CHANGE_NOT_A_PROFESSIONAL)
    person = User.objects.select_for_update().get(pk=actor.pk)
    if (
        person.unit_id == unit.pk
        and Membership.objects.filter(
            user=person, unit=unit, status__in=[MembershipStatus.CONFIRMED, MembershipStatus.PENDING]
        ).exists()
    ):
        raise ValidationError(CHANGE_SAME_UNIT)
    if Membership.objects.filter(user=person, status=MembershipStatus.PENDING).exists():
        raise ValidationError(CHANGE_ALREADY_PENDING)
    has_confirmed = Membership.objects.filter(user=person, status=MembershipStatus.CONFIRMED).exists()
    membership = Membership.objects.create(
        user=person, unit=unit, status=MembershipStatus.PENDING, is_employer_change=has_confirmed
    )
    if not has_confirmed:
        person.unit = unit
        person.save(update_fields=["unit"])
    audit_record(
        actor=actor, action="membership.request", target=membership, organisation=unit, role=Role.PROFESSIONAL
    )
    with translation.override(settings.LANGUAGE_CODE):  # stored text: the platform's language
        _notify_unit_admins(
            unit,
            title=_("调入申请待确认") if has_confirmed else _("新注册人员待确认"),
            body=_("%(name)s 申请加入本单位，请确认。") % {"name": person.real_name},
            link="/unit/members/",
        )
    return membership


@transaction.atomic
def employer_change_cancel(*, actor: User) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .filter(user=actor, status=MembershipStatus.PENDING, is_employer_change=True)
        .first()
    )
    if membership is None:
        raise ValidationError(NOTHING_TO_CANCEL)
    membership.status = MembershipStatus.CANCELLED
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor,
        action="membership.cancel",
        target=membership,
        organisation=membership.unit,
        role=Role.PROFESSIONAL,
    )
    return membership


# --- Roles ---------------------------------------------------------------------------------------


def role_organisation_check(*, role: str, organisation: Organisation | None) -> None:
    """Raises ValidationError unless `role` is held at an organisation of its kind (or at none)."""
    kinds = ROLE_ORGANISATION_KINDS[role]
    if (kinds is None) != (organisation is None) or (
        organisation is not None and kinds and organisation.kind not in kinds
    ):
        raise ValidationError({"organisation": ROLE_ORGANISATION_INVALID})


@transaction.atomic
def role_grant(
    *, actor: User | None, user: User, role: str, organisation: Organisation | None = None
) -> RoleAssignment:
    """`actor` is None only for data loading commands; otherwise a platform admin grants roles."""
    if actor is not None and not policies.is_platform_admin(actor):
        raise PermissionDenied
    role_organisation_check(role=role, organisation=organisation)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organisation=organisation, is_active=True, defaults={"granted_by": actor}
    )
    if created:
        audit_record(
            actor=actor,
            action="role.grant",
            target=assignment,
            # A role held without an organisation (professional, platform admin) belongs where the
            # person works, so that bureau's audit export shows it.
            organisation=organisation or user.unit,
            **_capacity(actor),
            detail={"user": user.pk, "role": role},
        )
    policies.forget_roles(user)
    return assignment


@transaction.atomic
def role_revoke(*, actor: User, assignment_id: int) -> RoleAssignment:
    if not policies.is_platform_admin(actor):
        raise PermissionDenied
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("user__unit", "organisation")
        .get(pk=assignment_id)
    )
    if assignment.is_active:
        assignment.is_active = False
        assignment.revoked_at = timezone.now()
        assignment.save(update_fields=["is_active", "revoked_at"])
        audit_record(
            actor=actor,
            action="role.revoke",
            target=assignment,
            organisation=assignment.organisation or assignment.user.unit,
            **_capacity(actor),
            detail={"user": assignment.user_id, "role": assignment.role},
        )
    return assignment


@transaction.atomic
def user_set_active(*, actor: User, user_id: int, is_active: bool) -> User:
    """A platform admin disables an account (its sessions and API tokens stop working at the next
    request: both read the account each time) or enables it again."""
    if not policies.is_platform_admin(actor):
        raise PermissionDenied
    user = User.objects.select_for_update(of=("self",)).select_related("unit").get(pk=user_id)
    if user.is_active != is_active:
        user.is_active = is_active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="user.enable" if is_active else "user.disable",
            target=user,
            organisation=user.unit,
            **_capacity(actor),
        )
    return user


@transaction.atomic
def notification_mark_read(*, actor: User, notification_id: int | None = None) -> int:
    notifications = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_id is not None:
        notifications = notifications.filter(pk=notification_id)
    marked = notifications.update(read_at=timezone.now())
    selectors.forget_unread_count(actor.pk)
    return marked


def audit_export(*, actor: User, events: Any) -> bytes:
    """The audit trail of the actor's jurisdiction as .xlsx; the export itself is on record."""
    from django.utils import timezone as tz

    from jinan_ce.spreadsheets import xlsx_bytes

    from . import audit_labels

    rows = (
        (
            tz.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor.real_name if event.actor else "",
            audit_labels.role_label(event.actor_role),
            event.actor_organisation.name if event.actor_organisation else "",
            event.action,
            audit_labels.action_label(event.action),
            audit_labels.object_label(event.object_type),
            event.object_id,
            audit_labels.result_label(event.result),
            event.reason,
            event.ip_address or "",
        )
        for event in events.iterator(chunk_size=2000)
    )
    content = xlsx_bytes(
        "审计日志",
        [
            "时间",
            "操作人",
            "角色",
            "所在机构",
            "操作",
            "操作说明",
            "对象类型",
            "对象编号",
            "结果",
            "理由",
            "IP地址",
        ],
        rows,
    )
    assignment = policies.primary_assignment(actor, (*policies.BUREAU_ROLES, Role.PLATFORM_ADMIN))
    audit_record(
        actor=actor,
        action="audit.export",
        assignment=assignment,
        organisation=assignment.organisation if assignment else None,
        detail={"rows": events.count()},
    )
    return content
