"""How many people a study enrolled or analysed, as its abstract states it, or None.

Better nothing than wrong: the digest prints the number beside the tier, and "120
participants" on a study of 12 misleads. So a count is taken only where a number sits
right before a word for people ("52 cases", "twenty-five Black women", "n = 31"), and is
refused when it is a year ("Between 2007 and 2011 six patients"), a rate ("per
100,000"), a percentage, a population ("592 million people"), a proportion ("one in
seven", "one half of respondents"), a denominator ("53 out of 824") or a subset ("14
of 17 infants"). Counts stated together in one sentence that says who was studied are
summed ("52 cases and 49 controls were enrolled" → 101; "vitamin D (n = 30) or placebo
(n = 23)" → 53); a number between them that is not a count ends the group ("299
individuals ... (15, 30, 60 min)"). Sentences about screening or invitations are
skipped; from a sentence counting the literature ("25 studies with 1,925,964 patients",
"8 studies were included") on, nothing is read. Where the abstract says who was
enrolled, randomised, included or analysed, that number wins over the others; else the
largest count of people stated in a sentence about the study's own sample.

Where the evidence is ambiguous the answer is None: an enrolment verb after things ("50
rats were randomized"), a pool ("Of 113 eligible physicians, 58 ..."), parts from
several sources ("410 from one trial and 753 from another"), other samples named
("50 additional patients"), "n =" for data sources, any noun but a human one in an
abstract that names animals or plants, without an enrolment verb a larger count after
the first or two different sums of groups, "n =" arms of one sentence that are not added
up where they are stated, a count of controls alone, and a sentence whose first count is
"compared with" a sample stated elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tracker.classify.conclusions import split_sentences
from tracker.classify.counts import Count, group_sums
from tracker.classify.numbers import NUMBER, number_value
from tracker.classify.patterns import lazy

_PEOPLE_NOUNS = (
    r"patients|participants|subjects|individuals|adults|children|women|men|males|females"
    r"|volunteers|people|persons|outpatients|inpatients|cases|controls|veterans|residents"
    r"|respondents|infants|neonates|newborns|adolescents|youths|students|pregnancies|mothers"
    r"|survivors|athletes|recipients|workers|nurses|physicians|clinicians|users|smokers"
    r"|employees|caregivers|families|twins|pairs|community-ambulators|responses|donors"
    r"|boys|girls|elderly|healthy controls|pregnant|non-pregnant"
)
# Up to four words between the number and the noun ("63 ALD patients", "24 healthy and
# asthmatic human volunteers"), none of them a number, a unit, a verb or a preposition
# ("1 composite set served as controls") and no comma ("in two experiments, adolescents").
_AFTER = lazy(
    r"\s*(?:\(\s*[^)]{0,40}\)\s*)?(?:(?!(?:and|or|of|in|per|to|mg|kg|years?|months?|weeks?|days?"
    r"|hours?|times|million|billion|thousand|percent|as|at|by|for|from|with|the|were|was|served"
    r"|had|have|are|is|who|that)\b)[a-z][a-z0-9/+-]*\s+){0,4}?"
    rf"(?:{_PEOPLE_NOUNS})\b"
)
_N_EQUALS = lazy(r"\b[nN]\s*=\s*(\d{1,3}(?:,\d{3})+|\d+)\b(?!\.\d)")
# After a number: it is not a head count.
_NOT_A_COUNT_AFTER = lazy(
    r"\s*(%|percent|per\b|‰|[.,]\d|million|billion|thousand|in \d|in (one|two|three|four|five|"
    r"six|seven|eight|nine|ten)\b|(st|nd|rd|th)\b|-?(year|month|week|day|hour|min\b|minute|second)"
    r"|of\s|out of\s"
    r"|half|third|quarter|fifth|times|-fold|fold)"
)
# Before a number: a rate, a proportion ("53 out of 824 patients": the denominator), a
# date, a measurement.
_NOT_A_COUNT_BEFORE = lazy(
    r"(\bper|\bevery|\bsince|\bbetween|\buntil|\bthrough|\byears?|\baged?|\bages|\bage of"
    r"|\bof age|\bmean|\bmedian|\baverage|\bscore|\bp|\bday|\bweek|\bmonth|\bgrade|\bstage"
    r"|\btype|\bphase|\bversion|\bfigure|\btable|\bcd|\bout of|[<>≤≥=±~×])\s*$"
)
# A sentence counting the literature ("25 studies with 1,925,964 patients") is skipped.
_LITERATURE = lazy(
    rf"(?:{NUMBER.pattern}) (randomi[sz]ed |controlled |clinical |published |original |eligible |"
    r"relevant |observational )*(studies|trials|articles|reports|publications|papers|rcts"
    r"|datasets|meta-analyses|reviews)\b|\b(included|identified|retrieved) (\w+ ){0,3}"
    r"(studies|trials|articles|publications)\b"
)
# Every match of _LITERATURE holds one of these: a sentence without them skips the regex.
_LITERATURE_WORDS = (
    "studies", "trials", "articles", "reports", "publications", "papers", "rcts", "datasets",
    "meta-analyses", "reviews",
)  # fmt: skip
# A sentence about a population is skipped unless it says whom the study enrolled.
_POPULATION = lazy(
    r"\b(estimated|prevalence|worldwide|nationwide|globally|each year|annually|every year"
    r"|per year|population of|in the (us|uk|united states|world)|burden)\b"
)
# A number right after these is the pool the sample was drawn from, not the sample.
_SCREENED_BEFORE = lazy(
    r"\b(screened|approached|invited|contacted|assessed for eligibility|identified|eligible)"
    r"\s+(a total of\s+)?$"
)
_LEFT_OUT_AFTER = lazy(
    r"[^.;]{0,60}?\b(refused|declined|excluded|withdrew|dropped out|were lost|lost to|"
    r"did not|were ineligible|disqualified|not eligible|died|were eligible|deemed eligible"
    r"|eligible for|met the (eligibility|inclusion))\b"
)
# "Of 113 eligible physicians, 58 completed the survey": a pool the sample came out of.
_POOL_BEFORE = lazy(r"([^:;]*[:;]\s*)?(out )?of\s+(a total of\s+)?")  # the sentence so far
# "410 patients were included from one trial and 753 from a dataset": parts of a total
# the abstract does not state; better none than one part.
_PARTS_FROM = lazy(
    rf"(?:{NUMBER.pattern})[^.;()]{{0,80}}\b(from|in|at)\b[^.;()]{{0,60}}\band (?:{NUMBER.pattern})"
    r" (from|in|at)\b"
)
# "Their performance was compared with 62 adults and 52 patients", the sentence's first
# count: a second sample, beside one stated elsewhere, so the total is not read.
_COMPARED_BEFORE = lazy(r"\bcompared (with|to)\s+(a total of\s+|the\s+)?$")
_ELIGIBLE = lazy(r"\b(were|was|deemed|considered|being) eligible\b")
# Other samples beside the one counted ("50 additional patients", "replication attempts
# on independent samples"): without a stated enrolled total, the largest count is a part.
_MORE_SAMPLES = lazy(
    r"\b(additional|independent|replication|validation|another|separate) ([\w-]+ ){0,2}?"
    r"(patients|participants|subjects|samples?|cohorts?|individuals|datasets?|populations?)\b"
    r"|\b(replication|validation) (cohort|sample|set|study)\b"
)
_MORE_SAMPLES_WORDS = (
    "additional",
    "independent",
    "replication",
    "validation",
    "another",
    "separate",
)
# "200 (78.7%) were enrolled", "3849 patients underwent randomization".
_ENROLLED_AFTER = lazy(
    r"\s*(\([^)]{0,40}\)\s*)?(?P<words>(\w+[ -]){0,4}?)(were|was|had been|have been)?\s*"
    r"(enrolled|included|randomi[sz]ed|recruited|analy[sz]ed|studied|evaluated|participated"
    r"|underwent randomi[sz]ation|took part|completed the study)\b"
)
_ENROLLED_BEFORE = lazy(
    r"\b(enrolled|included|randomi[sz]ed|recruited|randomly assigned|randomly allocated"
    r"|studied|analy[sz]ed|examined|evaluated|cohort of"
    r"|sample of|study of|data (from|on|of)|charts of|records of|consisted of|comprised"
    r"|comprising|involving|participants:|patients:|subjects:|included were)"
    r"\s+(a total of\s+|the\s+|all\s+)?$"
)
_SUBSET_BEFORE = lazy(
    r"\b(of (these|them|those|whom|which|the)|among (these|them|those)|the latter|the former)"
    r"[\s,]*$"
)
_JOINED_AFTER = lazy(r"\s+[a-z][\w-]*(\s[a-z][\w-]*)?\s*(,|\band\b|\bor\b|\bversus\b)")
# A bare number joined to a head count: "126 participants initiating AC and 121 receiving".
_JOINED_BEFORE = lazy(r"(\band|\bor|,|\bversus|\bvs\.?|\bas well as|\bcompared (to|with))\s*$")
_SINGLE = lazy(
    r"\b(a|an)\s+(\d+|[a-z]+-?)\s*-?\s*(year|month|week|day)s?-old\b"
    r"|\bwe (report|describe|present) (the )?(a |an )?(case|patient)\b"
    r"|\b(a|an|one) ([a-z-]+ ){0,3}(man|woman|boy|girl|patient|infant|child|neonate|recipient"
    r"|male|female|gentleman|lady)\b"
)


# "n =" counts people unless it follows a word for things.
_THINGS_BEFORE = lazy(
    r"\b(samples?|specimens?|tissues?|cells?|biopsies|biopsy|teeth|tooth|eyes?|lesions?|tumou?rs?"
    r"|sites?|images?|scans?|vertebrae|segments?|sequences?|strains?|isolates?|animals|rats|mice"
    r"|plants?|genes?|variants?|studies|trials|articles|hospitals|clinics|centres|centers"
    r"|interviews|focus groups|notes|diaries|observations|workshops|homes|schools|practices"
    r"|wards|units|visits|sessions|questionnaires|surveys|records|charts|cycles|procedures)\b"
)
_PEOPLE_BEFORE = lazy(rf"\b({_PEOPLE_NOUNS})\b")
# An abstract that names animals or plants twice or more is (also) about them: there
# "40 males", "12 controls" or "n = 8" may be rats or ospreys, so only nouns no animal
# bears count.
_ANIMALS = lazy(
    r"\b(rats?|mice|mouse|murine|rodents?|dogs?|canine|pigs?|piglets|porcine|sheep|ovine"
    r"|cattle|cows?|bovine|horses?|equine|rabbits?|monkeys?|primates|macaques?|birds?"
    r"|ospreys?|fish|zebrafish|chickens?|animals?|plants?|cultivars?|seedlings?)\b"
)
_HUMAN_AFTER = lazy(
    r"\s*(?:\(\s*[^)]{0,40}\)\s*)?(?:[a-z][a-z0-9/+-]*\s+){0,4}?(patients|participants"
    r"|volunteers|people|persons|outpatients|inpatients|veterans|respondents|adults|children"
    r"|women|men|infants|adolescents|students|individuals|humans)\b"
)


def participants(abstract: str | None, case_report: bool = False) -> int | None:
    """The total a study enrolled or analysed, or None. `case_report`: the study is a
    case report, so a lone patient ("a 58-year-old woman") counts as one."""
    if not abstract:
        return None
    text = " ".join(abstract.split())
    lower = text.lower()
    known: list[bool] = []

    def animals() -> bool:  # asked only where a count of people or an "n =" is found
        if not known:
            known.append(len(_ANIMALS.findall(lower)) >= 2)
        return known[0]

    by_sentence: list[list[Count]] = []
    for sentence in split_sentences(text):  # it reads capitals: lower case after
        sentence = sentence.lower()
        if NUMBER.search(sentence):  # most sentences state no number at all
            if _counts_literature(sentence):
                break  # "8 studies were included. The participants (n = 355)": a pool from here on
            found = _sentence_counts(sentence, animals)
            if found is None:
                return None
            if found:
                by_sentence.append(found)
    counts = [c for found in by_sentence for c in found]
    enrolled = [c for c in counts if c.enrolled]
    if enrolled:
        return _whole(max(enrolled, key=lambda c: c.value))
    if counts:
        return _plain_total(by_sentence, lower)
    if case_report and _SINGLE.search(lower):
        return 1
    return None


def _plain_total(by_sentence: list[list[Count]], lower: str) -> int | None:
    """No count is said to be enrolled: the largest count of people, if nothing says
    it is a part. The sample is stated before its subsets, so a larger count in a later
    sentence, or group sizes added up to two different totals in two sentences, leave
    the total unclear; so do other samples named beside it."""
    best = max((c for found in by_sentence for c in found), key=lambda c: c.value)
    if max(c.value for c in by_sentence[0]) != best.value:
        return None
    if len({c.value for found in by_sentence for c in found if c.summed}) > 1:
        return None
    if any(word in lower for word in _MORE_SAMPLES_WORDS) and _MORE_SAMPLES.search(lower):
        return None
    return _whole(best)


def _whole(count: Count) -> int | None:
    """ "urine samples from 15 poorly controlled patients and 25 healthy controls": a
    count of controls alone is one side of a comparison whose other side was missed."""
    return None if count.controls and not count.summed else count.value


def _counts_literature(text: str) -> bool:
    return any(word in text for word in _LITERATURE_WORDS) and bool(_LITERATURE.search(text))


def _never() -> bool:
    return False


def _sentence_counts(text: str, animals: Callable[[], bool] = _never) -> list[Count] | None:
    """The head counts one sentence states, and the sum of group sizes stated together;
    None when the sentence shows the total is not stated (parts from several sources)."""
    text = _blank_breakdowns(text)
    numbers = [c for c in _numbers(text, animals) if 0 < c.value < 5_000_000]
    found = [c for c in numbers if c.people or c.enrolled]
    if not found:
        return []
    if _PARTS_FROM.search(text) or _COMPARED_BEFORE.search(text, 0, found[0].start):
        return None
    if _ELIGIBLE.search(text):  # "... were deemed eligible": a pool, unless enrolled
        found = [c for c in found if c.enrolled]
    if _POPULATION.search(text) and not any(c.enrolled for c in found):
        return []
    if found and "%" not in text:
        found += group_sums(numbers, text)
    arms = [c for c in found if c.n_equals]
    if len(arms) > 1 and not any(
        c.summed and c.start <= arms[0].start and c.end >= arms[-1].end for c in found
    ):
        return None  # "(RCVA: n = 24, LCVA: n = 24) stroke and controls (n = 24)": unclear
    return found


def _blank_breakdowns(text: str) -> str:
    """ "eight (two transplanted and six nontransplanted) patients": a parenthesis right
    after a number splits a count already given; its numbers are blanked (positions kept)."""
    if "(" not in text:
        return text
    for match in NUMBER.finditer(text):
        paren = _BREAKDOWN.match(text, match.end())
        if paren:
            start, end = paren.start() + paren.group(0).index("("), paren.end()
            text = text[:start] + " " * (end - start) + text[end:]
    return text


_BREAKDOWN = lazy(r"(\s+[a-z][\w-]*){0,3}?\s*\([^()]*\d[^()]{0,200}\)")


def _numbers(text: str, animals: Callable[[], bool] = _never) -> list[Count]:
    """Numbers that are head counts, or may be (a bare group size after "and")."""
    out = []
    for match in NUMBER.finditer(text):
        if _NOT_A_COUNT_AFTER.match(text, match.end()) or (
            match.start() > 0 and text[match.start() - 1] in ".-/:"
        ):
            continue  # cheapest first: most numbers are statistics, doses, decimals, ranges
        noun = _AFTER.match(text, match.end())
        people = noun is not None
        if people and animals():
            people = _HUMAN_AFTER.match(text, match.end()) is not None
        enrolled = _is_enrolled(text, match, people)
        if not (people or enrolled or _joined(text, match)):
            continue  # cheap tests first: most numbers are doses, years, statistics
        value = number_value(match.group(0))
        if value is not None and not _refused(text, match, value, people):
            controls = noun is not None and noun.group(0).endswith("controls")
            out.append(Count(value, match.start(), match.end(), people, enrolled, False, controls))
    if "=" in text and not animals():
        out += _n_equals(text)
    return sorted(out, key=lambda c: c.start)


def _n_equals(text: str) -> list[Count]:
    """ "vitamin D (n = 30) or placebo (n = 23)". A sentence that also gives "n =" for
    things ("staff interviews (n = 49), focus groups (n = 3)") lists data sources, not
    arms: none of its "n =" is taken."""
    out = []
    for match in _N_EQUALS.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if _THINGS_BEFORE.search(before) and not _PEOPLE_BEFORE.search(before):
            return []  # "samples (n = 10)", "vertebrae (n = 119)": not people
        if not _NOT_A_COUNT_AFTER.match(text, match.end()):
            value = int(match.group(1).replace(",", ""))
            out.append(Count(value, match.start(), match.end(), True, False, n_equals=True))
    return out


def _joined(text: str, match: re.Match[str]) -> bool:
    return bool(
        _JOINED_BEFORE.search(text, max(0, match.start() - 16), match.start())
        or _JOINED_AFTER.match(text, match.end())
    )


def _is_enrolled(text: str, match: re.Match[str], people: bool) -> bool:
    """ "200 (78.7%) were enrolled"; "we enrolled 52 patients" (the noun is needed here:
    "comprising three strands" is not a sample)."""
    after = _ENROLLED_AFTER.match(text, match.end())
    if after and (people or not after.group("words").strip()):
        return True  # "50 rats were randomised", "17 care homes participated": not people
    return (
        people
        and _ENROLLED_BEFORE.search(text, max(0, match.start() - 30), match.start()) is not None
    )


def _refused(text: str, match: re.Match[str], value: int, people: bool) -> bool:
    """(_numbers has already refused a percentage, a rate or a decimal after the number,
    and a decimal, range or ratio before it.)"""
    before = text[max(0, match.start() - 30) : match.start()]
    if _NOT_A_COUNT_BEFORE.search(before):
        return True
    if 1900 <= value <= 2100 and "," not in match.group(0):
        return True  # a year
    if _is_enrolled(text, match, people):
        return False  # "of these, 200 (78.7%) were enrolled because 23 refused"
    if _SCREENED_BEFORE.search(before) or _LEFT_OUT_AFTER.match(text, match.end()):
        return True
    if match.start() < 60 and _POOL_BEFORE.fullmatch(text, 0, match.start()):
        return True
    return _SUBSET_BEFORE.search(before) is not None
