"""The drug's role in a study, for one drug × condition saved search.

A search for baclofen AND restless legs also finds the case of baclofen-induced restless
legs, the baclofen withdrawal, and the alcohol-use-disorder trial whose adverse events
include restless legs. A blog author asking "what is the evidence for the use?" must see
those apart:

* `treatment`: the drug is studied as a treatment (or prevention) of the condition;
* `harm`: the drug is suspected of causing or worsening the condition, or the study is
  about its toxicity, overdose or withdrawal producing the condition's picture;
* `other`: both are named, but the drug is not studied for the condition (a mechanism,
  one drug among many, another indication), or nothing says which.

Two sources, in this order, as for the evidence tier:
1. Indexing. MEDLINE's MeSH qualifiers say it for indexed records: `Baclofen/therapeutic
   use` with `Restless Legs Syndrome/drug therapy` is treatment; `Restless Legs
   Syndrome/chemically induced`, `Baclofen/adverse effects` (or /poisoning, /toxicity)
   or a `Substance Withdrawal Syndrome` heading is harm.
2. Text, where indexing is absent or silent about the pair: "baclofen-induced",
   "withdrawal of baclofen", "overdose", "pump failure", "adverse events included …
   restless legs", and where the drug and the condition sit in the sentence ("baclofen
   for restless legs", "restless legs treated with baclofen").

Every answer carries a reason a reader can check against the record ("MeSH:
Baclofen/adverse effects", "title: baclofen-induced") and whether it is certain. A guess
is never `treatment`: when nothing decides, the role is `other`, marked uncertain.
Pure functions over plain values; no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from tracker.classify.patterns import lazy
from tracker.classify.relation import SearchBlock, fold_dashes, words_pattern
from tracker.models import MeshHeading

ROLES: tuple[str, ...] = ("treatment", "harm", "other")
ROLE_LABELS: dict[str, str] = {
    "treatment": "Treatment study",
    "harm": "Safety signal",
    "other": "Other role",
}


@dataclass(frozen=True)
class DrugRole:
    role: str  # one of ROLES
    reason: str  # what decided it: "MeSH: Baclofen/adverse effects", "title: baclofen-induced"
    source: str  # "indexing" (MeSH qualifiers) or "text" (title and abstract)
    certain: bool = True  # False: nothing decided, and the role is a cautious "other"


# --- 1. indexing: MeSH qualifiers ------------------------------------------------------------

_HARM_QUALIFIERS = ("adverse effects", "poisoning", "toxicity")
_TREATED_QUALIFIERS = ("drug therapy", "prevention & control", "therapy")
_MECHANISM_QUALIFIERS = ("pharmacology", "pharmacokinetics", "metabolism")
_WITHDRAWAL = "substance withdrawal syndrome"


@dataclass(frozen=True)
class _Indexed:
    """The record's headings for the search's drug and condition, with their qualifiers."""

    drug: str | None  # the drug's heading as NLM writes it, or None
    drug_qualifiers: frozenset[str]
    condition: str | None
    condition_qualifiers: frozenset[str]
    withdrawal: frozenset[str] | None  # Substance Withdrawal Syndrome's qualifiers, if present


def _headings(mesh: Iterable[MeshHeading | Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    out = []
    for h in mesh:
        if isinstance(h, MeshHeading):
            out.append((h.descriptor, [q.lower() for q in h.qualifiers]))
        else:
            out.append(
                (str(h.get("descriptor") or ""), [q.lower() for q in h.get("qualifiers") or []])
            )
    return out


@lru_cache(maxsize=4096)  # the same few thousand descriptors recur in every record
def _names(block: SearchBlock, descriptor: str) -> bool:
    """Whether a record's MeSH descriptor is one of the block's headings or words."""
    name = fold_dashes(descriptor.lower())
    if name in block.mesh:
        return True
    if not name.startswith(_first_words(block)):
        return False
    words = _group(block)
    return words is not None and _lower_case(words).fullmatch(name) is not None


def _indexed(drug: SearchBlock, condition: SearchBlock, mesh: Iterable[Any]) -> _Indexed:
    found: dict[str, tuple[str | None, set[str]]] = {"drug": (None, set()), "cond": (None, set())}
    withdrawal: set[str] | None = None
    for descriptor, qualifiers in _headings(mesh):
        for key, block in (("drug", drug), ("cond", condition)):
            if _names(block, descriptor):
                name, quals = found[key]
                found[key] = (name or descriptor, quals | set(qualifiers))
        if descriptor.lower() == _WITHDRAWAL:
            withdrawal = (withdrawal or set()) | set(qualifiers)
    (d, dq), (c, cq) = found["drug"], found["cond"]
    return _Indexed(d, frozenset(dq), c, frozenset(cq),
                    None if withdrawal is None else frozenset(withdrawal))  # fmt: skip


def _mesh(heading: str | None, qualifiers: Iterable[str]) -> str:
    quals = sorted(qualifiers)
    return f"{heading}/{quals[0]}" if quals else str(heading)


def indexed_role(drug: SearchBlock, condition: SearchBlock, mesh: Iterable[Any]) -> DrugRole | None:
    """The role MeSH qualifiers give, or None when indexing does not decide it."""
    ix = _indexed(drug, condition, mesh)
    if ix.drug is None:
        return None
    harm = ix.drug_qualifiers & set(_HARM_QUALIFIERS)
    used = "therapeutic use" in ix.drug_qualifiers
    treated = ix.condition_qualifiers & set(_TREATED_QUALIFIERS)

    def role(name: str, *parts: str) -> DrugRole:
        return DrugRole(name, "MeSH: " + "; ".join(parts), "indexing")

    drug_harm = _mesh(ix.drug, harm)
    if ix.condition and "chemically induced" in ix.condition_qualifiers and (harm or not used):
        extra = (drug_harm,) if harm else ()
        return role("harm", f"{ix.condition}/chemically induced", *extra)
    withdrawal = ix.withdrawal
    if ix.condition and withdrawal is not None and "drug therapy" not in withdrawal and not used:
        return role("harm", "Substance Withdrawal Syndrome", _mesh(ix.drug, harm))
    if ix.condition and treated:
        # A trial of the drug for the condition reports its adverse effects too
        # (PMID 29768149: Budesonide/adverse effects, Asthma/drug therapy).
        used_too = (f"{ix.drug}/therapeutic use",) if used else ()
        return role("treatment", _mesh(ix.condition, treated), *used_too)
    if ix.condition and harm:
        return role("harm", drug_harm)
    if ix.condition and used:
        return role("treatment", f"{ix.drug}/therapeutic use")
    if ix.condition and ix.drug_qualifiers & set(_MECHANISM_QUALIFIERS):
        # Indexed for how the drug acts, not for a use: a mechanism study or review.
        return role("other", _mesh(ix.drug, ix.drug_qualifiers & set(_MECHANISM_QUALIFIERS)))
    return None


# --- 2. text: title and abstract -------------------------------------------------------------

_SENTENCES = lazy(r"(?<=[.!?])\s+|\n+")
_LIST_BEFORE = lazy(r",\s*(?:and\s+|or\s+)?$")
_LIST_AFTER = lazy(r"^\s*,")
_AE = (r"(?:adverse (?:events?|effects?|reactions?|drug reactions?)|side[\s-]effects?"
       r"|treatment[\s-]emergent (?:adverse )?events?|complications)")  # fmt: skip
_LISTING = r"(?:included|including|such as|were|was|comprised|consisted of|:)"
_BENEFIT = lazy(r"\b(improv|reduc|reliev|decreas|alleviat|efficac|benefi|respon)")
_GAP = r"(?:[\w'()/-]+\s+){0,4}?"  # up to four words between two parts of a phrase


@dataclass(frozen=True)
class _Rule:
    role: str
    name: str  # shown in the reason when the matched words are too long to quote
    pattern: re.Pattern[str]


_HARM_WORDS = (r"(?:withdrawal|discontinuation|cessation|overdose|overdosage|intoxication"
               r"|toxicity|poisoning|abuse|misuse)")  # fmt: skip
_TREAT_VERBS = (r"(?:improved|reduced|relieved|alleviated|suppressed|abolished|decreased"
                r"|resolved|eliminated|ameliorated|treats?|treated|controlled)")  # fmt: skip
_PREPS = (r"(?:for|in|on|against|to treat|to prevent|in the (?:treatment|management|"
          r"prevention) of|as (?:a )?(?:treatment|therapy) (?:for|of|in)|therapy (?:for|of|in)"
          r"|treatment (?:for|of|in))")  # fmt: skip
_CAUSE = (r"(?:induced|caused|provoked|triggered|precipitated|exacerbated|worsened"
          r"|aggravated|unmasked)")  # fmt: skip
_TREATED = (r"(?:treated|managed|responded|responding|responsive|improved|resolved|remitted"
            r"|disappeared|relieved|controlled)")  # fmt: skip
# (role, name, pattern), harm first; <D> and <C> stand for the drug's and the
# condition's alternations, filled in per saved search by _rules.
_RULE_TABLE: tuple[tuple[str, str, str], ...] = (
    # D-induced, D-associated, D-related (hyphen or space): the drug as cause.
    ("harm", "drug-induced", r"<D>[\s-]+(?:induced|associated|related|emergent)\b"),
    ("harm", "withdrawal", rf"<D>\s+{_HARM_WORDS}\b"),
    ("harm", "withdrawal", rf"\b{_HARM_WORDS}\s+(?:of|from|to|with)\s+(?:\w+\s+){{0,2}}?<D>"),
    ("harm", "pump failure", r"<D>[^.;]{0,60}\bpump\s+(?:failure|malfunction|dysfunction"
                             r"|catheter)|\bpump\s+(?:failure|malfunction)[^.;]{0,60}<D>"),
    ("harm", "drug as cause", rf"<C>[^.;]{{0,40}}\b{_CAUSE}\s+by\s+{_GAP}<D>"),
    ("harm", "drug as cause", r"<D>[^.;]{0,30}\b(?:caused|induced|provoked|triggered|worsened"
                              rf"|exacerbated)\s+{_GAP}<C>"),
    ("harm", "among adverse events", rf"\b{_AE}\b[^.;]{{0,60}}?\b{_LISTING}\s[^.;]{{0,100}}?<C>"),
    ("treatment", "drug for the condition", rf"<D>[\s-]+{_GAP}{_PREPS}\s+{_GAP}<C>"),
    ("treatment", "drug relieved the condition", rf"<D>[^.;]{{0,60}}\b{_TREAT_VERBS}\s+{_GAP}<C>"),
    ("treatment", "condition treated with the drug",
     rf"<C>[^.;]{{0,60}}\b{_TREATED}\s+(?:with|to|after|on|following|by)\s+{_GAP}<D>"),
    ("treatment", "treatment of the condition with the drug",
     rf"\b(?:treatment|management|therapy|prevention)\s+of\s+{_GAP}<C>[^.;]{{0,40}}?"
     rf"\b(?:with|using|by)\s+{_GAP}<D>"),
    ("treatment", "efficacy of the drug",
     rf"\b(?:efficacy|effectiveness)\s+of\s+{_GAP}<D>[^.;]{{0,40}}<C>"),
)  # fmt: skip


@lru_cache(maxsize=64)
def _rules(d: str, c: str) -> tuple[_Rule, ...]:
    """The text rules for one pair: `d` and `c` are its drug's and condition's alternations."""
    return tuple(
        _Rule(role, name, re.compile(pattern.replace("<D>", d).replace("<C>", c)))
        for role, name, pattern in _RULE_TABLE
    )


@lru_cache(maxsize=128)
def _group(block: SearchBlock) -> str | None:
    pattern = words_pattern(block.words)
    return f"(?:{pattern.pattern})" if pattern else None


def _quote(where: str, text: str) -> str:
    text = " ".join(text.split())
    return f"{where}: {text if len(text) <= 60 else text[:57].rstrip() + '…'}"


def _listed_among_others(sentence: str, drug: re.Pattern[str]) -> bool:
    """The drug named inside a list ("gabapentin, baclofen and opioids"): one of many."""
    for m in drug.finditer(sentence):
        if _LIST_BEFORE.search(sentence[max(0, m.start() - 12) : m.start()]):
            return True
        if _LIST_AFTER.match(sentence[m.end() : m.end() + 3]):
            return True
    return False


def _first_rule(
    rules: tuple[_Rule, ...],
    where: str,
    text: str,
    drug: re.Pattern[str],
    condition: re.Pattern[str],
) -> DrugRole | None:
    for sentence in _SENTENCES.split(text):
        if not (drug.search(sentence) or condition.search(sentence)):
            continue
        for rule in rules:
            m = rule.pattern.search(sentence)
            if m is None:
                continue
            if rule.name == "among adverse events" and _BENEFIT.search(sentence, m.end()):
                continue
            if where == "abstract" and rule.role == "harm" and not condition.search(sentence):
                continue  # in an abstract, a harm must touch the condition in its sentence
            if rule.name == "among adverse events":
                named = list(condition.finditer(m.group()))[-1].group()
                return DrugRole("harm", f"{where}: {named} among adverse events", "text")
            if rule.role == "treatment" and _listed_among_others(sentence, drug):
                return DrugRole("other", _quote(where, m.group()) + " (one drug among several)",
                                "text")  # fmt: skip
            return DrugRole(rule.role, _quote(where, m.group()), "text")
    return None


def text_role(
    drug: SearchBlock, condition: SearchBlock, title: str | None, abstract: str | None
) -> DrugRole:
    """The role title and abstract suggest. The title speaks first: it says what the
    study is about, while an abstract also names what it is not about."""
    d, c = _group(drug), _group(condition)
    if d is None or c is None:
        return DrugRole("other", "uncertain: the search names no words to read", "text", False)
    # Text is lower-cased once and searched case-sensitively: IGNORECASE over a long
    # alternation cost half the time (benchmarks/role_agreement.py --timing).
    drug_rx, cond_rx = _lower_case(d), _lower_case(c)
    title = fold_dashes(title or "").lower()
    abstract = fold_dashes(abstract or "").lower()
    text = f"{title}\n{abstract}"
    named = _names_any(drug, drug_rx, text), _names_any(condition, cond_rx, text)
    if any(named):
        rules = _rules(d, c)
        for where, part in (("title", title), ("abstract", abstract)):
            found = _first_rule(rules, where, part, drug_rx, cond_rx)
            if found is not None:
                return found
    return _undecided(title, abstract, drug_rx, cond_rx, named)


@lru_cache(maxsize=128)
def _lower_case(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=128)
def _first_words(block: SearchBlock) -> tuple[str, ...]:
    return tuple({re.split(r"[\s*-]+", fold_dashes(w))[0] for w in block.words} - {""})


def _names_any(block: SearchBlock, pattern: re.Pattern[str], text: str) -> bool:
    """Whether `text` names the block. Most records name neither the drug nor the
    condition: a substring test of each phrase's first word (in C) rules them out
    before the alternation runs (benchmarks/role_agreement.py --timing)."""
    if not any(word in text for word in _first_words(block)):
        return False
    return pattern.search(text) is not None


_OTHER_USE = lazy(
    r"\s+(?:for|in the treatment of|to treat|in patients with)\s+((?:[a-z'-]+\s+){0,3}[a-z'-]+)"
)


def _undecided(
    title: str,
    abstract: str,
    drug: re.Pattern[str],
    condition: re.Pattern[str],
    named: tuple[bool, bool],
) -> DrugRole:
    """Nothing ties the drug to the condition: say what the record does show."""
    if named == (True, True):
        for where, part in (("title", title), ("abstract", abstract)):
            m = drug.search(part)
            use = _OTHER_USE.match(part, m.end()) if m else None
            if m and use and not condition.search(use.group(1)):
                return DrugRole("other", _quote(where, m.group() + use.group()), "text")
        reason = "uncertain: drug and condition named, no treatment or harm wording"
    elif named[0]:
        reason = "uncertain: the condition is named only in indexing terms"
    elif named[1]:
        reason = "uncertain: the drug is named only in indexing terms"
    else:
        reason = "uncertain: drug and condition named only in indexing terms"
    return DrugRole("other", reason, "text", False)


# --- the whole rule --------------------------------------------------------------------------


def drug_role(
    pair: tuple[SearchBlock, SearchBlock],
    title: str | None,
    abstract: str | None,
    mesh_headings: Iterable[MeshHeading | Mapping[str, Any]],
) -> DrugRole:
    """Indexing first; text when indexing does not decide it (not indexed yet, or the
    condition is not among the record's headings)."""
    drug, condition = pair
    mesh = list(mesh_headings)
    found = indexed_role(drug, condition, mesh) or text_role(drug, condition, title, abstract)
    return found if found.certain else (_another_use(drug, condition, mesh) or found)


def _another_use(drug: SearchBlock, condition: SearchBlock, mesh: list[Any]) -> DrugRole | None:
    """Indexed for the drug's use in another condition, and nothing ties it to the
    search's condition: `MeSH: Baclofen/therapeutic use; Alcoholism/drug therapy`."""
    ix = _indexed(drug, condition, mesh)
    if ix.drug is None or ix.condition is not None or "therapeutic use" not in ix.drug_qualifiers:
        return None
    for descriptor, qualifiers in _headings(mesh):
        treated = sorted(set(qualifiers) & set(_TREATED_QUALIFIERS))
        if treated and descriptor != ix.drug:
            reason = f"MeSH: {ix.drug}/therapeutic use; {descriptor}/{treated[0]}"
            return DrugRole("other", reason, "indexing")
    return None


def drug_role_of_row(pair: tuple[SearchBlock, SearchBlock], row: Mapping[str, Any]) -> DrugRole:
    """For a stored `articles` row whose JSON columns are decoded."""
    return drug_role(pair, row.get("title"), row.get("abstract"), row.get("mesh_headings") or [])


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", "")
