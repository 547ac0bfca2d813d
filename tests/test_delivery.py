"""Mail delivery (crawler/delivery.py, `alerts --send`, `digest --send`) against a real local
SMTP server (aiosmtpd) with STARTTLS and a login: the message arrives with its text and
HTML parts; a failure is exit 1 in one line and marks nothing as sent."""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
from email import policy
from html.parser import HTMLParser

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import free_port
from newsmon.crawler.cli import cli
from newsmon.crawler.delivery import DeliveryError, SmtpSettings
from test_alerts import Db

USER, PASSWORD = "newsmon", "s3cret"


def self_signed(folder) -> tuple:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    import ssl
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    controller.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts our certificate, and only it
    env = {"NEWSMON_SMTP_HOST": "127.0.0.1", "NEWSMON_SMTP_PORT": str(port), "NEWSMON_SMTP_USER": USER,
           "NEWSMON_SMTP_PASSWORD": PASSWORD, "NEWSMON_MAIL_FROM": "newsmon@example.org",
           "NEWSMON_MAIL_TO": "analyst@example.org"}
    yield inbox, env
    controller.stop()


@pytest.fixture
def watched(tmp_path):
    db = Db(tmp_path / "news.duckdb")
    for day in (1, 2):
        db.article("alpha", dt.datetime.utcnow() - dt.timedelta(days=day), ["Watched Corp"],
                   title=f"News <b>{day}</b>")
    db.flush()
    path = tmp_path / "w.toml"
    path.write_text('[[entity]]\nname = "Watched Corp"\n')
    return db, path


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.styles += [v or "" for k, v in attrs if k == "style"]


def parts(message) -> dict[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_alerts_are_sent_once_as_text_and_html(smtp, watched):
    inbox, env = smtp
    db, watchlist = watched
    args = ["alerts", "--db", str(db.path), "--watchlist", str(watchlist), "--send", "--to", "lead@example.org"]
    done = CliRunner().invoke(cli, args, env=env)
    assert done.exit_code == 0, done.output
    assert "sent 2 alert(s) to analyst@example.org, lead@example.org" in done.output
    (rcpt, message), = inbox.messages
    assert rcpt == ["analyst@example.org", "lead@example.org"]
    assert message["Subject"] == "newsmon: 2 new alerts" and message["From"] == "newsmon@example.org"
    body = parts(message)
    assert list(body) == ["text/plain", "text/html"]
    assert body["text/plain"].count("* Watched Corp in") == 2
    html = _Tags()
    html.feed(body["text/html"])
    assert "script" not in html.tags and "svg" not in html.tags and "style" not in html.tags
    assert "News &lt;b&gt;1&lt;/b&gt;" in body["text/html"] and "b" not in html.tags
    assert not any("var(" in s for s in html.styles)

    again = CliRunner().invoke(cli, args, env=env)
    assert again.exit_code == 0 and "nothing sent" in again.output and len(inbox.messages) == 1
    shown = CliRunner().invoke(cli, ["alerts", "--db", str(db.path), "--watchlist", str(watchlist)])
    assert shown.output.count("* Watched Corp in") == 2  # printing is another channel


@pytest.mark.parametrize("change, message", [
    ({"NEWSMON_SMTP_PASSWORD": "wrong"}, "refused the login of 'newsmon'"),
    ({"NEWSMON_SMTP_PORT": None}, "cannot reach the mail server 127.0.0.1"),
    ({"NEWSMON_SMTP_HOST": ""}, "NEWSMON_SMTP_HOST is not set"),
    ({"NEWSMON_MAIL_TO": ""}, "no recipients"),
    ({"NEWSMON_SMTP_SECURITY": "none"}, "AUTH extension not supported"),  # the server wants TLS first
])
def test_a_failed_send_is_exit_1_in_one_line_and_marks_nothing(smtp, watched, change, message):
    inbox, env = smtp
    db, watchlist = watched
    env = dict(env)
    for key, value in change.items():
        env[key] = str(free_port()) if value is None else value
    args = ["alerts", "--db", str(db.path), "--watchlist", str(watchlist), "--send"]
    done = CliRunner().invoke(cli, args, env=env)
    assert done.exit_code == 1 and message in done.output, done.output
    assert len(done.output.strip().splitlines()) == 1 and inbox.messages == []
    good = CliRunner().invoke(cli, args, env=smtp[1])
    assert good.exit_code == 0 and "sent 2 alert(s)" in good.output  # nothing had been marked as sent


def test_bad_settings_are_refused_before_connecting():
    base = {"NEWSMON_SMTP_HOST": "mail.example.org", "NEWSMON_MAIL_TO": "a@example.org"}
    assert SmtpSettings.from_env(base).port == 587
    assert SmtpSettings.from_env({**base, "NEWSMON_SMTP_SECURITY": "TLS"}).port == 465
    for bad in ({"NEWSMON_SMTP_PORT": "smtp"}, {"NEWSMON_SMTP_PORT": "70000"}, {"NEWSMON_MAIL_TO": "nobody"},
                {"NEWSMON_SMTP_SECURITY": "ssl3"}, {"NEWSMON_SMTP_PASSWORD": "x"}):
        with pytest.raises(DeliveryError):
            SmtpSettings.from_env({**base, **bad})


def test_the_digest_is_sent_as_text_and_html(smtp, watched):
    inbox, env = smtp
    db, _ = watched
    done = CliRunner().invoke(cli, ["digest", "--db", str(db.path), "--send"], env=env)
    assert done.exit_code == 0, done.output
    (rcpt, message), = inbox.messages
    assert rcpt == ["analyst@example.org"] and message["Subject"].startswith("newsmon digest ")
    body = parts(message)
    assert list(body) == ["text/plain", "text/html"]
    assert "Watched Corp" in body["text/plain"] and "Watched Corp" in body["text/html"]
    html = _Tags()
    html.feed(body["text/html"])  # the email variant: inline styles, no <style>, no SVG
    assert not {"style", "svg", "script"} & set(html.tags) and not any("var(" in s for s in html.styles)
    failed = CliRunner().invoke(cli, ["digest", "--db", str(db.path), "--send"],
                                env={**env, "NEWSMON_SMTP_PORT": str(free_port())})
    assert failed.exit_code == 1 and len(failed.output.strip().splitlines()) == 1
