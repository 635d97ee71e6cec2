"""National ID numbers (GB 11643), unified social credit codes (GB 32100) and mainland mobile numbers:
normalising what people type, validating it, and keeping ID numbers safe (encrypted at rest, found
through a keyed hash, masked for display). Pure functions apart from reading the keys from settings."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re
from collections.abc import Callable
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_NUMBER_REQUIRED = _("请输入身份证号码。")
ID_NUMBER_LENGTH = _("身份证号码应为18位。")
ID_NUMBER_CHARACTERS = _("身份证号码只能由数字和末位的X组成。")
ID_NUMBER_BIRTH_DATE = _("身份证号码中的出生日期无效。")
ID_NUMBER_CHECK_DIGIT = _("身份证号码校验位不正确，请核对后重新输入。")
CREDIT_CODE_LENGTH = _("统一社会信用代码应为18位。")
CREDIT_CODE_CHARACTERS = _("统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）。")
CREDIT_CODE_CHECK = _("统一社会信用代码校验位不正确，请核对后重新输入。")
MOBILE_INVALID = _("请输入正确的11位中国大陆手机号码。")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARACTERS = "10X98765432"
_CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# Full-width forms (U+FF01..U+FF5E) map onto ASCII by a fixed offset; U+3000 is the ideographic space.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20


def to_half_width(value: str) -> str:
    return value.translate(_FULL_WIDTH)


def normalise_id_number(value: object) -> str:
    """What a person, or a spreadsheet cell, gives us: full-width digits, spaces, a lowercase x."""
    text = to_half_width(str(value or ""))
    return re.sub(r"\s+", "", text).upper()


def id_number_check_character(first_seventeen: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_seventeen, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARACTERS[total % 11]


def id_number_error(normalised: str, today: datetime.date | None = None) -> str | None:
    """The Chinese message for what is wrong with a normalised ID number, or None when it is valid."""
    if not normalised:
        return str(ID_NUMBER_REQUIRED)
    if len(normalised) != 18:
        return str(ID_NUMBER_LENGTH)
    if not (
        normalised[:17].isdigit()
        and normalised[:17].isascii()
        and (normalised[17].isdigit() or normalised[17] == "X")
    ):
        return str(ID_NUMBER_CHARACTERS)
    try:
        birth = datetime.date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))
    except ValueError:
        return str(ID_NUMBER_BIRTH_DATE)
    if birth.year < 1900 or birth > (today or datetime.date.today()):
        return str(ID_NUMBER_BIRTH_DATE)
    if id_number_check_character(normalised[:17]) != normalised[17]:
        return str(ID_NUMBER_CHECK_DIGIT)
    return None


def clean_id_number(value: object) -> str:
    """Normalise and validate; raises ValidationError with the Chinese reason."""
    normalised = normalise_id_number(value)
    error = id_number_error(normalised)
    if error:
        raise ValidationError(error, code="invalid_id_number")
    return normalised


def mask_id_number(normalised: str) -> str:
    """GB/T 35273 style masking: the first 6 and last 4 characters stay visible."""
    if len(normalised) < 10:
        return "*" * len(normalised)
    return normalised[:6] + "*" * (len(normalised) - 10) + normalised[-4:]


def credit_code_check_character(first_seventeen: str) -> str:
    total = sum(
        _CREDIT_CODE_CHARSET.index(character) * weight
        for character, weight in zip(first_seventeen, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return _CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def clean_credit_code(value: object) -> str:
    normalised = re.sub(r"\s+", "", to_half_width(str(value or ""))).upper()
    if len(normalised) != 18:
        raise ValidationError(CREDIT_CODE_LENGTH, code="invalid_credit_code")
    if any(character not in _CREDIT_CODE_CHARSET for character in normalised):
        raise ValidationError(CREDIT_CODE_CHARACTERS, code="invalid_credit_code")
    if credit_code_check_character(normalised[:17]) != normalised[17]:
        raise ValidationError(CREDIT_CODE_CHECK, code="invalid_credit_code")
    return normalised


def clean_mobile(value: object) -> str:
    normalised = re.sub(r"[\s-]+", "", to_half_width(str(value or "")))
    if normalised.startswith("+86"):
        normalised = normalised[3:]
    if not _MOBILE_PATTERN.match(normalised):
        raise ValidationError(MOBILE_INVALID, code="invalid_mobile")
    return normalised


def looks_like_id_number(value: str) -> bool:
    return id_number_error(normalise_id_number(value)) is None


# --- Protection at rest -------------------------------------------------------------------------


def _derived_key(purpose: str) -> bytes:
    return hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=1)
def _cipher() -> MultiFernet:
    keys = list(settings.ID_NUMBER_KEYS) or [
        base64.urlsafe_b64encode(_derived_key("id-number-encryption")).decode()
    ]
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def _hash_key() -> bytes:
    configured = settings.ID_NUMBER_HASH_KEY
    return configured.encode() if configured else _derived_key("id-number-lookup")


def encrypt_id_number(normalised: str) -> str:
    return _cipher().encrypt(normalised.encode()).decode()


def decrypt_id_number(token: str) -> str:
    return _cipher().decrypt(token.encode()).decode()


def rotate_id_number_token(token: str) -> str:
    """Re-encrypt under the newest key (used by the rotate_id_number_key command)."""
    return _cipher().rotate(token.encode()).decode()


def id_number_digest(normalised: str) -> str:
    """Keyed hash used for equality look-ups and uniqueness: the plain number is never stored."""
    return hmac.new(_hash_key(), normalised.encode(), hashlib.sha256).hexdigest()


def id_number_digester() -> Callable[[str], str]:
    """``id_number_digest`` for many numbers in a row (a roster import): the HMAC's key schedule is done
    once and copied per number, less than half the cost of a one-shot ``hmac.new`` each."""
    keyed = hmac.new(_hash_key(), digestmod=hashlib.sha256)

    def digest(normalised: str) -> str:
        one = keyed.copy()
        one.update(normalised.encode())
        return one.hexdigest()

    return digest
