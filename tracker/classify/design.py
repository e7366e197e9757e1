"""The study design title and abstract suggest: what a record gets before MEDLINE indexes it.

Rules, tested in order; the first that fires wins. A false "randomised trial" or
"systematic review" misleads a reader most, so those two need the study itself to say so
("we randomly assigned", "we searched MEDLINE"), never a mention ("will require a
randomized trial", "a previous meta-analysis", "how to conduct a systematic review").
The design words are those of the Cochrane Highly Sensitive Search Strategy for trials
(randomized, placebo, randomly, trial, double-blind, crossover) and of the usual
observational designs (cohort, case-control, cross-sectional, retrospective, registry,
survey, qualitative interviews). How often the result agrees with indexing, on real
records held out from tuning, is measured by benchmarks/classify_agreement.py
(benchmarks/CLASSIFY.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from tracker.classify.patterns import lazy
from tracker.classify.trials import NOT_THIS_STUDY, is_rct, is_trial

# Patterns are lower case and run over lower-cased text: faster than IGNORECASE.

# --- notices, letters and guidelines: from the title ---------------------------------
_ERRATUM = lazy(
    r"^\s*(\[?(correction|erratum|corrigendum|errata|retraction|retracted|withdrawn|"
    r"notice of retraction|expression of concern)\b|correction to\b|erratum (to|for|in)\b)"
    r"|\b(erratum|corrigendum)\b"
)
_LETTER_TITLE = lazy(
    r"^\s*(re:|reply\b|response\b|in response\b|in reply\b|author'?s'? reply|letter\b"
    r"|comment\b|comments on\b|commentary\b|editorial\b|correspondence\b|a reply\b)"
    r"|\binvited (editorial|commentary)\b|\b(letter to the editor|reply to|response to "
    r"(the )?(letter|comment|editorial|commentary|correspondence|critique|reviewers?)"
    r"|comment on|commentary on)\b"
)
_GUIDELINE = lazy(
    r"\bguidelines?\b|\bconsensus (statement|recommendations?|conference|report|document"
    r"|guidance|paper)|\bpractice (parameter|advisory|guidance)|\bposition (statement|paper)"
    r"|\bexpert (consensus|panel recommendations?)|\bdelphi consensus"
    r"|\brecommendations (of|from|for) the\b|\bscientific statement\b"
)
_GUIDELINE_SUMMARY = lazy(r"^\s*(summary of|review of|appraisal of|adherence to|implementation)")
# --- systematic reviews ------------------------------------------------------------------
_SR_NAME = lazy(
    r"\bsystematic(ally)?\s+(literature\s+|scoping\s+|critical\s+)?review|\bmeta-?\s?analy"
    r"|\bumbrella review|\bpooled analysis of (randomi|trials|studies)|\bcochrane review"
)
_SR_HOWTO = lazy(
    r"\bhow to\b|\bguide (to|for)\b|\bprimer\b|\btutorial\b|\bprotocol\b|\bstep[- ]by[- ]step"
    r"|\bintroduction to\b|\bconduct(ing)? (a|an) (systematic|meta)|\bwriting (a|an)\b"
    r"|\bmethodolog"
)
_SR_SEARCHED = lazy(
    r"\b(searched|search of|search was|searches of|databases?|medline|embase|pubmed|web of"
    r" science|scopus|cinahl|psycinfo|cochrane (library|central)|prisma|pooled|"
    r"random[- ]effects?|studies (were|met) (included|eligible)|trials were included|"
    r"(studies|trials|articles) (were )?(included|identified|met))\b"
)
# --- case reports -----------------------------------------------------------------------
_CASE_TITLE = lazy(
    r"\bcase (report|series|study|presentation)s?\b|\b(a|one|two|three|four|five|rare|unusual"
    r"|first|unique|fatal) (rare |unusual )?cases? of\b|\bcases? report|\bin an? (\d+|"
    r"[a-z]+)-year-old\b|\breport of (a|an|two|three|four|\d+) (cases?|patients?|famil)"
    r"|: a case\b|\bin a (young |pediatric |paediatric |kidney |renal |liver |heart )?"
    r"(transplant )?(patient|man|woman|boy|girl|child|infant|neonate|recipient)\b"
)
_CASE_TEXT = lazy(
    r"\bcase (report|series)\b|\bwe (report|describe|present|discuss) (the )?(a|an|two|three|"
    r"four|five|six|seven|\d+|first|rare|unusual|unique) (rare |unusual |unique |novel )?"
    r"(cases?|patients?|(\d+|[a-z]+)-year-old|(young |elderly |middle-aged )?(wo)?m[ae]n|"
    r"boys?|girls?|child(ren)?|infants?|neonates?|famil(y|ies)|siblings|brothers|sisters"
    r"|male|female|recipients?)\b|\b(an?|one) (\d+|[a-z]+)[ -]years?[ -]old\b"
    r"|\bwe (report|present|describe) (the )?case\b|\bhere,? we (report|present|describe) "
    r"(a|an|the case)\b|\bthis case\b|\b(a|the) rare case\b"
)
_NOT_A_CASE = lazy(
    r"\bwe (report|describe|present) (a|an|the|our) (\w+ ){0,3}(cohort|study|analysis|"
    r"series of \d{2,}|trial|survey|review|results|experience|findings|data|outcomes|model|"
    r"method|framework|approach|tool|system)"
)
# --- observational -------------------------------------------------------------------------
_OBSERVATIONAL = lazy(
    r"\bcohort\b|\bcase-?\s?control\b|\bcross-?\s?sectional\b|\bretrospective(ly)?\b"
    r"|\bprospective(ly)?\b|\bobservational\b|\bregistry\b|\bregistries\b|\bpopulation-based\b"
    r"|\bsurvey(ed|s)?\b|\bquestionnaires?\b|\bchart review|\bmedical records\b|\bhealth records"
    r"|\blongitudinal\b|\bfollow-up study\b|\bqualitative\b|\bsemi-?\s?structured\b"
    r"|\bfocus groups?\b|\bin-depth interviews?\b|\bthematic(ally)? analy|\binterviews? (were|with)"
    r"|\bmixed-?\s?methods?\b|\bdatabase study\b|\bclaims data|\bnationwide\b"
    r"|\bsecondary analysis\b|\bwe (reviewed|analy[sz]ed|examined|studied|enrolled|included"
    r"|recruited|surveyed|interviewed) (the )?(data|records|charts|\d+|[a-z]+ (patients|"
    r"participants|women|men|children|adults|individuals))"
    r"|\b(patients|participants|subjects|individuals|women|men|children|adults|volunteers)"
    r" (were|was) (enrolled|included|recruited|studied|evaluated|assessed|followed)"
    r"|\bprevalence\b|\bincidence\b|\bodds ratio|\bhazard ratio|\breliability\b|\bvalidity\b"
)
# --- reviews -------------------------------------------------------------------------------
_REVIEW = lazy(
    r"\b(this|our|the present|the current|narrative|literature|brief|mini-?|short|"
    r"comprehensive|critical|scoping|integrative|state-of-the-art|historical|clinical|"
    r"updated) review\b|\bwe (review|summari[sz]e|discuss|highlight|overview|outline|"
    r"describe (the|recent|current)|examine the (literature|evidence))\b|\bpurpose of review"
    r"|\breview of the (literature|evidence|current)|\b(this|the) (article|paper|chapter|"
    r"review|work) (reviews|discusses|summari[sz]es|describes|provides|highlights|focuses|"
    r"presents|explores|examines|outlines|aims)|\b(are|is) (reviewed|summari[sz]ed)\b"
    r"|\brecent (advances|progress|developments|findings|literature)\b|\bhere,? we (review|"
    r"discuss|summari[sz]e|highlight)\b|\bin this (review|article|paper|chapter)\b"
    r"|\bthe focus of this review\b|\bthis review\b|\b(will|shall) (review|discuss|summari[sz]e|"
    r"highlight|describe|focus)\b|\bwe (provide|present|offer) (an? )?(overview|summary|update|"
    r"perspective|synthesis)"
    r"|\bcurrent (knowledge|understanding|evidence|status|state)\b|\bthis (paper|article) "
    r"(will|also)\b"
)
# Titles that name a review whatever the abstract says.
_REVIEW_TITLE_STRONG = lazy(
    r"\breview\b|\boverview\b|\bstate of the art\b|\bupdate (on|in)\b|\bcurrent concepts"
    r"|\bperspectives?\b|\bprimer\b|\b(advances|progress|developments|trends) in\b"
    r"|\bcurrent (progress|management|status|understanding|evidence|knowledge|treatment|"
    r"perspectives?|concepts)|\bin perspective\b|\bprospects\b|\bhow to\b|\bguide to\b"
)
_NOT_REVIEW_TITLE = lazy(
    r"\b(chart|record|retrospective|case|peer) review|\breview of (\d|charts|records)"
)
# What only a report of new data says: statistics, doses given, results measured.
_PRIMARY = lazy(
    r"\bp\s?[<=>≤]|\b95\s?%|\bconfidence interval|\bodds ratio|\bhazard ratio|\bmg/kg"
    r"|\bwe (found|observed|measured|demonstrate[d]?|show(ed)?|report(ed)? here|determined"
    r"|identified|isolated|characteri[sz]ed|examined|investigated|tested|assessed|evaluated"
    r"|compared|enrolled|recruited|analy[sz]ed|performed|used|treated|exposed|generated)\b"
    r"|\b(were|was) (treated|exposed|fed|administered|injected|given|dosed|randomi[sz]ed"
    r"|measured|determined|assayed|incubated|isolated|purified|cultured|analy[sz]ed|"
    r"examined|assessed|evaluated|enrolled|recruited|compared)\b|\b(significantly|"
    r"statistically) |\bn\s?=\s?\d|\b(increased|decreased|reduced|elevated) (by|to) \d"
)
_REVIEW_TITLE = lazy(
    r"\breview\b|\boverview\b|\bstate of the art\b|\bupdate on\b|\bupdates? in\b"
    r"|\bcurrent concepts|\bperspectives?\b|\b(advances|progress|developments|trends) in\b"
    r"|\bprimer\b|\bhow to\b|\bguide to\b|\ban introduction\b|\bwhat (is|are|we know)\b"
    r"|\bcurrent (management|status|understanding|evidence|knowledge|treatment)"
    r"|\bmanagement of\b|\bchallenges\b|\bimplications\b|\bemerging\b"
)
# --- preclinical --------------------------------------------------------------------------
_ANIMAL = lazy(
    r"\b(rats?|mice|mouse|murine|rodents?|zebrafish|drosophila|rabbits?|hamsters?|"
    r"monkeys?|macaques?|primates?|pigs?|piglets|swine|porcine|bovine|canine|feline|ovine|"
    r"equine|dogs|cats|sheep|horses|cattle|cows|chickens?|guinea pigs?|c\. elegans|yeast|"
    r"saccharomyces|escherichia|e\. coli|xenopus|in vitro|cell lines?|cultured (cells|neurons"
    r"|hepatocytes)|slice preparations?|knock-?out|transgenic|xenografts?|organoids?|"
    r"sprague-dawley|wistar|c57bl|hepatocytes|fibroblasts|microsom\w*|plasmids?|"
    r"birds?|fish|ospreys?|insects?|mosquito\w*|plants?|seedlings?|leaves|crops?|rye|wheat"
    r"|arabidopsis|bacteria\w*|strains?|isolates?|enzymes?|purified|recombinant|assays?|"
    r"in silico|simulations?|phantoms?|crystal structure|nmr|spectroscop\w*|synthesis|"
    r"synthesi[sz]ed|compounds?|ligands?|nanoparticles?|catalys\w*|polymers?)\b"
)
_HUMAN = lazy(
    r"\b(patients?|participants?|volunteers?|women|men|children|adults|outpatients?|"
    r"inpatients?|infants|adolescents|respondents|subjects|individuals|people|persons|"
    r"pregnan\w+|cases|clinical|clinicians|physicians|nurses|students|veterans|humans?)\b"
)
_HUMAN_STUDY = lazy(
    r"\b(patients?|participants?|volunteers?|women|men|children|adults|subjects|individuals"
    r"|respondents|infants|adolescents|students|persons|people) (were|was|with|who|aged|"
    r"underwent|received|completed|participated|enrolled|recruited|included)\b"
    r"|\b(enrolled|recruited|included|studied|interviewed|surveyed|examined|evaluated)"
    r" (\d+|[a-z]+-?[a-z]*) (\w+ ){0,3}(patients|participants|women|men|children|adults"
    r"|subjects|individuals|volunteers|respondents)"
)
# Abstracts reporting new data say this; expository ones do not.
_DATA = lazy(
    r"\d\s?%|\bp\s?[<=>]|\bwe (found|observed|measured|enrolled|included|recruited|examined|"
    r"analy[sz]ed|investigated|show(ed)?|demonstrate[d]?|report|identified|evaluated|"
    r"assessed|compared|tested|determined|developed|used)\b|\bresults?\b|\bsignificant(ly)?\b"
    r"|\bwere (examined|measured|studied|assessed|analy[sz]ed|compared|recruited|enrolled)"
    r"|\bconfidence interval|\b95%|\bmethods?:"
)


# Several rules ask the same question of one abstract; each answer is kept for the
# last few abstracts (the lower-cased string caches its own hash, so a lookup is cheap).
@lru_cache(maxsize=4)
def _human_study(abstract: str) -> bool:
    return _HUMAN_STUDY.search(abstract) is not None


@lru_cache(maxsize=4)
def _data(abstract: str) -> bool:
    return _DATA.search(abstract) is not None


@lru_cache(maxsize=4)
def _primary(abstract: str) -> int:
    return len(_PRIMARY.findall(abstract))


def text_tier(title: str | None, abstract: str | None) -> str:
    """The tier title and abstract suggest: the rules a new, unindexed record gets."""
    t = " ".join((title or "").lower().split())
    a = " ".join((abstract or "").lower().split())
    text = f"{t}\n{a}"
    steps: tuple[tuple[str, Callable[[], object]], ...] = (
        ("other", lambda: _ERRATUM.search(t)),
        ("commentary", lambda: _is_letter(t, a)),
        ("guideline", lambda: _is_guideline(t, a)),
        ("systematic_review", lambda: _is_systematic_review(t, a)),
        ("case_report", lambda: _CASE_TITLE.search(t) and not _OBSERVATIONAL_TITLE.search(t)),
        ("preclinical", lambda: _animal_title(t) and not _human_study(a)),
        ("rct", lambda: is_rct(t, a)),
        ("narrative_review", lambda: _is_review(t, a)),
        ("preclinical", lambda: _lab_without_abstract(t, a) or _is_preclinical(t, a)),
        ("clinical_trial", lambda: is_trial(t, a)),
        ("case_report", lambda: _is_case_report(a)),
        ("observational", lambda: _OBSERVATIONAL.search(text)),
        ("commentary", lambda: not a),
        ("observational", lambda: _human_study(a) and _data(a)),
        ("preclinical", lambda: _data(a) and not _HUMAN.search(text)),
        ("narrative_review", lambda: not _data(a)),
        ("observational", lambda: _HUMAN.search(text)),
    )
    return next((tier for tier, fires in steps if fires()), "other")


_OBSERVATIONAL_TITLE = lazy(
    r"\bcohort\b|\bretrospective\b|\bregistry\b|\bcase-control\b|\bsurvey\b"
)


def _is_letter(title: str, abstract: str) -> bool:
    """A reply or comment by its title, unless its abstract reports an experiment
    ("Response to baclofen after stroke in rats")."""
    if not _LETTER_TITLE.search(title):
        return False
    if not abstract:
        return True
    return len(abstract) < 1500 and not _primary(abstract) and not _ANIMAL.search(title)


def _is_guideline(title: str, abstract: str) -> bool:
    if _SR_NAME.search(title) or _GUIDELINE_SUMMARY.search(title):
        return _GUIDELINE_SUMMARY.search(title) is not None and "summary of" in title
    if _GUIDELINE.search(title):
        return not re.search(r"\b(adherence|compliance|concordance|implementation)\b", title)
    return bool(
        re.search(r"\b(this|these|the present|our) (guideline|consensus statement|"
                  r"recommendations)\b", abstract[:600])
    )  # fmt: skip


def _is_systematic_review(title: str, abstract: str) -> bool:
    """Named in the title, or in the abstract together with how it searched; never a
    guide to doing one, a protocol, or a mention of someone else's."""
    if _SR_HOWTO.search(title):
        return False
    if _SR_NAME.search(title):
        return True
    for match in _SR_NAME.finditer(abstract):
        before = abstract[max(0, match.start() - 60) : match.start()]
        if re.search(r"\b(this|we|our|present|current|a|performed|conducted|undertook)\b",
                     before) and not NOT_THIS_STUDY.search(before):  # fmt: skip
            return _SR_SEARCHED.search(abstract) is not None and not _SR_HOWTO.search(before)
    return False


