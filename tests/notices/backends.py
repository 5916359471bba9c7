"""E-mail backends for the tests: one whose server refuses every message, one that counts the calls."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"Mailbox unavailable")})
