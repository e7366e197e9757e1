"""A drug × condition pair written in Europe PMC's search syntax, preprints only.

    (baclofen OR arbaclofen OR Lioresal OR … OR "Baclofen")
    AND ("restless legs syndrome" OR "restless legs" OR "periodic limb movement*" OR …)
    AND SRC:PPR AND (FIRST_IDATE:[2024-03-01 TO 3000-12-31] OR UPDATE_DATE:[… TO …])

Translation from the PubMed term (tracker.searches.pairs):
* `"Heading"[Mesh]` and `word[tiab]` both become a bare word or a quoted phrase:
  Europe PMC searches title, abstract, keywords and MeSH by default; its own MeSH
  expansion (`synonym=true`) stays off so the query means what it says;
* a trailing `*` truncates in Europe PMC as in PubMed, so it is kept;
* `SRC:PPR` keeps preprints only (their journal versions come from PubMed);
* incremental: FIRST_IDATE (first index date) catches new preprints, UPDATE_DATE catches
  a stored preprint that changed (a new version, a journal link); year 3000 stands for
  "to present". Both in one query, so a quiet week costs one request.
"""

from __future__ import annotations

from datetime import date

from tracker.searches.pairs import Concept, Pair

OPEN_END = "3000-12-31"


def epmc_word(word: str) -> str:
    word = " ".join(word.replace('"', " ").split())
    if word and all(ch.isalnum() for ch in word.rstrip("*")):
        return word
    return f'"{word}"'


def epmc_block(concept: Concept) -> str:
    seen: dict[str, str] = {}
    for word in (*concept.words, *concept.mesh):
        text = epmc_word(word)
        if text.strip('"'):
            seen.setdefault(text.casefold(), text)
    return "(" + " OR ".join(seen.values()) + ")"


def preprint_query(pair: Pair, since: date | None) -> str:
    query = f"{epmc_block(pair.drug)} AND {epmc_block(pair.condition)} AND SRC:PPR"
    if since is not None:
        day = since.isoformat()
        query += f" AND (FIRST_IDATE:[{day} TO {OPEN_END}] OR UPDATE_DATE:[{day} TO {OPEN_END}])"
    return query
