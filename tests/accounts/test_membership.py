import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import AuditEvent, Membership, MembershipStatus, Notification, User
from tests.fixtures import World, client_for


def pending_of(person: User) -> Membership:
    return Membership.objects.get(user=person, status=MembershipStatus.PENDING)


def test_unit_admin_confirms_a_new_registration(world: World) -> None:
    membership = pending_of(world.pending_professional)
    client = client_for(world.other_unit_admin)  # 鲁科公司's admin: 陈静 registered there
    response = client.post(f"/unit/members/{membership.pk}/confirm/")
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.CONFIRMED
    assert membership.decided_by == world.other_unit_admin
    event = AuditEvent.objects.get(action="membership.confirm", object_id=str(membership.pk))
    assert event.actor_role == "unit_admin"
    assert event.actor_organisation == world.company
    assert (
        Notification.objects.filter(recipient=world.pending_professional, title="单位关系已确认").count() == 1
    )


def test_unit_admin_of_another_unit_gets_404_and_nothing_changes(world: World) -> None:
    membership = pending_of(world.pending_professional)
    for outsider in (world.unit_admin, world.department_reviewer, world.county_staff, world.professional):
        response = client_for(outsider).post(f"/unit/members/{membership.pk}/confirm/")
        assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING
    assert not AuditEvent.objects.filter(action="membership.confirm").exists()


def test_rejection_needs_a_reason_and_removes_the_first_unit(world: World) -> None:
    membership = pending_of(world.pending_professional)
    client = client_for(world.other_unit_admin)
    client.post(f"/unit/members/{membership.pk}/reject/", {"reason": ""})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING
    client.post(f"/unit/members/{membership.pk}/reject/", {"reason": "查无此人"})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REJECTED
    assert membership.decision_reason == "查无此人"
    world.pending_professional.refresh_from_db()
    assert world.pending_professional.unit is None
    note = Notification.objects.get(recipient=world.pending_professional, title="单位关系未通过")
    assert note.body == "济宁鲁科智能科技有限公司 未确认您的单位关系，理由：查无此人"


def test_deciding_twice_is_refused(world: World) -> None:
    membership = pending_of(world.pending_professional)
    services.membership_confirm(actor=world.other_unit_admin, membership_id=membership.pk)
    with pytest.raises(ValidationError) as error:
        services.membership_confirm(actor=world.other_unit_admin, membership_id=membership.pk)
    assert error.value.messages == ["该申请已处理，无需重复操作。"]


def test_service_refuses_an_admin_of_another_unit(world: World) -> None:
    membership = pending_of(world.pending_professional)
    with pytest.raises(PermissionDenied):
        services.membership_confirm(actor=world.unit_admin, membership_id=membership.pk)


def test_employer_change_new_unit_confirms_old_unit_is_told_history_kept(world: World) -> None:
    person = world.professional  # confirmed at 实验中学
    old = Membership.objects.get(user=person, status=MembershipStatus.CONFIRMED)
    client = client_for(person)
    response = client.post("/profile/employer/", {"unit": world.company.name})
    assert response.status_code == 302
    request = pending_of(person)
    assert request.is_employer_change is True
    person.refresh_from_db()
    assert person.unit == world.school  # stays until the new unit confirms
    assert Notification.objects.filter(recipient=world.other_unit_admin, title="调入申请待确认").count() == 1

    # The old unit cannot decide it; the new unit confirms.
    assert client_for(world.unit_admin).post(f"/unit/members/{request.pk}/confirm/").status_code == 404
    assert client_for(world.other_unit_admin).post(f"/unit/members/{request.pk}/confirm/").status_code == 302

    person.refresh_from_db()
    old.refresh_from_db()
    request.refresh_from_db()
    assert person.unit == world.company
    assert old.status == MembershipStatus.ENDED
    assert old.ended_at is not None
    assert request.status == MembershipStatus.CONFIRMED
    told = Notification.objects.get(recipient=world.unit_admin, title="人员调出通知")
    assert told.body == "张敏 已调入 济宁鲁科智能科技有限公司，不再属于本单位。"
    history = list(
        Membership.objects.filter(user=person).order_by("requested_at").values_list("unit__name", "status")
    )
    assert history == [("任城区实验中学", "ended"), ("济宁鲁科智能科技有限公司", "confirmed")]
    # The person left the old unit's jurisdiction and entered the new one's.
    assert client_for(world.unit_admin).get("/unit/members/").context["page"].paginator.count == 0
    members = client_for(world.other_unit_admin).get("/unit/members/").context["page"]
    assert [m.real_name for m in members] == ["张敏", "陈静"]