def _is_preclinical(title: str, abstract: str) -> bool:
    """Animals, cells or molecules and no people studied. "Patients" in the background
    sentence of a rat study do not make it human; people enrolled do."""
    if not _ANIMAL.search(title) and not _ANIMAL.search(abstract):
        return False
    if _human_study(abstract):
        return False
    if abstract and not (_primary(abstract) or _data(abstract)
                         or _PAST_FINDINGS.search(abstract)):  # fmt: skip
        return False  # expository, in the present tense: a review of laboratory science
    if _ANIMAL.search(title):
        return not _HUMAN.search(title) or _animal_score(abstract) > 2
    return not _HUMAN.search(abstract) or _animal_score(abstract) > 2 * _human_score(abstract)


# Reports of experiments are told in the past tense; reviews mostly in the present.
_PAST_FINDINGS = lazy(
    r"\b(was|were) (\w+ )?[a-z]+(ed|en)\b|\b(increased|decreased|induced|inhibited|reduced"
    r"|enhanced|produced|caused|showed|revealed|resulted|exhibited|elicited|abolished)\b"
)


def _animal_title(title: str) -> bool:
    return (
        bool(_ANIMAL_TITLE.search(title))
        and not _HUMAN.search(title)
        and not (_REVIEW_TITLE_STRONG.search(title))
    )


