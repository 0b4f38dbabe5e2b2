"""Sending the weekly report: each manager gets, at their own address, the report of each team
they manage (with its sub-teams), and nothing else: an HTML body with a plain-text alternative
and the PDF attached, in the manager's language.

The SMTP server is given by environment variables (`MailSettings.from_env`), the password too,
so that it is never typed on a command line, stored or printed.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum

from salesperf.analysis.alerts.core import alerts_for_user
from salesperf.analysis.asof import judge_as_of
from salesperf.analysis.report.model import Report, ReportQuery, last_full_week, weekly_report
from salesperf.analysis.report.text import plain_text, words
from salesperf.auth.access import scope_for
from salesperf.auth.users import Role, User, list_users, normalise_email
from salesperf.errors import InputError
from salesperf.i18n.messages import lang_of, t
from salesperf.metrics.periods import Period
from salesperf.server.report.render import html, pdf
from salesperf.store import Store
from salesperf.text import Lang

#: The environment variables of the mail settings, by field.
ENV = {
    "host": "SALESPERF_SMTP_HOST",
    "port": "SALESPERF_SMTP_PORT",
    "tls": "SALESPERF_SMTP_TLS",
    "user": "SALESPERF_SMTP_USER",
    "password": "SALESPERF_SMTP_PASSWORD",
    "sender": "SALESPERF_MAIL_FROM",
}


class Tls(StrEnum):
    """How the connection to the SMTP server is secured."""

    NONE = "none"  # plain (a relay on the same host or network only)
    STARTTLS = "starttls"  # plain, then upgraded (port 587)
    SSL = "ssl"  # TLS from the start (port 465)


DEFAULT_PORT = {Tls.NONE: 25, Tls.STARTTLS: 587, Tls.SSL: 465}


@dataclass(frozen=True)
class MailSettings:
    """The SMTP server mail is sent through, and the address it comes from."""

    host: str
    sender: str
    port: int = 587
    tls: Tls = Tls.STARTTLS
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed
    timeout: float = 30.0

    @classmethod
    def from_env(
        cls, env: dict[str, str] | None = None, *, need_server: bool = True
    ) -> MailSettings:
        """The settings from $SALESPERF_SMTP_HOST, _PORT, _TLS (none, starttls or ssl; default
        starttls), _USER, _PASSWORD and $SALESPERF_MAIL_FROM; an InputError naming what is
        missing or wrong. Without `need_server` (a dry run) only the sender is needed."""
        env = dict(os.environ) if env is None else env
        get = {k: env.get(v, "").strip() for k, v in ENV.items()}
        needed = ("host", "sender") if need_server else ("sender",)
        missing = [ENV[k] for k in needed if not get[k]]
        if missing:
            raise InputError(f"sending mail needs {' and '.join(missing)} set")
        chosen = get["tls"].lower() or Tls.STARTTLS.value
        if chosen not in {t.value for t in Tls}:
            raise InputError(f"{ENV['tls']} must be none, starttls or ssl, not {get['tls']!r}")
        tls = Tls(chosen)
        port = DEFAULT_PORT[tls]
        if get["port"]:
            if not get["port"].isdigit() or not 0 < int(get["port"]) < 65536:
                raise InputError(f"{ENV['port']} must be a port number, not {get['port']!r}")
            port = int(get["port"])
        return cls(
            host=get["host"], sender=normalise_email(get["sender"]), port=port, tls=tls,
            user=get["user"] or None, password=env.get(ENV["password"]) or None,
        )  # fmt: skip


@dataclass(frozen=True)
class Mail:
    """One report mail: to whom, of which team, and the message (None when not made)."""

    username: str
    to: str | None
    team: str | None
    subject: str
    message: EmailMessage | None
    skipped: str | None = None  # why no mail was made (no address, no team)


def report_mail(
    report: Report, to: str, sender: str, lang: Lang | str, made: date | None = None
) -> EmailMessage:
    """The message of one report: the HTML body, its plain-text alternative, the PDF attached."""
    w = words(report, lang, made)
    document = html(w)
    msg = EmailMessage()
    msg["Subject"] = w.subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    msg.set_content(f"{t('report.mail.greeting', lang)}\n\n{plain_text(w)}")
    msg.add_alternative(document, subtype="html")
    name = f"report-{report.team}-{report.week.label}.pdf"
    msg.add_attachment(pdf(document), maintype="application", subtype="pdf", filename=name)
    return msg


def manager_mails(
    store: Store, week: Period, sender: str, made: date | None = None,
    users: Iterable[User] | None = None,
) -> list[Mail]:  # fmt: skip
    """A mail for each manager (enabled, with an address) and each team they manage: the
    report of that team and its sub-teams only; managers without an address are listed as
    skipped. A team's report is made once, whoever receives it."""
    made_for: dict[str, Report] = {}
    mails: list[Mail] = []
    for user in users if users is not None else list_users(store):
        if user.role is not Role.MANAGER or user.disabled:
            continue
        scope = scope_for(store, user)
        if not user.email:
            mails.append(Mail(user.username, None, None, "", None, "no e-mail address"))
            continue
        if not scope.top_teams:
            mails.append(Mail(user.username, user.email, None, "", None, "no team"))
            continue
        lang = lang_of(user.lang) or Lang.EN
        for team in scope.top_teams:
            if team not in made_for:
                made_for[team] = weekly_report(store, ReportQuery(team=team, week=week))
            # the manager's own alerts (their switched-on rules, in their scope), as of the
            # day after the week
            mine = alerts_for_user(store, user, week.end).alerts
            msg = report_mail(replace(made_for[team], alerts=mine), user.email, sender, lang, made)
            mails.append(Mail(user.username, user.email, team, str(msg["Subject"]), msg))
    return mails


#: Sends messages through a mail server (replaced in tests).
Sender = Callable[[MailSettings, list[EmailMessage]], None]


def smtp_send(settings: MailSettings, messages: list[EmailMessage]) -> None:
    """Send the messages over one SMTP connection, secured as the settings say."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.tls is Tls.SSL:
        smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                context=context)  # fmt: skip
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.tls is Tls.STARTTLS:
            smtp.starttls(context=context)
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        for msg in messages:
            smtp.send_message(msg)


def send_reports(
    store: Store, week: Period, settings: MailSettings, *, dry_run: bool = False,
    made: date | None = None, send: Sender = smtp_send, users: Iterable[User] | None = None,
) -> list[Mail]:  # fmt: skip
    """Make each manager's report mails (`manager_mails`, of `users` when given) and, unless
    `dry_run`, send them; a mail server that cannot be reached or refuses is an InputError
    saying so."""
    mails = manager_mails(store, week, settings.sender, made, users)
    ready = [m.message for m in mails if m.message is not None]
    if ready and not dry_run:
        try:
            send(settings, ready)
        except (OSError, smtplib.SMTPException) as exc:
            raise InputError(
                f"the mail server {settings.host}:{settings.port} could not send the reports: "
                f"{type(exc).__name__}: {exc}"
            ) from None
    return mails


def send_last_week(store_url: str) -> list[Mail]:
    """Send every manager the report of the last full week (counted from the day analyses
    judge as of), with the mail settings of the environment: the server's scheduled run."""
    settings = MailSettings.from_env()
    with Store.open(store_url, create=False) as s:
        return send_reports(s, last_full_week(judge_as_of(s).day), settings)


def store_timezone(store_url: str) -> str:
    """The organisation's time zone, read afresh (the schedule's times are in it)."""
    with Store.open(store_url, create=False) as s:
        return s.settings.timezone
