"""Refusing hostile spreadsheets before anything parses them.

An .xlsx file is a zip archive of XML parts. Three checks, cheapest first, each with a Chinese reason:
1. the bytes: a size limit, and the zip signature (an old .xls or an encrypted workbook is an OLE file,
   anything else is not a spreadsheet at all);
2. the central directory: how many entries, how large they say they inflate to, and how much they
   say they are compressed (a "zip bomb" is refused here, without inflating a byte);
3. the entries themselves, inflated as a stream against the same budget, so an archive that lies about
   its sizes is caught too (Python's zipfile stops at the declared size and then fails the CRC check).
All three together take milliseconds for a genuine 100,000-row roster and stop a bomb at the budget.
"""

from __future__ import annotations

import io
import zipfile

from django.core.exceptions import ValidationError

from . import messages

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 500
MAX_INFLATED_BYTES = 200 * 1024 * 1024
# Ratios only matter for entries big enough to hurt; genuine sheet XML compresses 5 to 20 times.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_FROM_BYTES = 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_CHUNK = 1024 * 1024


class XlsxRefused(ValidationError):
    """The file is refused before parsing; the message says why in Chinese."""


def _refuse(message: object, **params: object) -> XlsxRefused:
    text = str(message) % params if params else str(message)
    return XlsxRefused(text, code="xlsx_refused")


def check_signature(head: bytes, size: int) -> None:
    if size <= 0:
        raise _refuse(messages.FILE_EMPTY)
    if size > MAX_UPLOAD_BYTES:
        raise _refuse(messages.FILE_TOO_LARGE, limit=MAX_UPLOAD_BYTES // (1024 * 1024))
    if head.startswith(OLE_SIGNATURE):
        raise _refuse(messages.FILE_OLD_XLS)
    if not head.startswith(ZIP_SIGNATURE):
        raise _refuse(messages.FILE_NOT_XLSX)


def check_archive(data: bytes, *, inflate: bool = True) -> None:
    """All three checks on the whole file's bytes. ``inflate=False`` skips the stream check (used where
    the same bytes were already checked, e.g. right after upload)."""
    check_signature(data[:8], len(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _refuse(messages.FILE_CORRUPT) from error
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise _refuse(messages.FILE_TOO_MANY_ENTRIES, count=len(entries), limit=MAX_ENTRIES)
        declared = 0
        for entry in entries:
            declared += entry.file_size
            if declared > MAX_INFLATED_BYTES:
                raise _refuse(messages.FILE_INFLATES_TOO_MUCH, limit=MAX_INFLATED_BYTES // (1024 * 1024))
            if entry.file_size >= RATIO_CHECK_FROM_BYTES:
                ratio = entry.file_size / max(entry.compress_size, 1)
                if ratio > MAX_COMPRESSION_RATIO:
                    raise _refuse(messages.FILE_COMPRESSION_SUSPICIOUS, ratio=int(ratio))
        names = {entry.filename for entry in entries}
        if any(part not in names for part in REQUIRED_PARTS):
            raise _refuse(messages.FILE_NOT_XLSX)
        if entries and any(entry.flag_bits & 0x1 for entry in entries):
            raise _refuse(messages.FILE_OLD_XLS)  # encrypted entries
        if inflate:
            _check_inflation(archive, entries)


def _check_inflation(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    budget = MAX_INFLATED_BYTES
    try:
        for entry in entries:
            if entry.is_dir():
                continue
            with archive.open(entry) as stream:
                while True:
                    chunk = stream.read(_CHUNK)
                    if not chunk:
                        break
                    budget -= len(chunk)
                    if budget < 0:
                        raise _refuse(
                            messages.FILE_INFLATES_TOO_MUCH, limit=MAX_INFLATED_BYTES // (1024 * 1024)
                        )
    except XlsxRefused:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as error:
        raise _refuse(messages.FILE_CORRUPT) from error
    except Exception as error:  # zlib.error and friends: a damaged stream is a damaged file
        raise _refuse(messages.FILE_CORRUPT) from error
