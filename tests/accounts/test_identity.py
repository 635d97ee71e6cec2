import datetime
import io
import logging

import pytest
from django.core.exceptions import ValidationError

from accounts import identity
from accounts.demo import make_credit_code, make_id_number
from accounts.logging import MaskIdNumbersFilter, mask_id_numbers_in_text

# A published test ID number whose check character is X (GB 11643 example).
ID_WITH_X = "11010519491231002X"
VALID_ID = make_id_number("370811", datetime.date(1990, 4, 23), 62)


def test_valid_id_number_is_accepted_unchanged() -> None:
    assert identity.clean_id_number(VALID_ID) == VALID_ID


def test_lowercase_x_is_accepted_and_stored_upper_case() -> None:
    assert identity.clean_id_number(ID_WITH_X.lower()) == ID_WITH_X


def test_full_width_digits_and_spaces_are_normalised() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in ID_WITH_X[:-1]) + "ｘ"
    assert identity.clean_id_number(f" {full_width[:6]}　{full_width[6:]} ") == ID_WITH_X


def test_wrong_check_digit_is_refused_with_message() -> None:
    wrong = VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        identity.clean_id_number(wrong)
    assert error.value.messages == ["身份证号码校验位不正确，请核对后重新输入。"]


@pytest.mark.parametrize("birth", ["19900230", "19901301", "18991231", "20991231"])
def test_impossible_or_future_birth_date_is_refused(birth: str) -> None:
    first = f"370811{birth}123"
    candidate = first + identity.id_number_check_character(first)
    with pytest.raises(ValidationError) as error:
        identity.clean_id_number(candidate)
    assert error.value.messages == ["身份证号码中的出生日期无效。"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "请输入身份证号码。"),
        ("37081119900423", "身份证号码应为18位。"),
        ("3708111990042306A2", "身份证号码只能由数字和末位的X组成。"),
        ("X70811199004230622", "身份证号码只能由数字和末位的X组成。"),
    ],
)
def test_malformed_id_numbers_get_their_own_message(value: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        identity.clean_id_number(value)
    assert error.value.messages == [message]


def test_mask_shows_first_six_and_last_four() -> None:
    assert identity.mask_id_number(ID_WITH_X) == "110105********002X"


def test_encryption_round_trip_and_keyed_digest() -> None:
    token = identity.encrypt_id_number(ID_WITH_X)
    assert ID_WITH_X not in token
    assert identity.decrypt_id_number(token) == ID_WITH_X
    assert identity.id_number_digest(ID_WITH_X) == identity.id_number_digest(ID_WITH_X)
    assert identity.id_number_digest(ID_WITH_X) != identity.id_number_digest(VALID_ID)
    assert len(identity.id_number_digest(ID_WITH_X)) == 64


def test_credit_code_valid_and_normalised() -> None:
    code = make_credit_code(7)
    assert identity.clean_credit_code(code.lower()) == code
    # A real code published by a public registry (济宁市人民政府办公室 style example from GB 32100).
    assert identity.clean_credit_code("91350100M000100Y43") == "91350100M000100Y43"


def test_credit_code_wrong_check_character_is_refused() -> None:
    code = make_credit_code(7)
    wrong = code[:-1] + ("1" if code[-1] != "1" else "2")
    with pytest.raises(ValidationError) as error:
        identity.clean_credit_code(wrong)
    assert error.value.messages == ["统一社会信用代码校验位不正确，请核对后重新输入。"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9137080012345678", "统一社会信用代码应为18位。"),
        ("91370800I23456789X", "统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）。"),
    ],
)
def test_credit_code_format_errors(value: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        identity.clean_credit_code(value)
    assert error.value.messages == [message]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800000005", "13800000005"),
        ("+86 138-0000-0005", "13800000005"),
        ("１３８００００００05", "13800000005"),
    ],
)
def test_mobile_numbers_are_normalised(value: str, expected: str) -> None:
    assert identity.clean_mobile(value) == expected


@pytest.mark.parametrize("value", ["12800000005", "1380000000", "138000000055", "abc"])
def test_invalid_mobile_numbers_are_refused(value: str) -> None:
    with pytest.raises(ValidationError) as error:
        identity.clean_mobile(value)
    assert error.value.messages == ["请输入正确的11位中国大陆手机号码。"]


def test_log_filter_masks_id_numbers() -> None:
    assert mask_id_numbers_in_text(f"user {ID_WITH_X} failed") == "user 110105********002X failed"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id=%s", (VALID_ID,), None)
    MaskIdNumbersFilter().filter(record)
    assert VALID_ID not in record.getMessage()
    assert record.getMessage() == f"id={VALID_ID[:6]}********{VALID_ID[-4:]}"


def test_log_filter_masks_id_numbers_in_tracebacks_and_stacks() -> None:
    """logger.exception(...) of an error whose text holds a number: the handler's output is masked."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskIdNumbersFilter())
    logger = logging.getLogger("tests.identity.traceback")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise ValueError(f"row 7: unknown person {VALID_ID}")
        except ValueError:
            logger.exception("import failed", stack_info=True)
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "ValueError: row 7: unknown person " + f"{VALID_ID[:6]}********{VALID_ID[-4:]}" in output
    assert "Stack (most recent call last)" in output
    assert VALID_ID not in output


@pytest.mark.django_db
def test_key_rotation_re_encrypts_every_stored_number(settings) -> None:  # type: ignore[no-untyped-def]
    import base64

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from accounts.models import User

    # Whatever is already stored was encrypted with the development key derived from SECRET_KEY.
    current_key = base64.urlsafe_b64encode(identity._derived_key("id-number-encryption")).decode()
    new_key = Fernet.generate_key().decode()
    try:
        person = User.objects.create_user("13700000001", "Grand-Canal-Weishan-77", real_name="测试")
        person.id_number_encrypted = identity.encrypt_id_number(VALID_ID)
        person.save()
        settings.ID_NUMBER_KEYS = [new_key, current_key]
        identity._cipher.cache_clear()
        call_command("rotate_id_number_key")
        person.refresh_from_db()
        settings.ID_NUMBER_KEYS = [new_key]  # the old key is gone: only the new one can decrypt now
        identity._cipher.cache_clear()
        assert identity.decrypt_id_number(person.id_number_encrypted) == VALID_ID
    finally:
        settings.ID_NUMBER_KEYS = []
        identity._cipher.cache_clear()
