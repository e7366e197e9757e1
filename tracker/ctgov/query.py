"""A drug × condition pair written for ClinicalTrials.gov's search (Essie syntax).

    query.intr = baclofen OR arbaclofen OR Lioresal OR …
    query.cond = "restless legs syndrome" OR "restless legs" OR "Willis-Ekbom" OR …

* query.intr searches intervention names, types, other names (where sponsors register
  brand and code names), arm groups and intervention MeSH terms; query.cond searches
  conditions, titles, condition MeSH terms and keywords (SOURCES-NOTES "Where the search
  areas look"). I found no documented automatic synonym expansion, so the pair's
  synonyms and brands are OR-ed in here, as in the PubMed term.
* MeSH headings go in as phrases too: both areas include MeSH terms.
* Several-word names are quoted so Essie searches them as phrases.
* PubMed's truncation star has no documented Essie equivalent: the star is dropped and
  the stem searched as a word ("periodic limb movement*" → "periodic limb movement").
"""

from __future__ import annotations

from tracker.ctgov.client import TrialQuery
from tracker.searches.pairs import Concept, Pair


def essie_word(word: str) -> str:
    word = " ".join(word.replace('"', " ").split()).rstrip("*").strip()
    if word and all(ch.isalnum() for ch in word):
        return word
    return f'"{word}"'


def essie_alternatives(concept: Concept) -> str:
    seen: dict[str, str] = {}
    for word in (*concept.words, *concept.mesh):
        text = essie_word(word)
        if text.strip('"'):
            seen.setdefault(text.casefold(), text)
    return " OR ".join(seen.values())


def trial_query(pair: Pair) -> TrialQuery:
    return TrialQuery(intr=essie_alternatives(pair.drug), cond=essie_alternatives(pair.condition))
