"""The optional alert: a saved search that fails N runs in a row mails one alert per
streak, through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

from datetime import date, timedelta

from helpers import METAPUB_FILES, TREATMENTS_SEARCH, fast_client, local_eutils, mail_settings

from tracker import store
from tracker.unattended.job import MailOptions, run_job

SEARCH = TREATMENTS_SEARCH
TODAY = date(2026, 11, 23)


def test_an_alert_is_mailed_once_when_failures_reach_the_threshold(smtp_server, tmp_path):
    inbox, port = smtp_server
    mail = MailOptions(mail_settings(port), alert_after=2)
    db = store.connect(tmp_path / "t.db")
    with local_eutils(METAPUB_FILES[:20]) as server:
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
