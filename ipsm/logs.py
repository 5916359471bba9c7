"""Keeping NIKs out of log output and error reports (UU PDP 27/2022).

Our code never logs a NIK on purpose (import rows are labelled with mask_nik), but an exception's message
can carry one: PostgreSQL explains a unique violation as `Key (nik)=(3371...) already exists`, and SQL
logged at DEBUG shows its parameters. So the last step before text leaves the process masks anything that
looks like a NIK: 16 digits, typed together or in groups separated by spaces, dots, dashes or plus signs.
The log handlers use NikRedactingFormatter (settings.LOGGING), and error reports (the debug page, the
emails to ADMINS) NikRedactingExceptionReporter (settings.DEFAULT_EXCEPTION_REPORTER).
"""

import logging

from django.views.debug import ExceptionReporter

from ipsm.lib.redact import redact_niks

__all__ = ["NikRedactingExceptionReporter", "NikRedactingFormatter", "redact_niks"]


class NikRedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # The whole line, the traceback of logger.exception included.
        return redact_niks(super().format(record))


class NikRedactingExceptionReporter(ExceptionReporter):
    def get_traceback_html(self) -> str:
        return redact_niks(super().get_traceback_html())

    def get_traceback_text(self) -> str:
        return redact_niks(super().get_traceback_text())
