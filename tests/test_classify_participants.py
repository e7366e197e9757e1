"""Participants: the total a study enrolled or analysed, or None rather than a wrong number.

Sentences in CRAFTED are crafted (written for the test in the words abstracts use); the rest
are real abstracts from tests/data/pubmed-samples (TUNING part), whose labelled totals
are in tests/data/classify/participants.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tracker.classify import classify, participants

ROOT = Path(__file__).resolve().parents[1]
LABELS = ROOT / "tests" / "data" / "classify" / "participants.json"

CRAFTED = [
    # (crafted abstract, case report?, expected)
    ("52 cases and 49 controls were enrolled.", False, 101),
    ("Patients received baclofen (n = 7) or placebo (n = 7).", False, 14),
    ("Between 2007 and 2011 six patients were treated with baclofen.", False, 6),
    ("Restless legs affect 5 per 100,000 people each year.", False, None),
    ("In 2019, 592 million people lived in the region.", False, None),
    ("It is estimated that one in seven individuals is affected.", False, None),
    ("Approximately one half of respondents agreed.", False, None),
    ("Symptoms improved in 45% of the 30 patients enrolled.", False, 30),
    ("We screened 254 patients; of these, 200 (78.7%) were enrolled.", False, 200),
    ("Twenty-five women and fifteen healthy controls were recruited.", False, 40),
    ("One hundred ninety-six patients received treatment.", False, 196),
    ("Twenty-five studies with 1,925,964 patients were included.", False, None),
    ("Forty rats received baclofen and 12 mice received saline.", False, None),
    ("We report a 45-year-old woman with restless legs.", True, 1),
    ("We report a 45-year-old woman with restless legs.", False, None),
    ("Baclofen reduced symptoms.", False, None),
    # An enrolment verb after things, not people.
    ("Fifty rats were randomized into five groups.", False, None),
    ("The remaining 2 groups were randomized to treatment.", False, None),
    ("Seventeen care homes participated.", False, None),
    # A comma between the number and the people noun.
    ("In two experiments, adolescents learnt the task.", False, None),
    # The pool a sample came out of; parts of a total the abstract does not state.
    ("Of 113 (51%) eligible physicians, 58 completed the survey.", False, None),
    ("Of 60 patients randomised, 52 completed the study.", False, 60),
    ("A total of 410 patients were included from one trial and 753 from a registry.", False, None),
    ("We tested 50 patients; 50 additional patients were tested later.", False, None),
    # "n =" in a list of data sources, not arms.
    (
        "Staff interviews (n = 49), focus groups (n = 3) and diaries (n = 28) were read.",
        False,
        None,
    ),
    # Animals named: only nouns no animal bears count.
    ("Forty males and 40 females were studied; rats and mice were housed apart.", False, None),
    ("Sixty patients were randomised; tissue from rats and mice was studied.", False, 60),
    # Two incompatible totals, no enrolment verb: a later, larger count; two group sums.
    ("In all 11 naive patients the load fell. In 12 patients who switched, it fell.", False, None),
    (
        "Scores of 40 men and 30 women rose. They were compared with 20 men and 25 women.",
        False,
        None,
    ),
    ("Forty men and 30 women took the test. Ten men failed.", False, 70),
    # Eligible is not enrolled.
    ("A total of 259 individuals and 2967 controls were deemed eligible.", False, None),
    # Rules 2026.3. A denominator is not a total; nor is a numerator with it.
    ("A total of 53 out of 824 (6.43%) patients had a second tumour.", False, None),
    # Time points after a count are not more people.
    (
        "Plasma from 299 individuals was sampled at fasting and later (15, 30, 60, 240 min).",
        False,
        299,
    ),
    # Controls alone: the cases beside them were not read as a count.
    (
        "Urine from 15 poorly controlled type 2 diabetes patients and 25 healthy controls.",
        False,
        None,
    ),
    # Arms given as "n =" but not added up where they are stated.
    (
        "A control group (n=14; age=59.9 years) and a stroke group (n=14; age=63.2 years).",
        False,
        None,
    ),
    # From a sentence that counts the literature on, counts are the literature's.
    (
        "Eight studies were included in this review. The participants (n = 355) were adults.",
        False,
        None,
    ),
    ("We saw 3 of 11 patients with fibrosis. We identified 25 articles on it.", False, 11),
    # A sample compared with one stated elsewhere; a sample compared within the sentence.
    ("We examined older adults. They were compared with 62 adults and 52 patients.", False, None),
    ("30 patients (mean age 13.6 years) compared with 20 healthy controls.", False, 50),
]


@pytest.mark.parametrize(("abstract", "case_report", "expected"), CRAFTED)
def test_crafted_sentences_give_the_total_or_nothing(abstract, case_report, expected):
    assert participants(abstract, case_report=case_report) == expected


def test_animals_and_reviews_have_no_participants_and_single_case_is_a_case_report():
    rats = "Forty rats were randomly assigned to baclofen or vehicle; 12 died."
    assert (
        classify("Baclofen in rats", rats, ["Journal Article"], ["Animals", "Rats"]).participants
        is None
    )
    review = "We review 40 trials in 5,000 patients."
    assert classify("Baclofen: a review", review, ["Review"], []).participants is None
    one = "A 45-year-old woman developed restless legs."
    assert classify("A case", one, ["Case Reports"], []).participants == 1
    assert classify("A cohort", one, ["Journal Article"], ["Cohort Studies"]).participants is None


def test_real_tuning_abstracts_give_their_labelled_totals():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from classify_split import sample_records

    wanted = {  # pmid: what the abstract states (hand-labelled)
        31482638: 48,  # Twenty four anovulatory women … compared to 24 control women
        38878148: 73,  # 22 HFpEF, 17 HFmrEF and 15 HFrEF patients as well as 19 volunteers
        26516810: 247,  # 126 participants … and 121 receiving
        30073290: 200,  # approached 254; of these, 200 were enrolled
        26695847: 6,  # "Between 2007 and 2011 six patients"
        31418853: 228,  # "A total of 228 responses" (and "one half of respondents")
        31967741: 10,  # eight (two … and six …) patients, and two age-matched controls
        33856845: None,  # a systematic review's literature pool
        22333284: None,  # "Fifty rats were randomized"
        29226023: None,  # porcelain chips; "1 composite set served as controls"
        26482282: None,  # "In two experiments, adolescents learnt"
        26801232: None,  # "staff interviews (n = 49), focus groups (n = 3)"
        24349601: None,  # "(n=2,545)" and "replication attempts on independent samples"
    }
    labels = {r["pmid"]: r for r in json.loads(LABELS.read_text("utf-8"))}
    got = {}
    for _file, article in sample_records():
        if article.pmid in wanted:
            assert labels[article.pmid]["part"] == "tuning"
            assert labels[article.pmid]["participants"] == wanted[article.pmid]
            got[article.pmid] = classify(
                article.title, article.abstract, ["Journal Article"], [], "Publisher"
            ).participants
    assert got == wanted
