"""Numbers as abstracts write them: digits ("1,925", "45 276") and words ("Fifty-nine",
"one hundred ninety three", "two hundred and three")."""

from __future__ import annotations

import re

from tracker.classify.patterns import lazy

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_SMALL = "|".join(sorted({**_UNITS, **_TENS}, key=len, reverse=True))
_WORDS = (
    rf"(?:(?:{_SMALL})[\s-]+hundred(?:[\s-]+(?:and[\s-]+)?(?:{_SMALL})(?:[\s-]+(?:{_SMALL}))?)?"
    rf"|(?:{'|'.join(_TENS)})(?:[\s-]+(?:{'|'.join(_UNITS)}))?|(?:{'|'.join(_UNITS)}))"
)
# Lower-case text only. Digits with thousands separators (comma, thin or plain space
# between groups of three) or plain; words as above.
# The lookahead rejects most positions with one character test before the alternation.
NUMBER = lazy(
    rf"(?=[\dotfsen])(?<![\w.,])(?:\d{{1,3}}(?:[,\u2009\u202f]\d{{3}})+|\d+|{_WORDS})(?![\w])"
)


def number_value(token: str) -> int | None:
    token = token.lower().strip()
    digits = re.sub(r"[,\u2009\u202f]", "", token)
    if digits.isdigit():
        return int(digits)
    total = 0
    for word in re.split(r"[\s-]+", token):
        if word == "and":
            continue
        if word == "hundred":
            total = max(total, 1) * 100
        elif word in _UNITS:
            total += _UNITS[word]
        elif word in _TENS:
            total += _TENS[word]
        else:
            return None
    return total or None
