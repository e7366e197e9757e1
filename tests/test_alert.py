"""The optional alert: a saved search that fails N runs in a row mails one alert per
streak, through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

from test_mail import settings, smtp_server  # noqa: F401  (fixture)
from test_sync import BASE, SEARCH, TODAY, fast_client

from tracker import store
from tracker.lookalikes.eutils.server import LocalEutils
from tracker.unattended.job import MailOptions, run_job


def test_an_alert_is_mailed_once_when_failures_reach_the_threshold(smtp_server, tmp_path):  # noqa: F811
    inbox, port = smtp_server
    mail = MailOptions(settings(port), alert_after=2)
    db = store.connect(tmp_path / "t.db")
    with LocalEutils(BASE[:20]) as server:
        server.faults.push("status", endpoint="esearch", times=None, code=503)
        with fast_client(server) as client:
            for week in range(3):
                outcome = run_job(db, client, SEARCH, tmp_path / "reports", mail=mail,
                                  today=TODAY + timedelta(days=7 * week))  # fmt: skip
                assert outcome.run.status == "failed"
                assert len(inbox.messages) == (0 if week == 0 else 1)
        server.faults.clear()
        with fast_client(server) as client:
            recovered = run_job(db, client, SEARCH, None, mail=mail, today=TODAY)
    assert recovered.run.status == "ok"
    ((recipients, msg),) = inbox.messages
    assert recipients == ["author@example.org", "editor@example.org"]
    assert msg["Subject"] == "tracker: treatments failed 2 runs in a row"
    body = msg.get_content()
    assert "Last error: NCBI esearch unavailable" in body and "503" in body
    assert "Last good run: never" in body
    db.close()
