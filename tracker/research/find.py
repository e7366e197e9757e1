"""PubMed-like search text → a safe SQLite FTS5 query over stored titles and abstracts.

Researchers type what they type into PubMed: `baclofen AND "restless legs"`,
`(gabapentin OR pregabalin) NOT review`, `spasm*`, `dystonia[ti]`. FTS5 has a grammar of
its own and raises `fts5: syntax error` on much of that (a stray quote, a bare `-`, a
leading NOT, `AND` at the end), so the text is parsed here and written back out with
every word quoted (NCBI-NOTES checklist 58):

* quoted phrases stay phrases; unquoted words are quoted one by one (a hyphenated word
  becomes a phrase, as in PubMed); `word*` and `"a phrase"*` are prefix searches;
* AND / OR / NOT in capitals are operators, applied left to right as PubMed does (FTS5
  would give NOT, then AND, precedence), so the output is fully parenthesised; words
  side by side are ANDed; lower-case and/or/not are plain words;
* `[ti]`/`[title]` and `[ab]`/`[abstract]` search that column; other field tags (`[tiab]`,
  `[mh]`, …) search both columns and say so in the notes;
* text that does not parse (unbalanced parentheses, a dangling operator, a leading NOT)
  falls back to all its words ANDed, and says so.

The stored text is indexed with the porter stemmer: `leg` also finds `legs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.errors import UsageError
from tracker.searches.terms import OPERATORS, tokenize

COLUMNS = {"ti": "title", "title": "title", "ab": "abstract", "abstract": "abstract"}
BOTH_COLUMNS = {"tiab", "title/abstract", "tw", "text word", "all", "all fields"}
_WORD_PIECES = re.compile(r"[^\W_]+\*?")


class FindSyntaxError(UsageError, ValueError):
    """The text is not a query we can read exactly; the caller falls back to plain words."""


@dataclass(frozen=True)
class FtsQuery:
    expression: str  # for `articles_fts MATCH ?`; empty when there is nothing to search
    fallback: bool = False  # True: read as plain words, not as the operators written
    notes: tuple[str, ...] = ()
    # True: the text began with NOT, so `expression` is what to leave out and every
    # other stored article matches (FTS5 itself cannot start with NOT).
    excluded: bool = False


@dataclass(frozen=True)
class _Token:
    kind: str  # "(" ")" "phrase" "op" "tag"
    text: str
    prefix: bool = False


def fts_query(text: str) -> FtsQuery:
    """The FTS5 expression for PubMed-like `text`; never raises."""
    notes: list[str] = []
    try:
        tokens = _tokens(text)
        excluded = bool(tokens) and tokens[0].kind == "op" and tokens[0].text == "NOT"
        expression = _Parser(tokens[1:] if excluded else tokens, notes).parse()
        if excluded and expression:
            notes.append("starts with NOT: every stored article without those words")
        return FtsQuery(expression, False, tuple(dict.fromkeys(notes)), excluded=excluded)
    except FindSyntaxError as exc:
        return plain_words(text, f"read as plain words ({exc})")


def plain_words(text: str, note: str = "read as plain words") -> FtsQuery:
    """Every word of `text` quoted and ANDed: the fallback FTS5 cannot misread. A word
    right after NOT is left out rather than searched for: "NOT aspirin" must never
    turn into "aspirin"."""
    words, negated = [], False
    for word in _WORD_PIECES.findall(text):
        if word == "NOT":
            negated = True
        elif word not in OPERATORS:
            if not negated:
                words.append(word)
            negated = False
    expression = " AND ".join(_quote(w.rstrip("*"), w.endswith("*")) for w in words)
    return FtsQuery(expression, True, (note,) if words else ())


def _quote(text: str, prefix: bool = False) -> str:
    return '"' + text.replace('"', '""') + '"' + ("*" if prefix else "")


def _tokens(text: str) -> list[_Token]:
    """The shared tokenizer's tokens, read as `find` reads them (an unclosed ']' is
    forgiven, an unclosed quote is not)."""
    tokens: list[_Token] = []
    for token in tokenize(text):
        if token.kind in ("(", ")"):
            tokens.append(_Token(token.kind, token.kind))
        elif token.kind == "quoted":
            if not token.closed:
                raise FindSyntaxError("a quote is not closed")
            tokens.append(_Token("phrase", token.text, prefix=token.star))
        elif token.kind == "tag":
            tokens.append(_Token("tag", token.text.strip().lower()))
        elif token.text in OPERATORS:
            tokens.append(_Token("op", token.text))
        else:
            word = token.text
            tokens.append(_Token("phrase", word.rstrip("*"), prefix=word.endswith("*")))
    return tokens


class _Parser:
    """query := unit ((AND|OR|NOT)? unit)* ; unit := '(' query ')' | phrase [tag]."""

    def __init__(self, tokens: list[_Token], notes: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.notes = notes

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> str:
        if not self.tokens:
            return ""
        expression = self.query()
        if self.peek() is not None:
            raise FindSyntaxError("unbalanced parentheses")
        return expression

    def query(self) -> str:
        left = self.unit()
        while (token := self.peek()) is not None and token.kind != ")":
            op = self.take().text if token.kind == "op" else "AND"
            right = self.unit()
            left = _join(left, op, right)
        if left is None:
            raise FindSyntaxError("nothing to search for")
        return left

    def unit(self) -> str | None:
        token = self.peek()
        if token is None:
            raise FindSyntaxError("the text ends with an operator")
        self.take()
        if token.kind == "op":
            raise FindSyntaxError(f"{token.text} has nothing before it")
        if token.kind == "tag":
            raise FindSyntaxError(f"[{token.text}] follows no word")
        if token.kind == ")":
            raise FindSyntaxError("unbalanced parentheses")
        if token.kind == "(":
            inner = self.query()
            if self.peek() is None or self.take().kind != ")":
                raise FindSyntaxError("unbalanced parentheses")
            # A join is parenthesised already (see _join); a lone phrase is not.
            return self.tagged(inner if inner.startswith("(") else f"({inner})")
        if not _WORD_PIECES.search(token.text):  # "", "-", "&": nothing FTS5 indexes
            self.tagged("")
            return None
        return self.tagged(_quote(token.text, token.prefix))

    def tagged(self, expression: str) -> str:
        token = self.peek()
        if token is None or token.kind != "tag":
            return expression
        self.take()
        column = COLUMNS.get(token.text.split(":")[0])
        if column:
            return f"{column} : {expression}" if expression else expression
        if token.text not in BOTH_COLUMNS:
            self.notes.append(f"[{token.text}] searched as title and abstract words")
        return expression


def _join(left: str | None, op: str, right: str | None) -> str | None:
    if left is None:
        if op == "NOT":
            raise FindSyntaxError("NOT has nothing before it")
        return right
    if right is None:
        return left
    return f"({left} {op} {right})"
