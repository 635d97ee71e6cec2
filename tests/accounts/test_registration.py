import datetime

import pytest
from django.test import Client

from accounts import identity
from accounts.demo import DEMO_PASSWORD, make_id_number
from accounts.models import AuditEvent, Membership, MembershipStatus, Notification, Role, RoleAssignment, User
from tests.fixtures import World

NEW_ID = "11010519491231002X"


def registration_data(**overrides: str) -> dict[str, str]:
    data = {
        "real_name": "王晓明",
        "id_number": NEW_ID,
        "username": "13912345678",
        "password1": "Qufu-Confucius-2024",
        "password2": "Qufu-Confucius-2024",
        "unit": "任城区实验中学",
        "title_series": "中小学教师",
        "title_level": "intermediate",
        "specialty": "语文",
        "education": "bachelor",
        "email": "",
    }
    data.update(overrides)
    return data


def test_registration_creates_pending_professional_with_encrypted_id(world: World, client: Client) -> None:
    response = client.post("/accounts/signup/", registration_data(id_number=NEW_ID.lower()))
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    person = User.objects.get(mobile="13912345678")
    assert person.real_name == "王晓明"
    assert person.id_number_masked == "110105********002X"
    assert person.id_number_digest == identity.id_number_digest(NEW_ID)
    assert NEW_ID not in person.id_number_encrypted
    assert identity.decrypt_id_number(person.id_number_encrypted) == NEW_ID
    assert person.unit == world.school
    assert person.title_level == "intermediate"
    membership = Membership.objects.get(user=person)
    assert membership.status == MembershipStatus.PENDING
    assert list(RoleAssignment.objects.filter(user=person).values_list("role", flat=True)) == [
        Role.PROFESSIONAL
    ]
    event = AuditEvent.objects.get(action="user.register", object_id=str(person.pk))
    assert event.actor == person
    assert event.organisation_path == world.school.path
    assert (
        Notification.objects.filter(
            recipient=world.unit_admin, title="新注册人员待确认", body__startswith="王晓明 "
        ).count()
        == 1
    )
    # Logged in straight away, and can use the dashboard while the unit has not confirmed.
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "待单位确认" in dashboard.content.decode()


def test_unit_can_be_given_by_credit_code(world: World, client: Client) -> None:
    response = client.post("/accounts/signup/", registration_data(unit=world.company.credit_code.lower()))
    assert response.status_code == 302
    assert User.objects.get(mobile="13912345678").unit == world.company


def test_unit_picker_value_with_code_in_brackets(world: World, client: Client) -> None:
    response = client.post(
        "/accounts/signup/", registration_data(unit=f"{world.company.name}（{world.company.credit_code}）")
    )
    assert response.status_code == 302
    assert User.objects.get(mobile="13912345678").unit == world.company


def test_full_width_id_number_is_normalised(world: World, client: Client) -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in NEW_ID)
    response = client.post("/accounts/signup/", registration_data(id_number=full_width))
    assert response.status_code == 302
    assert User.objects.get(mobile="13912345678").id_number_digest == identity.id_number_digest(NEW_ID)


def test_duplicate_id_number_is_refused_whatever_the_spelling(world: World, client: Client) -> None:
    assert client.post("/accounts/signup/", registration_data()).status_code == 302
    other = Client()
    response = other.post(
        "/accounts/signup/", registration_data(id_number=NEW_ID.lower(), username="13912345679")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [
        "该身份证号码已注册。如忘记密码，请使用“找回密码”或联系所在单位管理员。"
    ]
    assert User.objects.filter(id_number_digest=identity.id_number_digest(NEW_ID)).count() == 1
    assert not User.objects.filter(mobile="13912345679").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("real_name", "", "请输入与身份证一致的真实姓名（2至30个字）。"),
        ("real_name", "王", "请输入与身份证一致的真实姓名（2至30个字）。"),
        ("id_number", "", "请输入身份证号码。"),
        ("id_number", "110105194912310021", "身份证号码校验位不正确，请核对后重新输入。"),
        ("id_number", "110105194902300020", "身份证号码中的出生日期无效。"),
        ("username", "12345", "请输入正确的11位中国大陆手机号码。"),
        ("username", "13800000005", "该手机号码已被其他账号使用。"),
        ("unit", "", "请选择您所在的工作单位。"),
        ("unit", "不存在的单位", "未找到该单位，请输入单位全称或统一社会信用代码。"),
    ],
)
def test_every_invalid_field_gets_a_chinese_message(
    world: World, client: Client, field: str, value: str, message: str
) -> None:
    users_before = User.objects.count()
    response = client.post("/accounts/signup/", registration_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert User.objects.count() == users_before


def test_short_password_is_refused(world: World, client: Client) -> None:
    response = client.post("/accounts/signup/", registration_data(password1="Short-1", password2="Short-1"))
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(mobile="13912345678").exists()


def test_registered_id_number_taken_by_demo_user(world: World, client: Client) -> None:
    taken = make_id_number("370811", datetime.date(1990, 4, 23), 62)  # 张敏
    response = client.post("/accounts/signup/", registration_data(id_number=taken))
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors


def test_login_by_mobile_number(world: World, client: Client) -> None:
    response = client.post("/accounts/login/", {"login": "13800000005", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/api/me/").json()["real_name"] == "张敏"


def test_login_by_id_number_including_lowercase_x(world: World, client: Client) -> None:
    User.objects.filter(pk=world.professional.pk).update(
        id_number_digest=identity.id_number_digest(NEW_ID), id_number_masked=identity.mask_id_number(NEW_ID)
    )
    response = client.post("/accounts/login/", {"login": NEW_ID.lower(), "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/api/me/").json()["id_number"] == "110105********002X"


def test_login_with_wrong_password_shows_chinese_message(world: World, client: Client) -> None:
    response = client.post("/accounts/login/", {"login": "13800000005", "password": "wrong-password-123"})
    assert response.status_code == 200
    assert "身份证号/手机号或密码不正确。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_registration_page_and_unit_search(world: World, client: Client) -> None:
    page = client.get("/accounts/signup/")
    assert page.status_code == 200
    assert "专业技术人员实名注册" in page.content.decode()
    options = client.get("/units/search/", {"unit": "实验"})
    assert options.status_code == 200
    body = options.content.decode()
    assert f"任城区实验中学（{world.school.credit_code}）" in body
    assert f"任城区第二实验小学（{world.other_school.credit_code}）" in body
    assert client.get("/units/search/", {"unit": "实"}).content.decode().strip() == ""
