"""A local ClinicalTrials.gov API v2 look-alike serving recorded real studies.

GET /api/v2/studies with query.intr, query.cond, filter.advanced
(`AREA[LastUpdatePostDate]RANGE[YYYY-MM-DD,MAX]`), pageSize (coerced down to 1,000),
pageToken and countTotal, in the v2 page shape (`studies`, `nextPageToken` on every page
but the last, `totalCount` on the first page only when countTotal=true).

Matching, OR-ed words and "phrases", case-insensitive:
* query.intr: intervention names, other names, arm-group labels **and eligibility text**,
  deliberately looser than the real area (which has no eligibility text) so that the
  tracker's own check, that the drug is an intervention, is exercised;
* query.cond: conditions, keywords, brief and official titles.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tracker.lookalikes.jsonserver import JsonServer

_RANGE = re.compile(r"AREA\[LastUpdatePostDate\]RANGE\[([0-9-]+|MIN),\s*([0-9-]+|MAX)\]")


def _terms(expression: str) -> list[str]:
    parts = re.split(r"\s+OR\s+", expression.strip())
    return [p.strip().strip('"').casefold() for p in parts if p.strip().strip('"')]


def _hit(terms: list[str], texts: Iterable[str]) -> bool:
    blob = " | ".join(t.casefold() for t in texts if isinstance(t, str))
    return any(re.search(rf"(?<!\w){re.escape(term)}(?!\w)", blob) for term in terms)


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        d = d.get(k) if isinstance(d, dict) else None
    return d


class LocalCtgov(JsonServer):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.studies: dict[str, dict[str, Any]] = {}
        self.page_cap = 1000  # the API coerces pageSize down to 1,000; tests lower it

    def prefix(self) -> str:
        return "/api/v2/"

    def put_study(self, study: dict[str, Any]) -> None:
        """Add or replace a study (a crafted variant replaces the real one by nctId)."""
        self.studies[study["protocolSection"]["identificationModule"]["nctId"]] = study

    def load_files(self, paths: Iterable[Path]) -> None:
        for path in paths:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            for study in data.get("studies", [data]):
                self.put_study(study)

    def remove(self, nct_id: str) -> None:
        self.studies.pop(nct_id, None)

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, Any]:
        if path != "studies":
            return 404, f"crafted: no such endpoint {path}"
        try:
            matched = self._match(params)
        except ValueError as exc:
            return 400, str(exc)
        size = int(params.get("pageSize") or 10) or 10
        size = min(size, self.page_cap)
        start = _offset(params.get("pageToken"))
        if start is None:
            return 400, "crafted: invalid pageToken"
        page: dict[str, Any] = {"studies": matched[start : start + size]}
        if start + size < len(matched):
            page["nextPageToken"] = _token(start + size)
        if params.get("countTotal") == "true" and start == 0:
            page["totalCount"] = len(matched)
        return 200, page

    def _match(self, params: dict[str, str]) -> list[dict[str, Any]]:
        intr, cond = _terms(params.get("query.intr", "")), _terms(params.get("query.cond", ""))
        low, high = "MIN", "MAX"
        advanced = params.get("filter.advanced", "")
        if advanced:
            match = _RANGE.fullmatch(advanced.strip())
            if not match:
                raise ValueError(f"crafted: unsupported filter.advanced {advanced!r}")
            low, high = match.groups()
        out = []
        for nct in sorted(self.studies):
            study = self.studies[nct]
            protocol = study["protocolSection"]
            if intr and not _hit(intr, _intervention_texts(protocol)):
                continue
            if cond and not _hit(cond, _condition_texts(protocol)):
                continue
            updated = _get(protocol, "statusModule", "lastUpdatePostDateStruct", "date") or ""
            if (low != "MIN" and updated < low) or (high != "MAX" and updated > high):
                continue
            out.append(study)
        return out


def _intervention_texts(protocol: dict[str, Any]) -> list[str]:
    texts = []
    for item in _get(protocol, "armsInterventionsModule", "interventions") or []:
        texts += [item.get("name", ""), *(item.get("otherNames") or [])]
        texts += item.get("armGroupLabels") or []
    texts.append(_get(protocol, "eligibilityModule", "eligibilityCriteria") or "")
    return texts


def _condition_texts(protocol: dict[str, Any]) -> list[str]:
    module = protocol.get("conditionsModule") or {}
    ident = protocol.get("identificationModule") or {}
    return [*(module.get("conditions") or []), *(module.get("keywords") or []),
            ident.get("briefTitle", ""), ident.get("officialTitle", "")]  # fmt: skip


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _offset(token: str | None) -> int | None:
    if not token:
        return 0
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return int(text.removeprefix("offset:"))
    except ValueError:
        return None
