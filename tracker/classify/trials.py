"""Trials from title and abstract: randomised (the study itself randomised) or other.

Precision first: "randomised" must describe this study ("we randomly assigned", "this
double-blind, placebo-controlled trial"), never a call for one ("will require a
randomized trial") or someone else's ("previous randomised trials").
"""

from __future__ import annotations

import re

from tracker.classify.patterns import lazy

# Patterns are lower case and run over lower-cased text: faster than IGNORECASE.
_RCT_TITLE = lazy(
    r"\brandomi[sz]ed\b[^.:]{0,40}\b(trial|study)\b|\bplacebo-?\s?controlled\b"
    r"|\bdouble-?\s?blind(ed)?\b[^.:]{0,30}\btrial\b|\brandomi[sz]ed,"
)
_RCT_DONE = lazy(
    r"\b(we|were|was|been|be|are) (randomly )?(randomi[sz]ed|randomly assigned|randomly "
    r"allocated|assigned at random|allocated at random)|\brandomly (assigned|allocated|divided"
    r"|received)\b|\brandomi[sz]ed (to|in a \d|in a [a-z]+:[a-z]+|1:1|2:1|into)\b"
    r"|\bunderwent randomi[sz]ation\b|\brandomi[sz]ation (was|were) (stratified|done|"
    r"performed)|\b(this|a|the|our) (\w+[ -]){0,5}randomi[sz]ed(,)? (\w+[ -]){0,4}"
    r"(trial|study)\b|\brandomi[sz]ed (controlled |clinical |crossover |cross-over )?trial of\b"
    r"|\b(double|single|triple)-?\s?blind(ed)?,? (randomi[sz]ed|placebo)"
)
NOT_THIS_STUDY = lazy(
    r"\b(need|needed|needs|require|required|requires|warrant|warranted|future|further|should"
    r"|would|will|could|larger|prior|previous|previously|earlier|recent|existing|published"
    r"|meta-analy|systematic|review|reviews|reviewed|trials (have|has)|are lacking|lack of"
    r"|no randomi|is there|ongoing|planned|protocol|design and rationale)\b"
)
_TRIAL = lazy(
    r"\bopen-?\s?label\b|\bphase\s+(i{1,3}v?|[1-4])(/(i{1,3}|[1-4]))?\b|\bsingle-?\s?arm\b"
    r"|\bnon-?randomi[sz]ed\b|\bpilot (study|trial)\b|\buncontrolled (study|trial)\b"
    r"|\bdose-?(finding|escalation|ranging)\b|\bfirst-in-human\b|\bplacebo\b"
    r"|\bcross-?over (study|trial|design)\b|\bdouble-?\s?blind|\b(this|our|the present) "
    r"(clinical |prospective |pilot )?trial\b|\bclinical trial\b"
)
_TRIAL_PROTOCOL = lazy(
    r"\b(study|trial) protocol\b|\bprotocol for (a|an|the)\b|design and rationale"
)


def is_rct(title: str, abstract: str) -> bool:
    """The study itself randomised: said in the title, or in a sentence of the abstract
    that is about this study (not "will require a randomized trial")."""
    if _RCT_TITLE.search(title) and not _TRIAL_PROTOCOL.search(title):
        return not NOT_THIS_STUDY.search(title)
    if _TRIAL_PROTOCOL.search(title):
        return False
    if "random" not in abstract and "blind" not in abstract:
        return False  # every rule below needs one of them: a cheap test first
    if (
        re.search(r"double-?\s?blind", abstract)
        and "placebo" in abstract
        and re.search(r"\brandomi[sz]ed (sequence|order)|\brandomly\b", abstract)
    ):
        return True
    for match in _RCT_DONE.finditer(abstract):
        start = abstract.rfind(". ", 0, match.start()) + 1
        end = abstract.find(". ", match.end())
        sentence = abstract[start : end if end > 0 else len(abstract)]
        if not NOT_THIS_STUDY.search(sentence) and not _looks_like_conclusion(sentence):
            return True
    return False


def _looks_like_conclusion(sentence: str) -> bool:
    return re.match(r"\s*(conclusions?|in conclusion|in summary)\b", sentence) is not None


def is_trial(title: str, abstract: str) -> bool:
    if _TRIAL_PROTOCOL.search(title):
        return False
    if _TRIAL.search(title):
        return True
    head = abstract[: max(600, len(abstract) * 2 // 3)]  # not the closing "future trials"
    return any(not NOT_THIS_STUDY.search(_sentence_at(head, m.start()))
               for m in _TRIAL.finditer(head))  # fmt: skip


def _sentence_at(text: str, position: int) -> str:
    start = text.rfind(". ", 0, position) + 1
    end = text.find(". ", position)
    return text[start : end if end > 0 else len(text)]
