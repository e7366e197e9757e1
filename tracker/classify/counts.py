"""A number read as a head count, and group sizes stated together added up.

"52 cases and 49 controls", "22 HFpEF, 17 HFmrEF and 15 HFrEF patients as well as 19
controls", "vitamin D (n = 30) or placebo (n = 23)": runs of counts joined by "and",
"or", commas, "versus" or "as well as", at least one followed by a word for people,
are the arms of one sample (tracker.classify.sample_size decides which sum is the total).
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.classify.patterns import lazy


@dataclass(frozen=True)
class Count:
    value: int
    start: int
    end: int
    people: bool  # a word for people follows (or "n =" precedes)
    enrolled: bool  # said to be enrolled, randomised, included or analysed
    summed: bool = False  # group sizes stated together, added up
    controls: bool = False  # "25 healthy controls": one side of a comparison
    n_equals: bool = False  # "(n = 24)"


# Group sizes stated together: "22 HFpEF, 17 HFmrEF and 15 HFrEF patients as well as 19…".
_GROUP_GAP = lazy(
    r"^[^%;]{0,90}?(\band\b|\bor\b|,|\bversus\b|\bvs\b\.?|\bas well as\b|\bplus\b"
    r"|\bcompared (to|with)\b)[^%;]{0,25}$"
)
_NOT_A_GROUP = lazy(
    r"\b(who|whom|which|latter|former|these|those|among|including|but|while|whereas|were"
    r"|was|underwent|received|had|have|has|are|is|did|completed|showed|developed"
    r"|randomi[sz]ed|enrolled|included|recruited|analy[sz]ed|assigned)\b"
)

_DIGIT = lazy(r"\d")
_ASIDE = lazy(r"\([^()]*\)")  # "30 patients (mean age 13.6) compared with 20 controls"


def group_sums(numbers: list[Count], text: str) -> list[Count]:
    """Runs of counts joined by "and", "or", commas, "versus" or "as well as", at least
    one of them followed by a word for people, add up: "52 cases and 49 controls"."""
    members = numbers  # only head counts and joined numbers were kept
    sums = []
    run = members[:1]
    for previous, current in zip(members, members[1:], strict=False):
        gap = " ".join(text[previous.end : current.start].split())
        if (
            _GROUP_GAP.match(gap)
            and not _NOT_A_GROUP.search(gap)
            and not gap.endswith(" of")
            and not _DIGIT.search(_ASIDE.sub("", gap))  # "299 individuals ... (15, 30, 60 min)"
        ):
            run.append(current)
            continue
        sums += _run_sum(run)
        run = [current]
    sums += _run_sum(run)
    return sums


def _run_sum(run: list[Count]) -> list[Count]:
    if len(run) < 2 or not any(c.people for c in run):
        return []
    enrolled = any(c.enrolled for c in run)
    return [Count(sum(c.value for c in run), run[0].start, run[-1].end, True, enrolled, True)]
