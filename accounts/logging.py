"""Log hygiene: national ID numbers never reach a log line, whatever code emitted it."""

import logging
import re

_ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_id_numbers_in_text(text: str) -> str:
    return _ID_NUMBER_IN_TEXT.sub(lambda match: f"{match.group(1)}********{match.group(2)}", text)


class MaskIdNumbersFilter(logging.Filter):
    """Masks the message, and the traceback and stack a record carries (an exception's text can hold
    the value that failed, say a row of an upload)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_id_numbers_in_text(message)
        if masked != message:
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text once set, so the traceback is formatted (and masked) here once.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_id_numbers_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_id_numbers_in_text(record.stack_info)
        return True
