"""What a saved search looks for, and where a study names it.

A saved search's term is read back into its top-level AND blocks (for a drug × condition
pair: the drug block, then the condition block, as tracker.searches.pairs builds them),
each as its words and phrases and its MeSH headings. The digest says where a study names
every block (title, abstract, or only in indexing terms), and tracker.classify.role
reads the drug's role with the same words.

Authors and publishers write hyphens as any Unicode dash ("Willis–Ekbom" with an en dash,
U+2013, is common in titles): text and phrases are folded to ASCII "-" before matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tracker.classify.patterns import lazy

RELATION_LABELS = {
    "title": "drug and condition in the title",
    "abstract": "drug and condition in the abstract",
    "indexing": "drug and condition only in indexing terms",
}
# For a saved search that is not one drug AND one condition.
_GENERIC_RELATION_LABELS = {
    "title": "search terms in the title",
    "abstract": "search terms in the abstract",
    "indexing": "search terms only in indexing terms",
}
# Unicode's dash punctuation (general category Pd) outside ASCII, the minus sign and the
# soft hyphen: each reads as a hyphen in a name. tests/test_relation.py checks the list
# against unicodedata.
DASHES = (
    "\u00ad\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e17\u2e1a"
    "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead"
)
_DASH_TABLE = str.maketrans(dict.fromkeys(DASHES, "-"))


def fold_dashes(text: str) -> str:
    """Every Unicode dash as an ASCII hyphen: "Willis–Ekbom" → "Willis-Ekbom"."""
    return text.translate(_DASH_TABLE)


def relation_label(rel: str, concepts: list[list[str]]) -> str:
    labels = RELATION_LABELS if len(concepts) == 2 else _GENERIC_RELATION_LABELS
    return labels[rel]


_TERM_TOKEN = lazy(
    r'"([^"]*)"(\[[^\]]*\])?|(\()|(\))|\b(AND|OR|NOT)\b|([^\s()"\[\]]+)(\[[^\]]*\])?'
)
_NON_TEXT_FIELDS = lazy(r"\[(dp|pdat|crdt|edat|mdat|lr|la|pt|au|ta|uid|pmid|sb|filter)\]",
                              re.IGNORECASE)  # fmt: skip
_MESH_FIELDS = lazy(r"\[(mesh|mh|majr|mesh:noexp|mh:noexp)\]", re.IGNORECASE)


@dataclass(frozen=True)
class SearchBlock:
    """One top-level AND block: its words and phrases (lower case, MeSH headings too,
    since authors usually write a heading's words) and its MeSH headings."""

    words: tuple[str, ...]
    mesh: tuple[str, ...] = ()


def search_blocks(term: str) -> list[SearchBlock]:
    """The saved search's top-level AND blocks.

    `(baclofen[tiab] OR "Baclofen"[Mesh]) AND ("restless legs"[tiab] …)` gives
    [SearchBlock(("baclofen", "baclofen"), ("baclofen",)), SearchBlock(("restless legs", …))].
    A trailing * stays as a prefix marker.
    """
    blocks: list[tuple[list[str], list[str]]] = [([], [])]
    depth = 0
    for match in _TERM_TOKEN.finditer(fold_dashes(term)):
        phrase, ptag, opening, closing, op, word, wtag = match.groups()
        if opening:
            depth += 1
        elif closing:
            depth -= 1
        elif op:
            if depth == 0 and op == "AND" and blocks[-1][0]:
                blocks.append(([], []))
        else:
            text, tag = (phrase, ptag) if phrase is not None else (word, wtag)
            if tag and _NON_TEXT_FIELDS.fullmatch(tag):
                continue
            if text and not text.replace("/", "").replace(":", "").isdigit():
                blocks[-1][0].append(text.lower())
                if tag and _MESH_FIELDS.fullmatch(tag):
                    blocks[-1][1].append(text.lower())
    return [SearchBlock(tuple(words), tuple(mesh)) for words, mesh in blocks if words]


def search_concepts(term: str) -> list[list[str]]:
    """The saved search's top-level AND blocks, each as its words and phrases.

    `(baclofen[tiab] OR "Baclofen"[Mesh]) AND ("restless legs"[tiab] …)` gives
    [["baclofen", "baclofen"], ["restless legs", …]]. MeSH headings count as text too:
    authors usually write the heading's words. A trailing * stays as a prefix marker.
    """
    return [list(block.words) for block in search_blocks(term)]


def drug_and_condition(term: str) -> tuple[SearchBlock, SearchBlock] | None:
    """The drug block and the condition block when the term is a drug × condition pair.

    A pair's term (tracker.searches.pairs) is two AND blocks, the drug first, and the
    drug block carries the drug's MeSH heading; a hand-written term of that shape is
    read the same way. Anything else (one block, three, or no MeSH heading for the
    drug, as in a topic search like "(treatment OR therapy) AND patient*") is not a
    pair, and its studies get no drug role.
    """
    blocks = search_blocks(term)
    if len(blocks) != 2 or not blocks[0].mesh:
        return None
    return blocks[0], blocks[1]


def phrase_pattern(phrase: str) -> str:
    """A regex for one search phrase over lower-case, dash-folded text: words joined by
    any run of spaces or hyphens, a trailing * as a prefix."""
    stem = fold_dashes(phrase).rstrip("*")
    words = [w for w in re.split(r"[\s-]+", stem) if w]
    if not words:
        return ""
    body = r"[\s-]+".join(re.escape(w) for w in words)
    return rf"\b{body}" + (r"\w*" if phrase.endswith("*") else r"\b")


@lru_cache(maxsize=256)
def words_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled alternation of a block's phrases, longest first (case-insensitive)."""
    parts = sorted({p for p in map(phrase_pattern, phrases) if p}, key=len, reverse=True)
    if not parts:
        return None
    return re.compile("(?:" + "|".join(parts) + ")", re.IGNORECASE)


def _mentions(text: str, phrases: list[str]) -> bool:
    pattern = words_pattern(tuple(phrases))
    return pattern is not None and pattern.search(fold_dashes(text)) is not None


def relation(concepts: list[list[str]], title: str | None, abstract: str | None) -> str:
    """'title' when every concept is named in the title, 'abstract' when in title or
    abstract, else 'indexing' (found through MeSH or other indexing terms only)."""
    if not concepts:
        return "indexing"
    title = title or ""
    if all(_mentions(title, c) for c in concepts):
        return "title"
    text = f"{title}\n{abstract or ''}"
    if all(_mentions(text, c) for c in concepts):
        return "abstract"
    return "indexing"
