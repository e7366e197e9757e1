"""Plain frozen dataclasses that cross module borders.

Nothing here imports anything else from the package, so every room may import it.
Dates are ISO-8601 text: a full day ("2024-03-15"), or a partial one ("2024-03",
"2024") when PubMed gives no more; timestamps are UTC ("2024-03-15T08:00:00Z").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

RETRACTION_TYPES = frozenset({"Retracted Publication"})
RETRACTION_LINKS = frozenset({"RetractionIn"})
_NCT_ID = re.compile(r"\bNCT\d{8}\b")


def nct_ids_in(text: str | None) -> tuple[str, ...]:
    """The ClinicalTrials.gov ids written in `text`, in order, each once."""
    if not text or "NCT" not in text:  # most abstracts: `tracker import` asks of each one
        return ()
    return tuple(dict.fromkeys(_NCT_ID.findall(text)))


@dataclass(frozen=True)
class Author:
    position: int  # 1-based order in the AuthorList
    last_name: str | None = None
    fore_name: str | None = None
    initials: str | None = None
    suffix: str | None = None
    collective_name: str | None = None  # group authors: <CollectiveName>
    affiliations: tuple[str, ...] = ()
    orcid: str | None = None  # bare 16-character id, "0000-0002-1825-0097"
    equal_contrib: bool = False

    @property
    def short_name(self) -> str:
        """'Smith JA' as PubMed lists authors; the group name for a collective."""
        if self.collective_name:
            return self.collective_name
        return " ".join(part for part in (self.last_name, self.initials) if part)


@dataclass(frozen=True)
class AbstractSection:
    text: str
    label: str | None = None  # "BACKGROUND", "CONCLUSIONS", … as printed
    nlm_category: str | None = None  # NLM's normalised label: BACKGROUND, METHODS, …


@dataclass(frozen=True)
class MeshHeading:
    descriptor: str
    ui: str | None = None  # "D012148"
    major: bool = False  # descriptor or any qualifier has MajorTopicYN="Y"
    qualifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommentCorrection:
    """One <CommentsCorrections> link: an erratum, retraction, comment, update…"""

    ref_type: str  # RefType attribute: "ErratumIn", "RetractionIn", "CommentOn", …
    pmid: int | None = None
    source: str | None = None  # <RefSource>: "J Neurol. 2020;267(3):1-2"


@dataclass(frozen=True)
class Article:
    """One PubMed record (a PubmedArticle or a PubmedBookArticle), as plain text."""

    pmid: int
    title: str
    version: int = 1
    record_type: str = "article"  # "article" | "book"
    vernacular_title: str | None = None
    abstract: str | None = None  # sections joined by blank lines, "LABEL: text" when labelled
    abstract_sections: tuple[AbstractSection, ...] = ()
    authors: tuple[Author, ...] = ()
    journal: str | None = None  # journal title, or the book title for a book record
    journal_abbrev: str | None = None  # ISOAbbreviation (or MedlineTA when absent)
    issn: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None  # MedlinePgn, or StartPage-EndPage
    pub_year: int | None = None
    pub_date: str | None = None  # ISO, as precise as the record allows
    pub_date_text: str | None = None  # the date as printed: "1998 Dec-1999 Jan", "2020 Spring"
    create_date: str | None = None  # added to PubMed ([crdt]): History "entrez", or DateCreated
    entry_date: str | None = None  # Entrez date ([edat]): History "pubmed"
    revised_date: str | None = None  # DateRevised ([lr])
    completed_date: str | None = None  # DateCompleted (MEDLINE indexing done)
    doi: str | None = None
    pmcid: str | None = None  # "PMC1234567"
    pii: str | None = None
    languages: tuple[str, ...] = ()  # three-letter codes as PubMed gives them: "eng", "ger"
    publication_types: tuple[str, ...] = ()
    mesh_headings: tuple[MeshHeading, ...] = ()
    keywords: tuple[str, ...] = ()
    chemicals: tuple[str, ...] = ()  # NameOfSubstance
    comments_corrections: tuple[CommentCorrection, ...] = ()
    publication_status: str | None = None  # PublicationStatus: ppublish, epublish, aheadofprint
    citation_status: str | None = None  # MedlineCitation/@Status: MEDLINE, In-Process, Publisher…
    history_statuses: tuple[str, ...] = ()  # PubMedPubDate/@PubStatus values, e.g. "retracted"
    # DataBankList ClinicalTrials.gov AccessionNumbers (MEDLINE: SI "ClinicalTrials.gov/NCT…")
    registered_trials: tuple[str, ...] = ()

    @property
    def abstract_trial_ids(self) -> tuple[str, ...]:
        """NCT ids written in the abstract ("registered as NCT01234567"), in order, once."""
        return nct_ids_in(self.abstract)

    @property
    def retracted(self) -> bool:
        """PubMed marks a retracted article three ways; any one of them is enough."""
        return (
            any(t in RETRACTION_TYPES for t in self.publication_types)
            or any(c.ref_type in RETRACTION_LINKS for c in self.comments_corrections)
            or "retracted" in self.history_statuses
        )

    @property
    def mesh_terms(self) -> tuple[str, ...]:
        return tuple(h.descriptor for h in self.mesh_headings)


@dataclass(frozen=True)
class DeletedCitations:
    """A <DeleteCitation> block of an NLM update file: these PMIDs were withdrawn."""

    pmids: tuple[int, ...]


@dataclass(frozen=True)
class SavedSearch:
    """One queries/NAME.toml file."""

    name: str
    term: str
    title: str
    schedule: str = "0 6 * * 1"  # crontab: Mondays 06:00 in the configured timezone
    since: date | None = None  # where the first backfill starts; None = everything
    path: str | None = None  # the file it came from, for error messages


@dataclass(frozen=True)
class SearchResult:
    """One esearch answer, already checked for NCBI's in-band errors."""

    count: int
    ids: tuple[int, ...]
    query_translation: str | None = None
    warnings: tuple[str, ...] = ()  # WarningList and ErrorList entries, e.g. "PhraseNotFound: xyz"


