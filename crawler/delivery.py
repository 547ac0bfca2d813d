"""Sending the digest and the alerts by mail: SMTP settings from the environment, one message.

It owns `SmtpSettings` (read from NEWSMON_SMTP_* and NEWSMON_MAIL_* variables,
so no password is ever on a command line), building a multipart/alternative
message (plain text first, HTML second, as mail clients expect) and sending
it with smtplib, with STARTTLS or implicit TLS unless told otherwise.  Every
failure (a missing setting, a refused login or recipient, an unreachable
server, a timeout) is a `DeliveryError` with one line saying what failed;
callers mark nothing as sent unless `send` returned.

    NEWSMON_SMTP_HOST      the server (required)
    NEWSMON_SMTP_PORT      default 587 (starttls), 465 (tls), 25 (none)
    NEWSMON_SMTP_SECURITY  starttls (default) | tls | none
    NEWSMON_SMTP_USER      login, if the server wants one
    NEWSMON_SMTP_PASSWORD  its password
    NEWSMON_MAIL_FROM      sender (default: NEWSMON_SMTP_USER, else newsmon@<this host>)
    NEWSMON_MAIL_TO        recipients, comma-separated (--to on the command line adds to them)
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from datetime import datetime, timezone
from typing import Mapping, Sequence

logger = logging.getLogger(__name__)

SECURITY = ("starttls", "tls", "none")
_DEFAULT_PORT = {"starttls": 587, "tls": 465, "none": 25}


class DeliveryError(Exception):
    """A message could not be sent; nothing was sent (or the server refused it)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    sender: str
    recipients: tuple[str, ...]
    timeout: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str], recipients: Sequence[str] = (),
                 timeout: float = 30.0) -> "SmtpSettings":
        host = (env.get("NEWSMON_SMTP_HOST") or "").strip()
        if not host:
            raise DeliveryError("cannot send: NEWSMON_SMTP_HOST is not set (see README, Delivery)")
        security = (env.get("NEWSMON_SMTP_SECURITY") or "starttls").strip().lower()
        if security not in SECURITY:
            raise DeliveryError(f"NEWSMON_SMTP_SECURITY must be one of {', '.join(SECURITY)}, not {security!r}")
        port_text = (env.get("NEWSMON_SMTP_PORT") or "").strip()
        try:
            port = int(port_text) if port_text else _DEFAULT_PORT[security]
        except ValueError:
            raise DeliveryError(f"NEWSMON_SMTP_PORT must be a port number, not {port_text!r}") from None
        if not 0 < port < 65536:
            raise DeliveryError(f"NEWSMON_SMTP_PORT must be from 1 to 65535, not {port}")
        user = env.get("NEWSMON_SMTP_USER") or None
        password = env.get("NEWSMON_SMTP_PASSWORD") or None
        if password and not user:
            raise DeliveryError("NEWSMON_SMTP_PASSWORD is set but NEWSMON_SMTP_USER is not")
        sender = (env.get("NEWSMON_MAIL_FROM") or (user if user and "@" in user else "")
                  or f"newsmon@{socket.getfqdn() or 'localhost'}")
        listed = [r for r in (env.get("NEWSMON_MAIL_TO") or "").split(",") if r.strip()]
        addresses = _addresses([*listed, *recipients])
        if not addresses:
            raise DeliveryError("cannot send: no recipients (set NEWSMON_MAIL_TO or give --to)")
        return cls(host, port, security, user, password, _addresses([sender])[0], tuple(addresses), timeout)


def _addresses(values: Sequence[str]) -> list[str]:
    found = []
    for name, addr in getaddresses([v.strip() for v in values if v and v.strip()]):
        if not addr or "@" not in addr or addr.startswith("@") or addr.endswith("@"):
            raise DeliveryError(f"not a mail address: {addr or name!r}")
        try:
            Address(addr_spec=addr)
        except (ValueError, IndexError) as exc:
            raise DeliveryError(f"not a mail address: {addr!r} ({exc})") from None
        if addr not in found:
            found.append(addr)
    return found


def build_message(settings: SmtpSettings, subject: str, text: str, html: str) -> EmailMessage:
    """A multipart/alternative message: text/plain, then text/html (both UTF-8)."""
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = settings.sender
    message["To"] = ", ".join(settings.recipients)
    message["Date"] = format_datetime(datetime.now(timezone.utc))
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def send(settings: SmtpSettings, message: EmailMessage, *, context: ssl.SSLContext | None = None) -> None:
    """Send `message` to every recipient or raise DeliveryError.  A recipient the server
    refuses fails the whole send, so a caller never marks alerts as sent to half of them."""
    where = f"{settings.host}:{settings.port}"
    context = context or ssl.create_default_context()
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                                    context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            client.ehlo()
            if settings.security == "starttls":
                if not client.has_extn("starttls"):
                    raise DeliveryError(f"{where} does not offer STARTTLS (NEWSMON_SMTP_SECURITY=none "
                                        "sends in clear text)")
                client.starttls(context=context)
                client.ehlo()
            if settings.user:
                client.login(settings.user, settings.password or "")
            refused = client.send_message(message, from_addr=settings.sender,
                                          to_addrs=list(settings.recipients))
            if refused:
                raise DeliveryError(f"{where} refused recipient(s) "
                                    + ", ".join(f"{r} ({c[0]})" for r, c in refused.items()))
    except DeliveryError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"{where} refused the login of {settings.user!r}: {_smtp_text(exc)}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"{where} refused every recipient: "
                            + ", ".join(f"{r} ({c[0]})" for r, c in exc.recipients.items())) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{where} answered {exc.smtp_code}: {_smtp_text(exc)}") from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise DeliveryError(f"sending through {where} failed: {exc}") from None
    except (OSError, TimeoutError) as exc:
        raise DeliveryError(f"cannot reach the mail server {where}: {exc.strerror or exc}") from None
    logger.info("sent %r to %d recipient(s) through %s", message["Subject"], len(settings.recipients), where)


def _smtp_text(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return " ".join(text.split())
