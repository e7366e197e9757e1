"""Mailing a digest through a real SMTP server on 127.0.0.1 (aiosmtpd): HTML with a
plain-text alternative, the chart inline, RIS and BibTeX attached; STARTTLS and login;
never twice unless asked."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import rispy
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from digest_scenario import HOSTILE_TITLE, build
from helpers import METAPUB_FILES, Inbox, free_port, local_eutils, mail_settings, tracker_env
from helpers import tracker as run_tracker

from tracker.digest.mail import MailConfigError, MailError, MailSettings, deliver_digest

USER, PASSWORD = "tracker", "s3cret-Passw0rd"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    return build(tmp_path_factory.mktemp("mail"))


settings = mail_settings


def test_the_digest_arrives_as_html_with_text_alternative_chart_and_citations(
    smtp_server, scenario
):
    inbox, port = smtp_server
    digest = scenario.digests[0]
    delivery = deliver_digest(scenario.db, settings(port), digest)
    assert delivery.status == "sent"
    [(rcpt, msg)] = inbox.messages
    assert rcpt == ["author@example.org", "editor@example.org"]
    assert msg["Subject"] == f"Treatments: {digest.summary}"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert digest.summary in text and HOSTILE_TITLE in text
    assert "<svg" not in html and 'src="cid:' in html
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;&lt;/script&gt;" in html
    [chart] = [p for p in msg.walk() if p.get_content_type() == "image/svg+xml"]
    cid = re.search(r'src="cid:([^"]+)"', html).group(1)
    assert chart["Content-ID"] == f"<{cid}>"
    assert chart.get_content() == digest.files["svg"].read_bytes()
    files = {p.get_filename(): p for p in msg.iter_attachments()}
    ris, bib = digest.files["ris"].name, digest.files["bib"].name
    assert set(files) == {ris, bib}
    entries = rispy.loads(files[ris].get_content().decode("utf-8"))
    assert len(entries) == digest.studies
    assert "@article{" in files[bib].get_content().decode("utf-8")
    row = scenario.db.conn.execute(
        "SELECT sent IS NOT NULL, sent_to FROM digests WHERE id = ?", (digest.digest_id,)
    ).fetchone()
    assert row == (1, '["author@example.org", "editor@example.org"]')


def test_a_digest_is_never_sent_twice_unless_asked(smtp_server, tmp_path):
    inbox, port = smtp_server
    scenario = build(tmp_path)
    first, _, empty = scenario.digests
    assert deliver_digest(scenario.db, settings(port), first).status == "sent"
    assert deliver_digest(scenario.db, settings(port), first).status == "already-sent"
    assert deliver_digest(scenario.db, settings(port), first, resend=True).status == "sent"
    assert deliver_digest(scenario.db, settings(port), empty, skip_empty=True).status == (
        "skipped-empty"
    )
    assert deliver_digest(scenario.db, settings(port), empty).status == "sent"
    assert len(inbox.messages) == 3


@pytest.fixture
def tls_server(tmp_path):
    """STARTTLS required, login required, with a self-signed certificate for 127.0.0.1."""
    import ssl

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
    except FileNotFoundError:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 535 itself

    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    yield inbox, controller.port, cert
    controller.stop()


def test_starttls_and_login(tls_server, scenario):
    inbox, port, cert = tls_server
    mail = settings(port, starttls=True, user=USER, password=PASSWORD, cafile=str(cert))
    assert deliver_digest(scenario.db, mail, scenario.digests[1], resend=True).status == "sent"
    assert len(inbox.messages) == 1


def test_a_refused_login_is_one_line_without_the_password(tls_server, scenario):
    _, port, cert = tls_server
    mail = settings(port, starttls=True, user=USER, password="wrong-" + PASSWORD, cafile=str(cert))
    with pytest.raises(MailError) as caught:
        deliver_digest(scenario.db, mail, scenario.digests[1], resend=True)
    assert "refused" in str(caught.value) and PASSWORD not in str(caught.value)


def test_an_untrusted_certificate_is_refused(tls_server, scenario):
    _, port, _ = tls_server
    mail = settings(port, starttls=True, user=USER, password=PASSWORD)
    with pytest.raises(MailError, match="cannot send"):
        deliver_digest(scenario.db, mail, scenario.digests[1], resend=True)


def test_settings_from_the_environment():
    assert MailSettings.from_env({}) is None
    env = {
        "TRACKER_SMTP_HOST": "smtp.example.org",
        "TRACKER_SMTP_USER": "me",
        "TRACKER_SMTP_PASSWORD": "pw",
        "TRACKER_MAIL_FROM": "tracker@example.org",
        "TRACKER_MAIL_TO": "a@example.org, b@example.org",
    }
    mail = MailSettings.from_env(env)
    assert (mail.port, mail.starttls, mail.recipients) == (
        587, True, ("a@example.org", "b@example.org"),
    )  # fmt: skip
    assert "pw" not in repr(mail)
    assert MailSettings.from_env({**env, "TRACKER_SMTP_STARTTLS": "0"}).port == 25
    for bad, needle in (
        ({"TRACKER_SMTP_PORT": "smtp"}, "TRACKER_SMTP_PORT"),
        ({"TRACKER_SMTP_STARTTLS": "maybe"}, "TRACKER_SMTP_STARTTLS"),
        ({"TRACKER_MAIL_TO": "not an address"}, "TRACKER_MAIL_TO"),
        ({"TRACKER_MAIL_FROM": ""}, "TRACKER_MAIL_FROM"),
    ):
        with pytest.raises(MailConfigError, match=needle):
            MailSettings.from_env({**env, **bad})


def test_digest_files_exist_for_attachments(scenario):
    assert all(Path(p).exists() for p in scenario.digests[0].files.values())


def mail_env(server, smtp_port: int) -> dict[str, str]:
    """A tracker process's environment, as cron gives it: E-utilities at `server`,
    plain SMTP to 127.0.0.1:`smtp_port`, one recipient."""
    return tracker_env(
        server,
        TRACKER_SMTP_HOST="127.0.0.1",
        TRACKER_SMTP_PORT=str(smtp_port),
        TRACKER_SMTP_STARTTLS="0",
        TRACKER_MAIL_FROM="tracker@example.org",
        TRACKER_MAIL_TO="author@example.org",
    )


@pytest.mark.long_running(7)
def test_tracker_run_mails_and_tracker_digest_never_mails_twice_unless_asked(smtp_server, workdir):
    """End to end: the real command, real HTTP to the local E-utilities server, a real
    SMTP server; configuration from the environment as cron gives it."""
    inbox, port = smtp_server

    def tracker(*args: str):
        return run_tracker(*args, cwd=workdir, env=mail_env(server, port))

    with local_eutils(METAPUB_FILES[:40]) as server:
        ran = tracker("run")
        assert ran.returncode == 0, ran.stderr
        assert "  mail: sent to author@example.org" in ran.stdout
        assert len(inbox.messages) == 1
        again = tracker("digest", "treatments")
        assert again.returncode == 0, again.stderr
        assert "not sent: this digest was mailed before" in again.stdout
        assert len(inbox.messages) == 1
        resent = tracker("digest", "treatments", "--resend", "--since", "2000-01-01")
        assert resent.returncode == 0, resent.stderr
        assert "mail: sent to author@example.org" in resent.stdout
        assert len(inbox.messages) == 2
        quiet = tracker("digest", "--no-empty")
        assert "not sent (nothing new" in quiet.stdout
        bad = tracker("digest", "--send", "--limit", "5000")
        assert bad.returncode == 0  # --limit is clamped to 200, not an error
    subject = inbox.messages[0][1]["Subject"]
    assert subject.startswith("Treatments: ") and "new stud" in subject


# -- a mail that could not go out goes out with the next mailing run ----------------------


def due(db) -> list[int]:
    return [i for (i,) in db.conn.execute("SELECT id FROM digests WHERE mail_due IS NOT NULL")]


def test_digests_left_unmailed_are_mailed_first_oldest_first(smtp_server, tmp_path):
    """Three weekly digests recorded for mailing and never mailed (a run killed after
    each, or a mail server that refused): the next mailing sends them in order, once."""
    from tracker.digest.mail import deliver_overdue
    from tracker.digest.write import DigestOptions

    inbox, port = smtp_server
    scenario = build(tmp_path, DigestOptions(limit=12, mail=True))
    db, (week1, week2, week3) = scenario.db, scenario.digests
    assert due(db) == [week1.digest_id, week2.digest_id, week3.digest_id]
    late = list(deliver_overdue(db, settings(port), "treatments", week3.digest_id,
                                skip_empty=False))  # fmt: skip
    assert [(x.digest.digest_id, x.delivery.status) for x in late] == [
        (week1.digest_id, "sent"),
        (week2.digest_id, "sent"),
    ]
    assert deliver_digest(db, settings(port), week3, skip_empty=True).status == "skipped-empty"
    subjects = [msg["Subject"] for _, msg in inbox.messages]
    assert subjects == [f"Treatments: {week1.summary}", f"Treatments: {week2.summary}"]
    attached = {p.get_filename() for p in inbox.messages[0][1].iter_attachments()}
    assert attached == {week1.files["ris"].name, week1.files["bib"].name}
    assert due(db) == []
    assert list(deliver_overdue(db, settings(port), "treatments", 10**6, skip_empty=False)) == []
    assert len(inbox.messages) == 2


def test_a_digest_whose_files_are_gone_is_said_and_no_longer_due(smtp_server, tmp_path):
    from tracker.digest.mail import deliver_overdue, late_line
    from tracker.digest.write import DigestOptions

    inbox, port = smtp_server
    scenario = build(tmp_path, DigestOptions(limit=12, mail=True))
    week1 = scenario.digests[0]
    week1.html_path.unlink()
    [gone, sent] = deliver_overdue(scenario.db, settings(port), "treatments",
                                   scenario.digests[2].digest_id, skip_empty=False)  # fmt: skip
    assert (gone.delivery.status, sent.delivery.status) == ("files-gone", "sent")
    assert late_line(gone) == (
        f"  mail: the digest of {week1.markdown_path.stem}, which an earlier run left unsent, "
        f"was not sent: {week1.html_path} is gone"
    )
    assert len(inbox.messages) == 1 and due(scenario.db) == [scenario.digests[2].digest_id]


@pytest.mark.long_running(6)
def test_tracker_run_mails_next_time_what_a_refused_mail_left(smtp_server, workdir):
    """The real commands: the SMTP server is down for the first run (exit 1, the digest
    kept), up for the second, which mails the first run's digest, then its own; the same
    for `tracker digest`, whose --json names the late mail."""
    inbox, port = smtp_server

    def tracker(smtp_port: int, *args: str):
        return run_tracker(*(args or ("run",)), cwd=workdir, env=mail_env(server, smtp_port))

    with local_eutils(METAPUB_FILES[:40]) as server:
        down = tracker(free_port())
        assert down.returncode == 1, down.stderr
        assert "treatments: mail: " in down.stdout and inbox.messages == []
        up = tracker(port)
        assert up.returncode == 0, up.stderr
        again = tracker(port)
        assert again.returncode == 0, again.stderr
        assert len(inbox.messages) == 3
        assert tracker(port, "sync").returncode == 0  # a run since: a new digest to mail
        digest_down = tracker(free_port(), "digest", "treatments")
        assert digest_down.returncode == 1 and len(inbox.messages) == 3
        digest_up = tracker(port, "--json", "digest", "treatments")
        assert digest_up.returncode == 0, digest_up.stderr
    written = (workdir / "reports" / "treatments").glob("*.md")  # DATE, DATE-2, DATE-3…
    mds = sorted(written, key=lambda p: (len(p.stem), p.stem))
    assert (
        f"  mail: sent the digest of {mds[0].stem}, which an earlier run left unsent, to "
        "author@example.org" in up.stdout
    )
    assert "earlier run" not in again.stdout
    [entry] = json.loads(digest_up.stdout)
    assert entry["late_mail"] == [{"markdown": str(mds[3].relative_to(workdir)), "mail": "sent"}]
    # The late digest showed the same runs' data as this one: this one is not sent again.
    assert entry["mail"] == "already-sent"
    # The first run's studies, then each later digest (nothing new), in order.
    messages = [msg for _, msg in inbox.messages]
    assert len(messages) == 4 and "new stud" in messages[0]["Subject"]

    def lines(text: str) -> list[str]:
        return text.strip().splitlines()

    bodies = [lines(msg.get_body(("plain",)).get_content()) for msg in messages]
    texts = [lines((md.parent / f".{md.stem}.txt").read_text(encoding="utf-8")) for md in mds[:4]]
    assert bodies == texts
