"""Hostile files are refused before anything parses them: wrong formats, zip bombs (real ones, in well
under a second: refused from the archive's directory, inflating nothing), archives with too many
entries, and archives that lie about their sizes."""

from __future__ import annotations

import io
import zipfile

import pytest

from filings import messages, xlsx_guard
from filings.xlsx_guard import XlsxRefused, check_archive

from .helpers import hand_made_xlsx, lying_archive, many_entries, workbook_bytes, zip_bomb


def refusal(data: bytes) -> str:
    with pytest.raises(XlsxRefused) as caught:
        check_archive(data)
    return caught.value.messages[0]


def test_a_genuine_workbook_passes() -> None:
    check_archive(workbook_bytes([["370811199004230620", "张敏", 8]]))


def test_empty_file() -> None:
    assert refusal(b"") == str(messages.FILE_EMPTY)


def test_not_a_zip_at_all() -> None:
    assert refusal("身份证号码,姓名,学时\n370811199004230620,张敏,8\n".encode()) == str(
        messages.FILE_NOT_XLSX
    )


def test_old_xls_is_named_as_such() -> None:
    assert refusal(xlsx_guard.OLE_SIGNATURE + b"\x00" * 600) == str(messages.FILE_OLD_XLS)


def test_a_zip_that_is_not_a_workbook() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refusal(buffer.getvalue()) == str(messages.FILE_NOT_XLSX)


def test_a_truncated_zip_is_corrupt() -> None:
    data = workbook_bytes([["370811199004230620", "张敏", 8]])
    assert refusal(data[: len(data) // 2]) == str(messages.FILE_CORRUPT)


def test_too_large_an_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_guard, "MAX_UPLOAD_BYTES", 1000)
    assert refusal(workbook_bytes([["370811199004230620", "张敏", 8]])) == str(messages.FILE_TOO_LARGE) % {
        "limit": 0
    }


@pytest.fixture(scope="module")
def big_bomb() -> bytes:
    """256 MB of zeros in a ~250 KB workbook: past the 200 MB inflation budget."""
    return zip_bomb(256)


@pytest.fixture
def inflated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many bytes the check inflates, read by read. (What keeps a bomb's refusal well under a
    second is that it inflates nothing, or no more than the archive declares; that is asserted rather
    than a wall-clock time, which a busy machine would make flaky.)"""
    counts: list[int] = []
    read = zipfile.ZipExtFile.read

    def counting_read(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        chunk = read(self, n)
        counts.append(len(chunk))
        return chunk

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    return counts


def test_zip_bomb_is_refused_from_its_directory_without_inflating_a_byte(
    big_bomb: bytes, inflated: list[int]
) -> None:
    assert len(big_bomb) < 1024 * 1024
    assert refusal(big_bomb) == str(messages.FILE_INFLATES_TOO_MUCH) % {"limit": 200}
    assert inflated == []


def test_small_bomb_is_refused_by_its_compression_ratio(inflated: list[int]) -> None:
    message = refusal(zip_bomb(20))
    assert message.startswith(str(messages.FILE_COMPRESSION_SUSPICIOUS).split("（")[0])
    assert inflated == []


def test_too_many_entries(inflated: list[int]) -> None:
    assert refusal(many_entries(600)) == str(messages.FILE_TOO_MANY_ENTRIES) % {"count": 605, "limit": 500}
    assert inflated == []


def test_an_archive_lying_about_its_sizes_is_caught_when_inflated(inflated: list[int]) -> None:
    data = lying_archive(true_megabytes=20, declared_bytes=1000)
    check_archive(data, inflate=False)  # the declared sizes alone look harmless
    inflated.clear()
    assert refusal(data) == str(messages.FILE_CORRUPT)
    declared = sum(entry.file_size for entry in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert declared < 10_000
    assert 0 < sum(inflated) <= declared  # stopped at the declared sizes, not at the true 20 MB


def test_hand_made_workbook_passes() -> None:
    check_archive(hand_made_xlsx([["身份证号码", "姓名", "学时"]]))
