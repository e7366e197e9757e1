"""Tests for tracker.pubmed.medline: PubMed MEDLINE text exports -> whole Article objects.

Expected Articles were written out for real records in tests/data/pubmed-samples/medline/
(see PROVENANCE.md) and checked against the text; crafted inputs are named as crafted.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tracker.models import AbstractSection, Article, Author, CommentCorrection, MeshHeading
from tracker.pubmed.medline import iter_medline, open_medline_file

MEDLINE = Path(__file__).parent / "data" / "pubmed-samples" / "medline"


def _record(name: str, pmid: int) -> Article:
    found = [r for r in open_medline_file(MEDLINE / name) if r.pmid == pmid]
    assert len(found) == 1
    return found[0]


# pmidcite__pubmed_Kolmogorov2020.txt, PMID 33020656 (2021 PubMed export): AUID ORCID lines,
# AD lines wrapped onto 6-space continuation lines, two AD for one author, MH with "*" and
# "/" qualifiers, CRDT/EDAT/LR/DCOM dates, LID/AID "[doi]" and "[pii]", IS (Linking) skipped.
KOLMOGOROV_2020 = Article(
    pmid=33020656,
    title="metaFlye: scalable long-read metagenome assembly using repeat graphs.",
    abstract=(
        "Long-read sequencing technologies have substantially improved the assemblies of many "
        "isolate bacterial genomes as compared to fragmented short-read assemblies. However, "
        "assembling complex metagenomic datasets remains difficult even for state-of-the-art "
        "long-read assemblers. Here we present metaFlye, which addresses important long-read "
        "metagenomic assembly challenges, such as uneven bacterial composition and "
        "intra-species heterogeneity. First, we benchmarked metaFlye using simulated and mock "
        "bacterial communities and show that it consistently produces assemblies with better "
        "completeness and contiguity than state-of-the-art long-read assemblers. Second, we "
        "performed long-read sequencing of the sheep microbiome and applied metaFlye to "
        "reconstruct 63 complete or nearly complete bacterial genomes within single contigs. "
        "Finally, we show that long-read assembly of human microbiomes enables the discovery "
        "of full-length biosynthetic gene clusters that encode biomedically important natural "
        "products."
    ),
    abstract_sections=(
        AbstractSection(
            text=(
                "Long-read sequencing technologies have substantially improved the assemblies "
                "of many isolate bacterial genomes as compared to fragmented short-read "
                "assemblies. However, assembling complex metagenomic datasets remains "
                "difficult even for state-of-the-art long-read assemblers. Here we present "
                "metaFlye, which addresses important long-read metagenomic assembly "
                "challenges, such as uneven bacterial composition and intra-species "
                "heterogeneity. First, we benchmarked metaFlye using simulated and mock "
                "bacterial communities and show that it consistently produces assemblies with "
                "better completeness and contiguity than state-of-the-art long-read "
                "assemblers. Second, we performed long-read sequencing of the sheep "
                "microbiome and applied metaFlye to reconstruct 63 complete or nearly "
                "complete bacterial genomes within single contigs. Finally, we show that "
                "long-read assembly of human microbiomes enables the discovery of full-length "
                "biosynthetic gene clusters that encode biomedically important natural "
                "products."
            ),
        ),
    ),
    authors=(
        Author(
            position=1,
            last_name="Kolmogorov",
            fore_name="Mikhail",
            initials="M",
            affiliations=(
                (
                    "Department of Computer Science and Engineering, University of "
                    "California, San Diego, CA, USA."
                ),
            ),
            orcid="0000-0002-5489-9045",
        ),
        Author(
            position=2,
            last_name="Bickhart",
            fore_name="Derek M",
            initials="DM",
            affiliations=(
                (
                    "Cell Wall Biology and Utilization Laboratory, Dairy Forage Research "
                    "Center, USDA, Madison, WI, USA."
                ),
            ),
        ),
        Author(
            position=3,
            last_name="Behsaz",
            fore_name="Bahar",
            initials="B",
            affiliations=(
                (
                    "Graduate Program in Bioinformatics and System Biology, University of "
                    "California, San Diego, CA, USA."
                ),
            ),
        ),
        Author(
            position=4,
            last_name="Gurevich",
            fore_name="Alexey",
            initials="A",
            affiliations=(
                (
                    "Center for Algorithmic Biotechnology, St. Petersburg State University, "
                    "St. Petersburg, Russia."
                ),
            ),
        ),
        Author(
            position=5,
            last_name="Rayko",
            fore_name="Mikhail",
            initials="M",
            affiliations=(
                (
                    "Center for Algorithmic Biotechnology, St. Petersburg State University, "
                    "St. Petersburg, Russia."
                ),
            ),
            orcid="0000-0002-3737-1521",
        ),
        Author(
            position=6,
            last_name="Shin",
            fore_name="Sung Bong",
            initials="SB",
            affiliations=("USDA-ARS US Meat Animal Research Center, Clay Center, NE, USA.",),
        ),
        Author(
            position=7,
            last_name="Kuhn",
            fore_name="Kristen",
            initials="K",
            affiliations=("USDA-ARS US Meat Animal Research Center, Clay Center, NE, USA.",),
        ),
        Author(
            position=8,
            last_name="Yuan",
            fore_name="Jeffrey",
            initials="J",
            affiliations=(
                (
                    "Graduate Program in Bioinformatics and System Biology, University of "
                    "California, San Diego, CA, USA."
                ),
            ),
            orcid="0000-0003-3855-1994",
        ),
        Author(
            position=9,
            last_name="Polevikov",
            fore_name="Evgeny",
            initials="E",
            affiliations=(
                (
                    "Center for Algorithmic Biotechnology, St. Petersburg State University, "
                    "St. Petersburg, Russia."
                ),
                "Bioinformatics Institute, St. Petersburg, Russia.",
            ),
        ),
        Author(
            position=10,
            last_name="Smith",
            fore_name="Timothy P L",
            initials="TPL",
            affiliations=("USDA-ARS US Meat Animal Research Center, Clay Center, NE, USA.",),
            orcid="0000-0003-1611-6828",
        ),
        Author(
            position=11,
            last_name="Pevzner",
            fore_name="Pavel A",
            initials="PA",
            affiliations=(
                (
                    "Department of Computer Science and Engineering, University of "
                    "California, San Diego, CA, USA. ppevzner@ucsd.edu."
                ),
                (
                    "Center for Microbiome Innovation, University of California, San Diego, "
                    "CA, USA. ppevzner@ucsd.edu."
                ),
            ),
            orcid="0000-0002-0418-165X",
        ),
    ),
    journal="Nature methods",
    journal_abbrev="Nat Methods",
    issn="1548-7105",
    volume="17",
    issue="11",
    pages="1103-1110",
    pub_year=2020,
    pub_date="2020-11",
    pub_date_text="2020 Nov",
    create_date="2020-10-06",
    entry_date="2020-10-07",
    revised_date="2021-02-11",
    completed_date="2021-01-25",
    doi="10.1038/s41592-020-00971-x",
    pii="10.1038/s41592-020-00971-x",
    languages=("eng",),
    publication_types=(
        "Journal Article",
        "Research Support, N.I.H., Extramural",
        "Research Support, Non-U.S. Gov't",
        "Research Support, U.S. Gov't, Non-P.H.S.",
    ),
    mesh_headings=(
        MeshHeading(descriptor="Algorithms"),
        MeshHeading(descriptor="Animals"),
        MeshHeading(descriptor="Benchmarking"),
        MeshHeading(descriptor="Gastrointestinal Microbiome", qualifiers=("genetics",)),
        MeshHeading(
            descriptor="Genome, Bacterial",
            major=True,
            qualifiers=("genetics",),
        ),
        MeshHeading(descriptor="Genome, Human", major=True, qualifiers=("genetics",)),
        MeshHeading(descriptor="Humans"),
        MeshHeading(descriptor="Metagenome", major=True, qualifiers=("genetics",)),
        MeshHeading(descriptor="Metagenomics", major=True, qualifiers=("methods",)),
        MeshHeading(descriptor="Microbiota", major=True, qualifiers=("genetics",)),
        MeshHeading(descriptor="Sequence Analysis, DNA", qualifiers=("methods",)),
        MeshHeading(descriptor="Sheep"),
        MeshHeading(descriptor="Software"),
        MeshHeading(descriptor="Species Specificity"),
    ),
    publication_status="ppublish",
    citation_status="MEDLINE",
    history_statuses=("received", "accepted", "revised", "pubmed", "medline", "entrez"),
)


# nbib__pmc_medlars.txt, PMID 30042925: what this "nbib" really holds is a MEDLINE-format
# export from *PMC* (db=pmc): each record starts with "PMC -" before "PMID-", "AB  - " is
# empty (the OAB line says the abstract is only at the publisher), DP is a bare year,
# PHST has no time, and there is no STAT, OWN, MH, CRDT or EDAT at all.
PMC_EXPORT_30042925 = Article(
    pmid=30042925,
    title=(
        "A method package for electrophysiological evaluation of reconstructed or regenerated "
        "facial nerves in rodents."
    ),
    authors=(
        Author(
            position=1,
            last_name="Takeuchi",
            fore_name="Yuichi",
            initials="Y",
            affiliations=(
                (
                    "Department of Physiology I (Neurophysiology), Tokyo Women’s Medical "
                    "University, Tokyo, Japan"
                ),
            ),
        ),
        Author(
            position=2,
            last_name="Osaki",
            fore_name="Hironobu",
            initials="H",
            affiliations=(
                (
                    "Department of Physiology I (Neurophysiology), Tokyo Women’s Medical "
                    "University, Tokyo, Japan"
                ),
            ),
        ),
        Author(
            position=3,
            last_name="Matsumine",
            fore_name="Hajime",
            initials="H",
            affiliations=(
                (
                    "Department of Plastic and Reconstructive Surgery, Tokyo Women’s Medical "
                    "University, Tokyo, Japan"
                ),
            ),
        ),
        Author(
            position=4,
            last_name="Niimi",
            fore_name="Yosuke",
            initials="Y",
            affiliations=(
                (
                    "Department of Plastic and Reconstructive Surgery, Tokyo Women’s Medical "
                    "University, Tokyo, Japan"
                ),
            ),
        ),
        Author(
            position=5,
            last_name="Sasaki",
            fore_name="Ryo",
            initials="R",
            affiliations=(
                (
                    "Department of Oral and Maxillofacial Surgery, Tokyo Women’s Medical "
                    "University, Tokyo, Japan"
                ),
            ),
        ),
        Author(
            position=6,
            last_name="Miyata",
            fore_name="Mariko",
            initials="M",
            affiliations=(
                (
                    "Department of Physiology I (Neurophysiology), Tokyo Women’s Medical "
                    "University, Tokyo, Japan"
                ),
            ),
        ),
    ),
    journal="MethodsX",
    journal_abbrev="MethodsX",
    issn="2215-0161",
    volume="5",
    pages="283-98",
    pub_year=2018,
    pub_date="2018",
    pub_date_text="2018",
    doi="10.1016/j.mex.2018.03.007",
    pmcid="PMC6055010",
    pii="S2215-0161(18)30045-1",
    languages=("eng",),
    publication_types=("Journal Article",),
    history_statuses=("received", "accepted"),
)


@pytest.mark.parametrize(
    ("name", "pmid", "expected"),
    [
        ("pmidcite__pubmed_Kolmogorov2020.txt", 33020656, KOLMOGOROV_2020),
        ("nbib__pmc_medlars.txt", 30042925, PMC_EXPORT_30042925),
    ],
    ids=["pubmed-export-2021", "pmc-export"],
)
def test_real_medline_record_parses_to_the_whole_expected_article(
    name: str, pmid: int, expected: Article
) -> None:
    assert _record(name, pmid) == expected


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("metaknowledge__medline_test.medline", 175),
        ("nbib__pmc_medlars.txt", 5),
        ("pmidcite__pubmed_Kolmogorov2020.txt", 1),
    ],
)
def test_each_medline_file_yields_the_records_provenance_gives(name: str, count: int) -> None:
    articles = list(open_medline_file(MEDLINE / name))
    assert len(articles) == count == len({a.pmid for a in articles})
    # metaknowledge's file is cut off in its last record (PMID 26153366 ends in the middle
    # of its TI line, "...in the endometriu"), so that one has no journal; MEDLINE text has
    # no end marker, so the parser cannot tell and yields what is there.
    complete = [a for a in articles if a.pmid != 26153366]
    assert all(a.title and a.journal and a.pub_year for a in complete)


def test_record_cut_off_at_the_end_of_the_real_file_keeps_what_is_there() -> None:
    article = _record("metaknowledge__medline_test.medline", 26153366)
    assert article.title.endswith("correlation with the expression of this gene in the endometriu")
    assert (article.journal, article.issn, article.pub_date) == (None, "1432-0711", "2016-01")


def test_the_three_files_hold_181_distinct_pmids() -> None:
    pmids = {a.pmid for path in MEDLINE.iterdir() for a in open_medline_file(path)}
    assert len(pmids) == 181


def test_2015_export_prefers_crdt_over_da_and_keeps_in_data_review() -> None:
    # metaknowledge__medline_test.medline, PMID 26524502 (Dec 2015 export): "DA  - 20151207"
    # (Date Created, the MEDLINE twin of <DateCreated>), STAT In-Data-Review, OT keywords.
    article = _record("metaknowledge__medline_test.medline", 26524502)
    assert article.create_date == "2015-11-03"  # CRDT 2015/11/03 wins over DA 2015-12-07
    assert article.citation_status == "In-Data-Review"
    assert article.keywords == (
        "ABC transporters",
        "Dermatophytes",
        "Drug resistance",
        "Phylogenetics",
    )
    assert article.doi == "10.1016/j.gene.2015.10.064"
    assert article.pii == "S0378-1119(15)01297-4"
    assert article.pub_date == "2016-01-15" and article.issue == "1 Pt 3"
    assert article.history_statuses == ("received", "revised", "accepted", "aheadofprint")


CRAFTED_LINKS = """\ufeffPMID- 1
TI  - Crafted record with every kind of link.
CIN - Lancet. 2001 Jan 6;357(9249):1-2. PMID: 11197371
EIN - J Crafted. 2020;1:2. doi: 10.1/x. PMID:
      12345678