@dataclass(frozen=True)
class Window:
    """A Create Date window, both ends inclusive, as esearch takes it (day precision)."""

    start: date
    end: date


@dataclass(frozen=True)
class RunResult:
    search: str
    run_id: int | None
    status: str  # "ok" | "failed"
    window: Window | None
    count: int = 0  # PubMed's Count for the window
    new: int = 0  # PMIDs this saved search had not seen before
    fetched: int = 0  # records fetched with efetch
    updated: int = 0  # stored records refreshed from a newer PubMed version
    missing: tuple[int, ...] = ()  # PMIDs esearch named but efetch did not return
    query_translation: str | None = None
    warnings: tuple[str, ...] = ()
    error: str | None = None
    started: str = ""
    finished: str = ""
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class TrialIntervention:
    """One `armsInterventionsModule.interventions[]` entry of a ClinicalTrials.gov record."""

    name: str
    type: str | None = None  # DRUG, DEVICE, BEHAVIORAL, …
    other_names: tuple[str, ...] = ()  # brand and code names as the sponsor registered them


@dataclass(frozen=True)
class Trial:
    """One ClinicalTrials.gov study (API v2), the fields the tracker keeps."""

    nct_id: str
    brief_title: str
    official_title: str | None = None
    overall_status: str | None = None  # RECRUITING, TERMINATED, WITHDRAWN, …
    last_known_status: str | None = None  # with overall_status UNKNOWN
    why_stopped: str | None = None
    phases: tuple[str, ...] = ()  # absent for observational studies
    study_type: str | None = None
    enrollment: int | None = None
    enrollment_type: str | None = None  # ACTUAL | ESTIMATED
    start_date: str | None = None  # ISO, month precision allowed ("2023-05")
    primary_completion_date: str | None = None
    completion_date: str | None = None
    first_posted: str | None = None
    last_update_posted: str | None = None
    results_first_posted: str | None = None
    has_results: bool = False
    conditions: tuple[str, ...] = ()
    interventions: tuple[TrialIntervention, ...] = ()
    lead_sponsor: str | None = None
    reference_pmids: tuple[tuple[int, str], ...] = ()  # (PMID, RESULT|BACKGROUND|DERIVED)

    @property
    def url(self) -> str:
        return f"https://clinicaltrials.gov/study/{self.nct_id}"


@dataclass(frozen=True)
class PreprintLink:
    """A preprint's journal version, as Europe PMC's commentCorrectionList states it."""

    pmid: int
    reference: str | None = None  # free-text citation: "Sleep Med. 2024;115:1-8"
    note: str | None = None  # "Link created based on a title-first author match" | "CrossRef…"

    @property
    def confidence(self) -> str:
        """ "crossref" when a publisher deposited the relation, "title-author match" when
        Europe PMC guessed it from the title and first author."""
        text = (self.note or "").casefold()
        if "crossref" in text:
            return "crossref"
        if "title" in text:
            return "title-author match"
        return "unstated"


@dataclass(frozen=True)
class Preprint:
    """One Europe PMC preprint record (source PPR)."""

    id: str  # "PPR838108"
    title: str
    doi: str | None = None
    server: str | None = None  # bookOrReportDetails.publisher: medRxiv, bioRxiv, …
    authors: tuple[str, ...] = ()
    abstract: str | None = None
    first_publication_date: str | None = None
    first_index_date: str | None = None
    date_of_creation: str | None = None
    date_of_revision: str | None = None
    version: int | None = None
    published: PreprintLink | None = None


# Every message of a run ended by SIGTERM/SIGINT holds this: such a run is recorded (so
# the next one is known to start afresh) but is no failure of the search, and does not
# count toward `consecutive_failures` or TRACKER_ALERT_AFTER.
STOP_MARK = "by a stop request"


def is_stopped(error: str | None) -> bool:
    return bool(error) and STOP_MARK in str(error)
