"""The sentence(s) a digest quotes as a study's conclusion.

In order:
1. A structured abstract's conclusion section. The printed label decides first
   ("CONCLUSIONS", "INTERPRETATION", "Conclusions and Relevance"), then NLM's
   NlmCategory="CONCLUSIONS", then SIGNIFICANCE / SUMMARY / DISCUSSION. NLM also files
   OUTLOOK, IMPACT, FUTURE DIRECTIONS, KEY POINTS and research implications under
   CONCLUSIONS; they are what comes next, not what was found, so they are used only when
   nothing better is labelled.
2. An inline label in an unstructured abstract: "Conclusion(s):", "Conclusions-",
   "ConclusionOur results…" (labels run into the text by the publisher), IOP's
   "Significance.", "In conclusion,".
3. Otherwise the last sentences.

Trial registration, DOI or URL, funding, "Visual Overview", citation and copyright
lines are removed from whatever is chosen ("(PsycInfo Database Record (c) 2022 APA, all
rights reserved)"). Sections are plain dicts (a stored row's decoded JSON) or
tracker.models.AbstractSection values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from tracker.classify.patterns import lazy

_CONCLUSION_LABEL = lazy(
    r"^\s*(conclusions?|interpretations?|main conclusions?|authors'? conclusions?)\b",
    re.IGNORECASE,
)
_SECOND_LABEL = lazy(
    r"^\s*(significance|summary|discussion|comments?|take[- ]home message|main message"
    r"|clinical significance|summary (and|&) conclusions?|discussion (and|&) conclusions?)\s*$",
    re.IGNORECASE,
)
# NLM files these under CONCLUSIONS; they say what should come next, not what was found.
_AFTERTHOUGHT = lazy(
    r"outlook|impact|future|perspective|key points?|highlights?|research implication"
    r"|recommendation|what is new|relevance for|implications? for (research|practice)"
    r"|lay summary|importance|trial registration|registration|funding|supplementary",
    re.IGNORECASE,
)
_NEVER = lazy(
    r"trial registration|registration|funding|supplementary|visual (abstract|overview)"
    r"|video abstract|graphical abstract|importance|lay summary|key points?|highlights?",
    re.IGNORECASE,
)
# Inline labels, on the original-case text: a label word at a sentence start, run into
# its sentence by a colon, dash, full stop or nothing at all ("ConclusionOur results").
_INLINE = lazy(
    r"(?:^|(?<=[.!?])\s*|\s(?=[A-Z]))(?:Conclusions?(?:/Implications?)?|CONCLUSIONS?"
    r"|Significance|SIGNIFICANCE|Interpretation|INTERPRETATION)"
    r"(?:\s*[:\-–—.]\s*|\s+(?=[A-Z])|(?=[A-Z][a-z]))"
)
_IN_CONCLUSION = lazy(r"(?:^|(?<=[.!?])\s+)(?:In conclusion|To conclude|In summary),\s")
# What a quoted conclusion must not carry.
# What a quoted conclusion must not carry, in lower case: plain phrases (substring tests,
# which cost far less than a regex on every sentence of every stored record), and a few
# patterns tried only when their trigger occurs.
_JUNK_PHRASES = (
    "psycinfo database record", "all rights reserved", "©", "copyright", "http://",
    "https://", "www.", "doi.org", "doi:", "trial registration", "clinicaltrials.gov",
    "registration number", "registry number", "registration no", "isrctn", "actrn", "chictr",
    "prospero", "funded by", "funding", "supported by grant", "supported by a grant",
    "visual overview", "visual abstract", "video abstract", "graphical abstract",
    "supplementary material", "supplementary information", "identifier",
)  # fmt: skip
_JUNK_PATTERNS = (
    ("nct", lazy(r"\bnct\d{8}")),
    ("(c)", lazy(r"\(c\)\s*\d{4}")),
    ("crd", lazy(r"\bcrd\d{6,}")),
    ("10.", lazy(r"\b10\.\d{4,}/")),
)
_INLINE_WORDS = ("onclusion", "ONCLUSION", "ignificance", "IGNIFICANCE", "nterpretation",
                 "NTERPRETATION", "n summary", "o conclude")  # fmt: skip
# "J Am Geriatr Soc 67:2568-2573, 2019." — a citation line some publishers append.
_CITATION = lazy(r"^[A-Z][A-Za-z. ]{2,60} \d+(\(\d+\))?:\s?\d+[-–]\d+, (19|20)\d\d\.?$")
_CITATION_END = lazy(r"\d+(\(\d+\))?:\s?\d+[-–]\d+, (19|20)\d\d\.?$")
# A parenthetical that is only registration, funding or copyright: dropped, the rest kept.
_JUNK_PAREN = lazy(r"\s*\((?:[^()]|\([^()]*\))*\)\.?")
# Sentence ends, not after common abbreviations ("Bacillus spp. EVs", "et al. Found").
_SENTENCE_END = lazy(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'\[])")
_ABBREVIATION = lazy(
    r"(\b(spp|sp|al|e\.g|i\.e|vs|fig|figs|no|nos|approx|ca|cf|dr|mr|mrs|ms|st|vol|ref)"
    r"|\b[A-Z])\.$",
    re.IGNORECASE,
)


def conclusion_excerpt(sections: Sequence[Any], abstract: str | None, sentences: int = 2) -> str:
    """The conclusion of an abstract, cleaned, or "" when there is no abstract."""
    parts = [_as_tuple(s) for s in sections]
    labelled = [p for p in parts if p[0] or p[1]]
    if labelled:
        chosen = _labelled_conclusion(labelled)
        if chosen:
            return chosen
        body = " ".join(t for label, _cat, t in parts if not _NEVER.search(label or ""))
    else:
        body = " ".join(t for _label, _cat, t in parts) if parts else abstract or ""
    return _unlabelled_conclusion(" ".join(body.split()), sentences)


def _as_tuple(section: Any) -> tuple[str, str, str]:
    if isinstance(section, dict):
        label, category, text = section.get("label"), section.get("nlm_category"), section["text"]
    else:
        label, category, text = section.label, section.nlm_category, section.text
    return (label or "", (category or "").upper(), " ".join(str(text or "").split()))


def _labelled_conclusion(parts: list[tuple[str, str, str]]) -> str:
    ranks: list[tuple[int, int, str]] = []
    for index, (label, category, text) in enumerate(parts):
        rank = _section_rank(label, category)
        if rank is not None:
            ranks.append((rank, -index, text))
    for _rank, _index, text in sorted(ranks):
        cleaned = clean(text)
        if cleaned:
            return cleaned
    return ""


def _section_rank(label: str, category: str) -> int | None:
    """0: labelled a conclusion; 1: NLM's CONCLUSIONS; 2: significance, summary,
    discussion; 3: outlook, impact and the like; None: never quoted."""
    concluding = re.search(r"conclu", label, re.IGNORECASE) is not None
    if _NEVER.search(label) and not concluding:
        return None
    if _CONCLUSION_LABEL.match(label):
        return 0
    if category == "CONCLUSIONS" and not _AFTERTHOUGHT.search(label):
        return 1
    if _SECOND_LABEL.match(label) or concluding:
        return 2
    return 3 if category == "CONCLUSIONS" else None


def _unlabelled_conclusion(text: str, sentences: int) -> str:
    inline = _inline_conclusion(text)
    if inline:
        return inline
    if not junk(text):  # one test for the whole abstract instead of one per sentence
        return " ".join(split_sentences(text)[-sentences:])
    kept = [s for s in split_sentences(text) if not _is_junk(s)]
    return clean(" ".join(kept[-sentences:]))


def _inline_conclusion(text: str) -> str:
    """The text after the last inline conclusion label. "Significance" and
    "Interpretation" count only in the closing 60% of the abstract: earlier they are more
    likely a sentence's subject ("Significance of the finding was…")."""
    if not any(word in text for word in _INLINE_WORDS):
        return ""
    for pattern in (_INLINE, _IN_CONCLUSION):
        found = [
            m for m in pattern.finditer(text)
            if "onclu" in m.group(0).lower() or m.start() >= len(text) * 0.4
        ]  # fmt: skip
        if found:
            start = found[-1].end() if pattern is _INLINE else found[-1].start()
            cleaned = clean(text[start:].lstrip(" :-–—."))
            if cleaned:
                return cleaned
    return ""