def test_employer_change_refusals(world: World) -> None:
    person = world.professional
    with pytest.raises(ValidationError) as same:
        services.employer_change_request(actor=person, unit=world.school)
    assert same.value.messages == ["您已在该单位，无需变更。"]
    services.employer_change_request(actor=person, unit=world.company)
    with pytest.raises(ValidationError) as twice:
        services.employer_change_request(actor=person, unit=world.other_school)
    assert twice.value.messages == ["您已有一项待确认的单位申请，请等待处理或先撤回。"]
    response = client_for(person).post("/profile/employer/", {"unit": "不存在的单位"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, status=MembershipStatus.PENDING).count() == 1


def test_employer_change_can_be_cancelled(world: World) -> None:
    person = world.professional
    services.employer_change_request(actor=person, unit=world.company)
    response = client_for(person).post("/profile/employer/cancel/")
    assert response.status_code == 302
    assert Membership.objects.get(user=person, unit=world.company).status == MembershipStatus.CANCELLED
    person.refresh_from_db()
    assert person.unit == world.school
    with pytest.raises(ValidationError) as error:
        services.employer_change_cancel(actor=person)
    assert error.value.messages == ["没有可撤回的单位申请。"]


def test_rejected_newcomer_names_another_unit(world: World) -> None:
    person = world.pending_professional
    services.membership_reject(
        actor=world.other_unit_admin, membership_id=pending_of(person).pk, reason="不是本单位职工"
    )
    services.employer_change_request(actor=person, unit=world.school)
    person.refresh_from_db()
    assert person.unit == world.school
    request = pending_of(person)
    assert request.is_employer_change is False
    services.membership_confirm(actor=world.unit_admin, membership_id=request.pk)
    assert Membership.objects.get(user=person, status=MembershipStatus.CONFIRMED).unit == world.school


def test_profile_update_and_page(world: World) -> None:
    client = client_for(world.professional)
    page = client.get("/profile/")
    assert page.status_code == 200
    assert world.professional.id_number_masked in page.content.decode()
    response = client.post(
        "/profile/",
        {
            "mobile": "13811112222",
            "email": "zm@example.cn",
            "title_series": "中小学教师",
            "title_level": "associate_senior",
            "specialty": "数学",
            "education": "master",
        },
    )
    assert response.status_code == 302
    world.professional.refresh_from_db()
    assert (world.professional.mobile, world.professional.title_level, world.professional.education) == (
        "13811112222",
        "associate_senior",
        "master",
    )
    taken = client.post("/profile/", {"mobile": "13800000004"})
    assert taken.status_code == 200
    assert taken.context["form"].errors["mobile"] == ["该手机号码已被其他账号使用。"]


def test_profile_updates_are_recorded_in_the_editors_own_capacity(world: World) -> None:
    services.profile_update(actor=world.professional, mobile=world.professional.mobile, specialty="物理")
    services.profile_update(actor=world.unit_admin, mobile=world.unit_admin.mobile, email="admin@example.cn")
    events = {
        event.actor: (event.actor_role, event.actor_organisation, event.organisation_path, event.detail)
        for event in AuditEvent.objects.filter(action="user.profile_update")
    }
    assert events == {
        world.professional: ("professional", None, world.school.path, {"fields": ["specialty"]}),
        world.unit_admin: ("unit_admin", world.school, "", {"fields": ["email"]}),
    }


def test_notifications_are_stored_in_the_platform_language_whatever_the_actor_reads(world: World) -> None:
    membership = pending_of(world.pending_professional)
    client = client_for(world.other_unit_admin)
    client.cookies["django_language"] = "en"
    assert client.post(f"/unit/members/{membership.pk}/confirm/").status_code == 302
    note = Notification.objects.get(recipient=world.pending_professional, title="单位关系已确认")
    assert note.body == "济宁鲁科智能科技有限公司 已确认您为本单位人员。"
