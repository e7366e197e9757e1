"""The one PubMed-term tokenizer: a search term as parentheses, quoted phrases, field
tags and words, in order.

Two readers build on it and give the tokens their own meaning: `tracker find`
(tracker/research/find.py, PubMed-like text -> an FTS5 query over stored records) and
the local E-utilities server's query evaluator (tracker/lookalikes/eutils/terms.py). It
reports what it saw (an unclosed quote or bracket, a `*` right after a phrase) and
leaves the verdict to them: `find` refuses an unclosed quote, the look-alike stops
reading there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# AND / OR / NOT are operators only in capitals, as in PubMed.
OPERATORS = ("AND", "OR", "NOT")
_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)("?)(\*?)|\[([^\]]*)(\]?)|([^\s()"\[]+))')


@dataclass(frozen=True)
class Token:
    kind: str  # "(", ")", "quoted", "tag" or "word" (operators are words: see OPERATORS)
    text: str  # a phrase without its quotes, a tag without its brackets, the word
    start: int  # offsets in the term: tokens side by side have end == next start
    end: int
    closed: bool = True  # quoted, tag: the closing '"' or ']' was there
    star: bool = False  # quoted: a '*' right after the closing quote (a prefix search)


def tokenize(term: str) -> list[Token]:
    """Every token of ``term``; whitespace separates, and is all that may be left over."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(term):
        match = _TOKEN.match(term, pos)
        if match is None or match.end() == pos:  # only whitespace remains
            break
        pos = match.end()
        opening, closing, phrase, quote, star, tag, bracket, word = match.groups()
        start = match.start(match.lastindex or 0)
        if opening or closing:
            tokens.append(Token(opening or closing, opening or closing, start, pos))
        elif phrase is not None:
            start = match.start(3) - 1  # the opening quote
            tokens.append(Token("quoted", phrase, start, pos, bool(quote), bool(star)))
        elif tag is not None:
            tokens.append(Token("tag", tag, match.start(6) - 1, pos, bool(bracket)))
        else:
            tokens.append(Token("word", word, start, pos))
    return tokens
