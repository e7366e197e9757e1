"""ClinicalTrials.gov API v2 JSON → Trial: pure functions, no I/O.

Shapes from the recorded responses in tests/data/ctgov-samples/ (SOURCES-NOTES):
* a search page is `{"studies": [...], "nextPageToken"?, "totalCount"?}`; the last page
  has no nextPageToken, and a page may hold an empty studies list;
* a study inside a page is identical to the `/studies/{nctId}` body;
* observational studies have no `phases` key at all; dates may be month-only ("2023-05");
* `hasResults` and `derivedSection` vanish when `fields=` is used, so the client never
  sends `fields=`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tracker.models import Trial, TrialIntervention

_NCT = re.compile(r"^NCT\d{8}$")


class CtgovShapeError(ValueError):
    """The JSON is not a v2 studies page or study; the message says what is wrong."""


@dataclass(frozen=True)
class StudyPage:
    studies: tuple[Trial, ...]
    next_page_token: str | None
    total_count: int | None


def parse_page(data: Any) -> StudyPage:
    if not isinstance(data, dict) or not isinstance(data.get("studies"), list):
        raise CtgovShapeError("not a ClinicalTrials.gov studies page (no 'studies' list)")
    token = data.get("nextPageToken")
    total = data.get("totalCount")
    return StudyPage(
        studies=tuple(parse_study(s) for s in data["studies"]),
        next_page_token=token if isinstance(token, str) and token else None,
        total_count=total if isinstance(total, int) else None,
    )


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(s.strip() for s in value if isinstance(s, str) and s.strip())


def parse_study(study: Any) -> Trial:
    protocol = _dig(study, "protocolSection")
    nct_id = _text(_dig(protocol, "identificationModule", "nctId"))
    if nct_id is None or not _NCT.match(nct_id):
        raise CtgovShapeError(f"study without a valid nctId: {nct_id!r}")
    status = _dig(protocol, "statusModule") or {}
    design = _dig(protocol, "designModule") or {}
    enrollment = _dig(design, "enrollmentInfo") or {}
    count = enrollment.get("count")
    return Trial(
        nct_id=nct_id,
        brief_title=_text(_dig(protocol, "identificationModule", "briefTitle")) or nct_id,
        official_title=_text(_dig(protocol, "identificationModule", "officialTitle")),
        overall_status=_text(status.get("overallStatus")),
        last_known_status=_text(status.get("lastKnownStatus")),
        why_stopped=_text(status.get("whyStopped")),
        phases=_strings(design.get("phases")),
        study_type=_text(design.get("studyType")),
        enrollment=count if isinstance(count, int) else None,
        enrollment_type=_text(enrollment.get("type")),
        start_date=_text(_dig(status, "startDateStruct", "date")),
        primary_completion_date=_text(_dig(status, "primaryCompletionDateStruct", "date")),
        completion_date=_text(_dig(status, "completionDateStruct", "date")),
        first_posted=_text(_dig(status, "studyFirstPostDateStruct", "date")),
        last_update_posted=_text(_dig(status, "lastUpdatePostDateStruct", "date")),
        results_first_posted=_text(_dig(status, "resultsFirstPostDateStruct", "date")),
        has_results=study.get("hasResults") is True,
        conditions=_strings(_dig(protocol, "conditionsModule", "conditions")),
        interventions=tuple(
            _interventions(_dig(protocol, "armsInterventionsModule", "interventions"))
        ),  # fmt: skip
        lead_sponsor=_text(_dig(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name")),
        reference_pmids=tuple(_references(_dig(protocol, "referencesModule", "references"))),
    )


def _interventions(items: Any) -> Iterable[TrialIntervention]:
    for item in items if isinstance(items, list) else ():
        name = _text(_dig(item, "name"))
        if name:
            yield TrialIntervention(name, _text(item.get("type")), _strings(item.get("otherNames")))


def _references(items: Any) -> Iterable[tuple[int, str]]:
    for item in items if isinstance(items, list) else ():
        pmid = _dig(item, "pmid")
        if isinstance(pmid, str) and pmid.strip().isdigit():
            yield int(pmid), _text(item.get("type")) or "UNKNOWN"


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def names_intervention(trial: Trial, drug_words: Iterable[str]) -> bool:
    """True when one of the drug's names is an intervention of the trial: its name or
    one of its other names holds the word (query.intr also matches arm-group text and
    MeSH terms, and eligibility text never counts: "no prior baclofen" is not a trial of it).

    A trailing `*` in a word truncates, as in the PubMed term."""
    patterns = []
    for word in drug_words:
        stem = _normal(word.rstrip("*"))
        if stem:
            tail = r"\w*" if word.endswith("*") else ""
            patterns.append(re.compile(rf"(?:^| ){re.escape(stem)}{tail}(?: |$)"))
    for item in trial.interventions:
        for name in (item.name, *item.other_names):
            text = _normal(name)
            if any(p.search(text) for p in patterns):
                return True
    return False