RIN - J Crafted. 2021;2:3. PMID: 23456789
ROF - J Crafted. 2019;3:4.
UOF - J Crafted. 2018;4:5. PMID: 34567890
RN  - 0 (Receptors, GABA-B)
RN  - EC 3.6.3.- (ATP-Binding Cassette Transporters)
MH  - *Restless Legs Syndrome/drug therapy/*prevention & control
CN  - Crafted Study Group
DP  - 1998 Dec-1999 Jan

PMID- 2
TI  - [Second crafted record, bracketed as PubMed prints translations].
DP  - 2020 Spring
"""


def test_crafted_links_chemicals_and_dates_map_like_the_xml() -> None:
    first, second = iter_medline(io.StringIO(CRAFTED_LINKS))
    assert first.comments_corrections == (
        CommentCorrection("CommentIn", 11197371, "Lancet. 2001 Jan 6;357(9249):1-2."),
        CommentCorrection("ErratumIn", 12345678, "J Crafted. 2020;1:2. doi: 10.1/x."),
        CommentCorrection("RetractionIn", 23456789, "J Crafted. 2021;2:3."),
        CommentCorrection("RetractionOf", None, "J Crafted. 2019;3:4."),
        CommentCorrection("UpdateOf", 34567890, "J Crafted. 2018;4:5."),
    )
    assert first.retracted
    assert first.chemicals == ("Receptors, GABA-B", "ATP-Binding Cassette Transporters")
    assert first.mesh_headings == (
        MeshHeading(
            "Restless Legs Syndrome",
            major=True,
            qualifiers=("drug therapy", "prevention & control"),
        ),
    )
    assert first.authors == (Author(position=1, collective_name="Crafted Study Group"),)
    assert (first.pub_year, first.pub_date, first.pub_date_text) == (
        1998,
        "1998",
        "1998 Dec-1999 Jan",
    )
    assert second.title == "[Second crafted record, bracketed as PubMed prints translations]."
    assert (second.pub_year, second.pub_date, second.pub_date_text) == (2020, "2020", "2020 Spring")


def test_crafted_file_with_bom_and_crlf_parses(tmp_path: Path) -> None:
    crafted = tmp_path / "crafted.nbib"
    crafted.write_bytes(("\ufeff" + CRAFTED_LINKS.lstrip("\ufeff")).replace("\n", "\r\n").encode())
    assert [a.pmid for a in open_medline_file(crafted)] == [1, 2]


def test_a_long_wrapped_value_is_joined_whole():
    """Crafted: the real record of PMID 33020656 with 100,000 more abstract lines (8 MB),
    joined with one space each as a short value is; the pieces are joined once per
    record (joined line by line, this took about a minute)."""
    text = (MEDLINE / "pmidcite__pubmed_Kolmogorov2020.txt").read_text(encoding="utf-8")
    piece = "long-read " * 7 + "xxxx"
    more = "".join(f"      {piece}\n" for _ in range(100_000))
    crafted = text.replace("\nAB  - ", f"\nAB  - start\n{more}      ", 1)
    [article] = iter_medline(io.StringIO(crafted))
    [original] = open_medline_file(MEDLINE / "pmidcite__pubmed_Kolmogorov2020.txt")
    assert article.abstract == " ".join(["start", *[piece] * 100_000, original.abstract])