# Trailing matter run into an unstructured abstract: cut there.
_TRAILER = lazy(
    r"\s(Key Points|KEY POINTS|Citation Format|Trial [Rr]egistration|TRIAL REGISTRATION"
    r"|Clinical [Tt]rial [Rr]egistration|Funding|FUNDING|Visual Overview)\s*:"
)


def clean(text: str) -> str:
    """The text without junk sentences and junk parentheticals."""
    trailer = _TRAILER.search(text)
    if trailer:
        text = text[: trailer.start()]
    text = " ".join(text.split())
    if not junk(text) and not _CITATION_END.search(text):
        return text
    kept = []
    for sentence in split_sentences(" ".join(text.split())):
        if "(" in sentence:
            sentence = _JUNK_PAREN.sub(_drop_junk_paren, sentence).strip()
        if sentence and not _is_junk(sentence):
            kept.append(sentence)
    return " ".join(kept)


def _drop_junk_paren(match: re.Match[str]) -> str:
    inner = match.group(0)
    if not junk(inner):
        return inner
    return "." if inner.rstrip().endswith(".") else ""


def junk(text: str) -> bool:
    """Whether the text holds registration, funding, DOI/URL or copyright matter."""
    low = text.lower()
    if any(phrase in low for phrase in _JUNK_PHRASES):
        return True
    return any(trigger in low and p.search(low) for trigger, p in _JUNK_PATTERNS)


def _is_junk(sentence: str) -> bool:
    bare = sentence.strip(" .()")
    return not bare or junk(sentence) or bool(_CITATION.match(sentence.strip()))


def split_sentences(text: str) -> list[str]:
    """Sentences, keeping "spp.", "et al.", "e.g." and initials inside theirs."""
    out: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text, max(start, match.start() - 8), match.start()):
            continue
        piece = text[start : match.start()]
        out.append(piece)
        start = match.end()
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def conclusion_of(sections: Iterable[Any], abstract: str | None) -> str | None:
    """conclusion_excerpt, or None when the record has no abstract."""
    text = conclusion_excerpt(list(sections), abstract)
    return text or None