_ANIMAL_TITLE = lazy(
    r"\b(rats?|mice|mouse|murine|rodents?|zebrafish|drosophila|rabbits?|hamsters?|monkeys?"
    r"|macaques?|pigs?|piglets|swine|porcine|bovine|canine|feline|ovine|equine|dogs|cats|sheep"
    r"|horses|cattle|cows|chickens?|guinea pigs?|in vitro|cell lines?|yeast|bacteria\w*)\b"
)


def _animal_score(text: str) -> int:
    return len(_ANIMAL.findall(text))


def _human_score(text: str) -> int:
    return len(_HUMAN.findall(text))


def _is_case_report(abstract: str) -> bool:
    head = abstract[:900]
    return bool(_CASE_TEXT.search(head)) and not _NOT_A_CASE.search(head)


def _is_review(title: str, abstract: str) -> bool:
    """Named a review in the title, or an abstract that surveys instead of reporting."""
    primary = _primary(abstract)
    if _REVIEW_TITLE_STRONG.search(title) and not _NOT_REVIEW_TITLE.search(title):
        return primary < 4
    if _REVIEW.search(abstract) and not _human_study(abstract):
        return primary < 3
    return bool(_REVIEW_TITLE.search(title)) and primary == 0 and not _data(abstract)


# An old record without an abstract: a laboratory title is laboratory work.
_LAB_TITLE = lazy(
    r"\b(receptors?|enzymes?|synthetase|reductase|dehydrogenases?|kinases?|cyclase|oxidases?"
    r"|mitochondri\w*|peroxisom\w*|microsom\w*|hepatic|platelets?|uptake|metabolites?|"
    r"metabolism|purification|purified|polypeptides?|proteins?|peptides?|dna|rna|genes?|ion"
    r" fluxes|membranes?|phosphat\w*|acetyl|coa|binding|inhibition of|species differences|"
    r"atomic|crystal|molecular|cells?|cellular|intracellular|erythrocytes?|lymphocytes?|"
    r"in vitro|in vivo|induction of|activity|biosynthesis|carcinogen\w*|toxicity)\b"
)


def _lab_without_abstract(title: str, abstract: str) -> bool:
    return (
        not abstract
        and bool(_LAB_TITLE.search(title) or _ANIMAL.search(title))
        and not (_HUMAN.search(title))
    )
