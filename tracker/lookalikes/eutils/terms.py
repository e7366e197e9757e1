"""A small PubMed query evaluator for the local E-utilities server.

Deliberately simple, documented where it differs from PubMed:
* AND / OR / NOT (upper case only, as PubMed requires) are applied strictly left to right,
  as PubMed does; parentheses group. Adjacent terms without an operator are ANDed.
* Matching is case-insensitive on whole words of the record's normalised text
  (punctuation counts as a space); ``word*`` matches any word starting with ``word``.
  No MeSH explosion, no synonym mapping, no stemming.
* Field tags narrow the text searched: [tiab] [ti] [ab] [mh]/[mesh] (descriptors and
  qualifiers) [majr] [pt] [ta]/[journal] [au] [ot]/[kw] [nm] [la] [tw]/[all];
  ``:noexp`` suffixes are ignored. Dates: ``2020/01/01:2020/12/31[crdt]`` (also edat, mdat,
  lr, pdat, dp), both ends inclusive. ``1:7500[uid]`` / ``123[pmid]``.
* An unknown tag such as [zz] yields ErrorList/FieldNotFound and the term is searched in
  all fields, as live PubMed does (cyanheads/pubmed-mcp-server#96).
* An untagged, unquoted term that matches no record at all is dropped from the query and
  reported as PhraseNotFound (PubMed broadens the search the same way, NCBI-NOTES A9).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from tracker.lookalikes.eutils.corpus import Entry, normalise
from tracker.searches.terms import OPERATORS, Token, tokenize

FIELDS = {
    "tiab": "tiab",
    "title/abstract": "tiab",
    "ti": "ti",
    "title": "ti",
    "ab": "ab",
    "abstract": "ab",
    "mh": "mh",
    "mesh": "mh",
    "mesh terms": "mh",
    "sh": "mh",
    "majr": "majr",
    "mesh major topic": "majr",
    "pt": "pt",
    "publication type": "pt",
    "ta": "ta",
    "journal": "ta",
    "jour": "ta",
    "au": "au",
    "author": "au",
    "ot": "ot",
    "kw": "ot",
    "keyword": "ot",
    "nm": "nm",
    "la": "la",
    "language": "la",
    "tw": "all",
    "all": "all",
    "all fields": "all",
}
DATE_FIELDS = {
    "crdt": "crdt",
    "edat": "edat",
    "mdat": "mdat",
    "lr": "mdat",
    "pdat": "pdat",
    "dp": "pdat",
}
UID_FIELDS = {"uid", "pmid", "pm"}
FIELD_NAMES = {
    "tiab": "Title/Abstract",
    "ti": "Title",
    "ab": "Abstract",
    "mh": "MeSH Terms",
    "majr": "MeSH Major Topic",
    "pt": "Publication Type",
    "ta": "Journal",
    "au": "Author",
    "ot": "Keyword",
    "nm": "Supplementary Concept",
    "la": "Language",
    "all": "All Fields",
    "crdt": "Date - Create",
    "edat": "Date - Entry",
    "mdat": "Date - Modification",
    "pdat": "Date - Publication",
}


class QuerySyntaxError(ValueError):
    """The term cannot be parsed (unbalanced parentheses, dangling operator, bad date)."""


@dataclass(frozen=True)
class Text:
    phrase: str  # normalised, padded: " breast cancer "
    field: str
    truncated: bool = False
    quoted: bool = False
    raw: str = ""


@dataclass(frozen=True)
class DateRange:
    field: str
    start: date
    end: date


@dataclass(frozen=True)
class UidRange:
    start: int
    end: int


@dataclass(frozen=True)
class BoolOp:
    op: str
    left: Node
    right: Node


Node = Text | DateRange | UidRange | BoolOp


@dataclass
class Parsed:
    node: Node | None
    unknown_fields: list[str] = field(default_factory=list)


def parse_date_bound(text: str, *, end: bool) -> date:
    """YYYY, YYYY/MM or YYYY/MM/DD (or with '-'): the first or last day it covers."""
    parts = re.split(r"[/-]", text.strip())
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise QuerySyntaxError(f"bad date {text!r}")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
    last = calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 31
    day = int(parts[2]) if len(parts) > 2 else (last if end else 1)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise QuerySyntaxError(f"bad date {text!r}") from exc


def _tokens(term: str) -> list[tuple[str, str]]:
    """The shared tokenizer's tokens as (kind, text). Reading stops at an unclosed quote
    or bracket and at a stray ']'; a '*' after a phrase is a word of its own."""
    out: list[tuple[str, str]] = []
    tokens = tokenize(term)
    for i, token in enumerate(tokens):
        if token.kind in ("(", ")"):
            out.append((token.kind, token.text))
            continue
        if not token.closed:
            break
        if token.kind == "tag":
            out.append(("tag", token.text))
            continue
        word = token.text
        if token.kind == "quoted":
            out.append(("quoted", word))
            if not token.star:
                continue
            word = "*"  # the star, and a word that touches it, make one word
            touching = i + 1 < len(tokens) and tokens[i + 1].start == token.end
            if touching and tokens[i + 1].kind == "word":
                word += tokens[i + 1].text
                tokens[i + 1] = Token("word", "", token.end, token.end)
        word, bracket, _ = word.partition("]")
        if word:
            out.append(("op" if word in OPERATORS else "word", word))
        if bracket:
            break
    return out


class _Parser:
    def __init__(self, term: str) -> None:
        self.toks = _tokens(term)
        self.pos = 0
        self.unknown: list[str] = []

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def expr(self) -> Node:
        node = self.unary()
        while (tok := self.peek()) is not None and tok[0] != ")":
            op = self.take()[1] if tok[0] == "op" else "AND"
            node = BoolOp(op, node, self.unary())
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok is None or tok[0] in ("op", ")", "tag"):
            raise QuerySyntaxError("operator or parenthesis without a term")
        if tok[0] == "(":
            self.take()
            node = self.expr()
            if self.peek() is None or self.take()[0] != ")":
                raise QuerySyntaxError("unbalanced parentheses")
            return node
        return self.term()

    def term(self) -> Node:
        if self.peek()[0] == "quoted":  # type: ignore[index]
            raw, quoted = self.take()[1], True
        else:
            words = []
            while (tok := self.peek()) is not None and tok[0] == "word":
                words.append(self.take()[1])
            raw, quoted = " ".join(words), False
            if self.peek() is None or self.peek()[0] != "tag":  # type: ignore[index]
                return _and_chain([self.leaf(w, None, False) for w in words])
        tag = self.take()[1] if (nxt := self.peek()) is not None and nxt[0] == "tag" else None
        return self.leaf(raw, tag, quoted)

    def leaf(self, raw: str, tag: str | None, quoted: bool) -> Node:
        key = (tag or "all").split(":")[0].strip().casefold()
        if key in DATE_FIELDS:
            start, _, end = raw.replace(" ", "").partition(":")
            return DateRange(
                DATE_FIELDS[key],
                parse_date_bound(start, end=False),
                parse_date_bound(end or start, end=True),
            )
        if key in UID_FIELDS:
            start, _, end = raw.replace(" ", "").partition(":")
            if not start.isdigit() or not (end or start).isdigit():
                raise QuerySyntaxError(f"bad UID range {raw!r}")
            return UidRange(int(start), int(end or start))
        if key not in FIELDS:
            self.unknown.append(tag or "")
            key = "all"
        truncated = raw.endswith("*")
        phrase = normalise(raw.rstrip("*"))
        if truncated:
            phrase = phrase.rstrip()  # prefix: " hepat" matches " hepatocyte "
        return Text(phrase, FIELDS[key], truncated, quoted, raw)


def _and_chain(nodes: list[Node]) -> Node:
    node = nodes[0]
    for nxt in nodes[1:]:
        node = BoolOp("AND", node, nxt)
    return node


def parse_term(term: str) -> Parsed:
    parser = _Parser(term)
    if not parser.toks:
        return Parsed(None)
    node = parser.expr()
    if parser.peek() is not None:
        raise QuerySyntaxError("unbalanced parentheses")
    return Parsed(node, parser.unknown)


def matches(node: Node, entry: Entry, cache: dict[tuple[int, int], bool]) -> bool:
    """Does the record match? Text results are cached per source record (clones share)."""
    if isinstance(node, BoolOp):
        left = matches(node.left, entry, cache)
        if node.op == "AND":
            return left and matches(node.right, entry, cache)
        if node.op == "OR":
            return left or matches(node.right, entry, cache)
        return left and not matches(node.right, entry, cache)
    if isinstance(node, DateRange):
        value = entry.dates(node.field)
        return value is not None and node.start <= value <= node.end
    if isinstance(node, UidRange):
        return node.start <= entry.pmid <= node.end
    key = (id(node), entry.source_pmid)
    if key not in cache:
        cache[key] = node.phrase in entry.text.get(node.field)
    return cache[key]


def prune_unknown(
    node: Node | None, known: Callable[[Text], bool]
) -> tuple[Node | None, list[str]]:
    """Drop untagged, unquoted terms that match nothing anywhere (PubMed's PhraseNotFound)."""
    if node is None:
        return None, []
    if isinstance(node, Text):
        if node.field == "all" and not node.quoted and not known(node):
            return None, [node.raw]
        return node, []
    if not isinstance(node, BoolOp):
        return node, []
    left, lost_left = prune_unknown(node.left, known)
    right, lost_right = prune_unknown(node.right, known)
    lost = lost_left + lost_right
    if left is None or right is None:
        return (left if right is None else (None if node.op == "NOT" else right)), lost
    return BoolOp(node.op, left, right), lost


def translate(node: Node | None, *, top: bool = True) -> str:
    """A QueryTranslation string in PubMed's style: "phrase"[Field] … AND date[Date - Create]."""
    if node is None:
        return ""
    if isinstance(node, BoolOp):
        text = f"{translate(node.left, top=False)} {node.op} {translate(node.right, top=False)}"
        return text if top else f"({text})"
    if isinstance(node, DateRange):
        return f"{node.start:%Y/%m/%d}:{node.end:%Y/%m/%d}[{FIELD_NAMES[node.field]}]"
    if isinstance(node, UidRange):
        return f"{node.start}:{node.end}[UID]"
    shown = node.phrase.strip() + ("*" if node.truncated else "")
    return f'"{shown}"[{FIELD_NAMES[node.field]}]'
