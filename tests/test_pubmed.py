"""Tests for tracker.pubmed: real PubMed XML in, whole Article objects out.

Expected Articles were written out field by field for real records in
tests/data/pubmed-samples/ (see PROVENANCE.md), each checked against its XML. Inputs
built inside a test (hostile title, XXE, truncated body…) are named "crafted".
"""

from __future__ import annotations

import gzip
import io
import re
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from tracker.models import (
    AbstractSection,
    Article,
    Author,
    CommentCorrection,
    DeletedCitations,
    MeshHeading,
)
from tracker.pubmed import (
    PubmedParseError,
    iter_pubmed_xml,
    open_pubmed_file,
    parse_pubmed_xml,
)

SAMPLES = Path(__file__).parent / "data" / "pubmed-samples"


def _record(rel: str, pmid: int, version: int = 1) -> Article:
    found = [
        r
        for r in open_pubmed_file(SAMPLES / rel)
        if isinstance(r, Article) and r.pmid == pmid and r.version == version
    ]
    assert len(found) == 1, f"{rel}: PMID {pmid} v{version} found {len(found)} times"
    return found[0]


# ---------------------------------------------------------------- whole records

# efetch/sul_pub__pubmed_record_23388678.xml, PMID 23388678: bare <PubmedArticle> fragment (no
# PubmedArticleSet, no DOCTYPE); <MedlineDate>2013 Mar-Apr</MedlineDate>; structured abstract
# with Label + NlmCategory
MEDLINEDATE_FRAGMENT = Article(
    pmid=23388678,
    title=(
        "Association between risk behaviors and antiretroviral resistance in HIV-infected "
        "patients receiving opioid agonist treatment."
    ),
    abstract=(
        "OBJECTIVES: Antiretroviral (ARV) resistance is of concern. Opioid agonist treatment (ie, "
        "methadone or buprenorphine) is effective and decreases HIV transmission risk behaviors "
        "and HIV seroconversion. Despite prevention efforts, injection drug use (IDU) and risky "
        "sexual behaviors remain prevalent in patients receiving opioid agonist treatment. The "
        "purpose of this study is to determine in HIV-infected patients receiving opioid agonist "
        "treatment, the prevalence of HIV transmission risk behaviors, the prevalence of ARV "
        "resistance, and the prevalence of ARV resistance among those with risk "
        "behaviors.\n\nMETHODS: The design was a cross-sectional study of patients recruited from "
        "opioid treatment programs and outpatient practices. We measured demographic, drug "
        "treatment, and HIV clinical information (including ARV adherence), self-reported HIV "
        "risk behaviors and drug use, urine toxicologies, and genotype testing for ARV resistance "
        "(with both standard assays and ultradeep sequencing). Data analysis included descriptive "
        "statistics.\n\nRESULTS: Fifty-nine subjects were enrolled, 64% were male, 24% were "
        "white, and mean age was 46 years. Fifty-three percent were receiving methadone, 47% were "
        "receiving buprenorphine, and 80% were receiving opioid agonist treatment for 12 weeks or "
        "more. Fourteen percent reported unprotected sex, 7% reported sharing needles or works, "
        "and 60% had positive urine toxicology for illicit drug use. Fifteen percent had evidence "
        "of HIV resistance by standard genotyping; 7% with single class resistance, 3% with "
        "double class resistance, and 5% with triple class resistance. Ultradeep sequencing found "
        "additional class resistance in 5 subjects. Twenty-two percent of subjects with evidence "
        "of transmission risk behaviors versus 14% of subjects without risk behaviors had "
        "evidence of ARV resistance.\n\nCONCLUSIONS: Improved prevention and treatment efforts "
        "may be needed for HIV-infected, opioid dependent individuals receiving opioid agonist "
        "treatment to decrease transmission of ARV resistant virus, especially in resource "
        "limited settings."
    ),
    abstract_sections=(
        AbstractSection(
            text=(
                "Antiretroviral (ARV) resistance is of concern. Opioid agonist treatment (ie, "
                "methadone or buprenorphine) is effective and decreases HIV transmission risk "
                "behaviors and HIV seroconversion. Despite prevention efforts, injection drug use "
                "(IDU) and risky sexual behaviors remain prevalent in patients receiving opioid "
                "agonist treatment. The purpose of this study is to determine in HIV-infected "
                "patients receiving opioid agonist treatment, the prevalence of HIV transmission "
                "risk behaviors, the prevalence of ARV resistance, and the prevalence of ARV "
                "resistance among those with risk behaviors."
            ),
            label="OBJECTIVES",
            nlm_category="OBJECTIVE",
        ),
        AbstractSection(
            text=(
                "The design was a cross-sectional study of patients recruited from opioid "
                "treatment programs and outpatient practices. We measured demographic, drug "
                "treatment, and HIV clinical information (including ARV adherence), self-reported "
                "HIV risk behaviors and drug use, urine toxicologies, and genotype testing for "
                "ARV resistance (with both standard assays and ultradeep sequencing). Data "
                "analysis included descriptive statistics."
            ),
            label="METHODS",
            nlm_category="METHODS",
        ),
        AbstractSection(
            text=(
                "Fifty-nine subjects were enrolled, 64% were male, 24% were white, and mean age "
                "was 46 years. Fifty-three percent were receiving methadone, 47% were receiving "
                "buprenorphine, and 80% were receiving opioid agonist treatment for 12 weeks or "
                "more. Fourteen percent reported unprotected sex, 7% reported sharing needles or "
                "works, and 60% had positive urine toxicology for illicit drug use. Fifteen "
                "percent had evidence of HIV resistance by standard genotyping; 7% with single "
                "class resistance, 3% with double class resistance, and 5% with triple class "
                "resistance. Ultradeep sequencing found additional class resistance in 5 "
                "subjects. Twenty-two percent of subjects with evidence of transmission risk "
                "behaviors versus 14% of subjects without risk behaviors had evidence of ARV "
                "resistance."
            ),
            label="RESULTS",
            nlm_category="RESULTS",
        ),
        AbstractSection(
            text=(
                "Improved prevention and treatment efforts may be needed for HIV-infected, opioid "
                "dependent individuals receiving opioid agonist treatment to decrease "
                "transmission of ARV resistant virus, especially in resource limited settings."
            ),
            label="CONCLUSIONS",
            nlm_category="CONCLUSIONS",
        ),
    ),
    authors=(
        Author(
            position=1,
            last_name="Tetrault",
            fore_name="Jeanette M",
            initials="JM",
            affiliations=(
                (
                    "Section of General Internal Medicine, Department of Internal Medicine, Yale "
                    "University School of Medicine, New Haven, CT, USA. "
                    "jeanette.tetrault@yale.edu"
                ),
            ),
        ),
        Author(position=2, last_name="Kozal", fore_name="Michael J", initials="MJ"),
        Author(position=3, last_name="Chiarella", fore_name="Jennifer", initials="J"),
        Author(position=4, last_name="Sullivan", fore_name="Lynn E", initials="LE"),
        Author(position=5, last_name="Dinh", fore_name="An T", initials="AT"),
        Author(position=6, last_name="Fiellin", fore_name="David A", initials="DA"),
    ),
    journal="Journal of addiction medicine",
    journal_abbrev="J Addict Med",
    issn="1932-0620",
    volume="7",
    issue="2",
    pages="102-7",
    pub_year=2013,
    pub_date="2013",
    pub_date_text="2013 Mar-Apr",
    create_date="2013-02-08",
    entry_date="2013-02-08",
    revised_date="2018-11-13",
    completed_date="2013-07-09",
    doi="10.1097/ADM.0b013e31827f9bdf",
    pmcid="PMC3618545",
    languages=("eng",),
    publication_types=(
        "Journal Article",
        "Research Support, N.I.H., Extramural",
        "Research Support, Non-U.S. Gov't",
    ),
    mesh_headings=(
        MeshHeading(
            descriptor="Analgesics, Opioid",
            ui="D000701",
            major=True,
            qualifiers=("therapeutic use",),
        ),
        MeshHeading(
            descriptor="Anti-HIV Agents",
            ui="D019380",
            major=True,
            qualifiers=("therapeutic use",),
        ),
        MeshHeading(
            descriptor="Antiretroviral Therapy, Highly Active",
            ui="D023241",
            major=True,
            qualifiers=("methods",),
        ),
        MeshHeading(
            descriptor="Buprenorphine",
            ui="D002047",
            qualifiers=("therapeutic use",),
        ),
        MeshHeading(descriptor="Cross-Sectional Studies", ui="D003430"),
        MeshHeading(descriptor="Drug Resistance, Viral", ui="D024882", major=True),
        MeshHeading(descriptor="Female", ui="D005260"),
        MeshHeading(
            descriptor="HIV Infections",
            ui="D015658",
            major=True,
            qualifiers=("drug therapy",),
        ),
        MeshHeading(descriptor="Humans", ui="D006801"),
        MeshHeading(descriptor="Male", ui="D008297"),
        MeshHeading(descriptor="Methadone", ui="D008691", qualifiers=("therapeutic use",)),
        MeshHeading(descriptor="Middle Aged", ui="D008875"),
        MeshHeading(descriptor="Prevalence", ui="D015995"),
        MeshHeading(descriptor="Risk-Taking", ui="D012309", major=True),
        MeshHeading(
            descriptor="Sexual Behavior",
            ui="D012725",
            qualifiers=("statistics & numerical data",),
        ),
        MeshHeading(
            descriptor="Substance Abuse, Intravenous",
            ui="D015819",
            qualifiers=("epidemiology",),
        ),
    ),
    chemicals=("Analgesics, Opioid", "Anti-HIV Agents", "Buprenorphine", "Methadone"),
    publication_status="ppublish",
    citation_status="MEDLINE",
    history_statuses=("entrez", "pubmed", "medline"),
)

# efetch/eutils-json__efetch.pubmedbook.xml, PMID 20301295: PubmedBookArticle for a whole book:
# no ArticleTitle (title = BookTitle), editors are not authors, CopyrightInformation not in the
# abstract; pubmed_130101
WHOLE_BOOK = Article(
    pmid=20301295,
    title="GeneReviews™",
    record_type="book",
    abstract=(
        "GeneReviews are expert-authored, peer-reviewed disease descriptions that apply genetic "
        "testing to the diagnosis, management, and genetic counseling of patients and families "
        "with specific inherited conditions. Published exclusively online, each GeneReview entry "
        "is: (1) peer reviewed for accuracy by (a) editorial staff experts in clinical genetics, "
        "laboratory genetics, and genetic counseling and by (b) acknowledged international "
        "subject experts; (2) updated by the author(s) in a formal comprehensive process every "
        "two to three years or as needed; and (3) revised by the author(s) or editorial staff "
        "whenever significant changes in clinically relevant information occur. GeneReviews are "
        "part of the GeneTests Web site, which also includes: a Laboratory Directory of US and "
        "international laboratories offering molecular genetic testing, specialized cytogenetic "
        "testing, and biochemical testing for inherited disorders; a Clinic Directory of US and "
        "international genetics clinics providing genetic evaluation and genetic counseling; "
        "Resources that are consumer health-oriented organizations and disease registries; "
        "Educational materials; and an Illustrated Glossary of genetic counseling and testing "
        "terms."
    ),
    abstract_sections=(
        AbstractSection(
            text=(
                "GeneReviews are expert-authored, peer-reviewed disease descriptions that apply "
                "genetic testing to the diagnosis, management, and genetic counseling of patients "
                "and families with specific inherited conditions. Published exclusively online, "
                "each GeneReview entry is: (1) peer reviewed for accuracy by (a) editorial staff "
                "experts in clinical genetics, laboratory genetics, and genetic counseling and by "
                "(b) acknowledged international subject experts; (2) updated by the author(s) in "
                "a formal comprehensive process every two to three years or as needed; and (3) "
                "revised by the author(s) or editorial staff whenever significant changes in "
                "clinically relevant information occur. GeneReviews are part of the GeneTests Web "
                "site, which also includes: a Laboratory Directory of US and international "
                "laboratories offering molecular genetic testing, specialized cytogenetic "
                "testing, and biochemical testing for inherited disorders; a Clinic Directory of "
                "US and international genetics clinics providing genetic evaluation and genetic "
                "counseling; Resources that are consumer health-oriented organizations and "
                "disease registries; Educational materials; and an Illustrated Glossary of "
                "genetic counseling and testing terms."
            ),
        ),
    ),
    journal="GeneReviews™",
    pub_year=1993,
    pub_date="1993",
    pub_date_text="1993",
    create_date="2010-03-20",
    entry_date="2010-03-20",
    languages=("eng",),
    publication_status="ppublish",
    history_statuses=("pubmed", "medline", "entrez"),
)

# efetch/biocommons-eutils__efetch_db-pubmed_id-20412080.xml, PMID 20412080: pubmed_130101:
# DateCreated (entrez date wins), no MeSH UI attributes, one article-level <Affiliation> (goes
# to the first author)
OLD_DTD_DATECREATED = Article(
    pmid=20412080,
    title="The human phenotype ontology.",
    abstract=(
        "A standardized, controlled vocabulary allows phenotypic information to be described in "
        "an unambiguous fashion in medical publications and databases. The Human Phenotype "
        "Ontology (HPO) is being developed in an effort to provide such a vocabulary. The use of "
        "an ontology to capture phenotypic information allows the use of computational algorithms "
        "that exploit semantic similarity between related phenotypic abnormalities to define "
        "phenotypic similarity metrics, which can be used to perform database searches for "
        "clinical diagnostics or as a basis for incorporating the human phenome into large-scale "
        "computational analysis of gene expression patterns and other cellular phenomena "
        "associated with human disease. The HPO is freely available at "
        "http://www.human-phenotype-ontology.org."
    ),
    abstract_sections=(
        AbstractSection(
            text=(
                "A standardized, controlled vocabulary allows phenotypic information to be "
                "described in an unambiguous fashion in medical publications and databases. The "
                "Human Phenotype Ontology (HPO) is being developed in an effort to provide such a "
                "vocabulary. The use of an ontology to capture phenotypic information allows the "
                "use of computational algorithms that exploit semantic similarity between related "
                "phenotypic abnormalities to define phenotypic similarity metrics, which can be "
                "used to perform database searches for clinical diagnostics or as a basis for "
                "incorporating the human phenome into large-scale computational analysis of gene "
                "expression patterns and other cellular phenomena associated with human disease. "
                "The HPO is freely available at http://www.human-phenotype-ontology.org."
            ),
        ),
    ),
    authors=(
        Author(
            position=1,
            last_name="Robinson",
            fore_name="P N",
            initials="PN",
            affiliations=(
                (
                    "Institute for Medical Genetics, Augustenburger Platz 1, 13353 Berlin, "
                    "Germany. peter.robinson@charite.de"
                ),
            ),
        ),
        Author(position=2, last_name="Mundlos", fore_name="S", initials="S"),
    ),
    journal="Clinical genetics",
    journal_abbrev="Clin. Genet.",
    issn="1399-0004",
    volume="77",
    issue="6",
    pages="525-34",
    pub_year=2010,
    pub_date="2010-06",
    pub_date_text="2010 Jun",
    create_date="2010-04-24",
    entry_date="2010-04-24",
    completed_date="2010-10-05",
    doi="10.1111/j.1399-0004.2010.01436.x",
    pii="CGE1436",
    languages=("eng",),
    publication_types=("Journal Article", "Review"),
    mesh_headings=(
        MeshHeading(descriptor="Algorithms"),
        MeshHeading(descriptor="Computational Biology", qualifiers=("methods",)),
        MeshHeading(descriptor="Databases, Genetic"),
        MeshHeading(descriptor="Gene Expression"),
        MeshHeading(descriptor="Humans"),
        MeshHeading(descriptor="Phenotype", major=True),
        MeshHeading(descriptor="Vocabulary, Controlled", major=True),
    ),
    publication_status="ppublish",
    citation_status="MEDLINE",
    history_statuses=("aheadofprint", "entrez", "pubmed", "medline"),
)

# efetch/metapub__32294727.xml, PMID 32294727: <Season>Jan-Mar</Season> (pub_date is the year),
# ORCID, no abstract, qualifier-only major topic
SEASON_ORCID = Article(
    pmid=32294727,
    title=(
        "LIVER TRANSPLANTATION IN BRAZIL: THE URGENT NEED OF A NEW ALLOCATION SYSTEM FOR THE "
        "EXCEPTIONS IN MELD SCORE."
    ),
    authors=(
        Author(
            position=1,
            last_name="Andraus",
            fore_name="Wellington",
            initials="W",
            affiliations=(
                (
                    "Universidade de São Paulo (HC FMUSP), Departamento de Gastroenterologia, "
                    "Transplante de Órgãos do Aparelho Digestivo, São Paulo, SP, Brasil."
                ),
            ),
            orcid="0000-0002-5162-138X",
        ),
    ),
    journal="Arquivos de gastroenterologia",
    journal_abbrev="Arq Gastroenterol",
    issn="1678-4219",
    volume="57",
    issue="1",
    pages="1-2",
    pub_year=2020,
    pub_date="2020",
    pub_date_text="2020 Jan-Mar",
    create_date="2020-04-16",
    entry_date="2020-04-16",
    revised_date="2020-05-13",
    completed_date="2020-05-13",
    doi="10.1590/S0004-2803.202000000-01",
    pii="S0004-28032020000100001",
    languages=("eng",),
    publication_types=("Editorial",),
    mesh_headings=(
        MeshHeading(descriptor="Brazil", ui="D001938"),
        MeshHeading(
            descriptor="End Stage Liver Disease",
            ui="D058625",
            major=True,
            qualifiers=("surgery",),
        ),
        MeshHeading(descriptor="Humans", ui="D006801"),
        MeshHeading(descriptor="Liver Neoplasms", ui="D008113", qualifiers=("surgery",)),
        MeshHeading(descriptor="Liver Transplantation", ui="D016031", major=True),
        MeshHeading(descriptor="Severity of Illness Index", ui="D012720"),
        MeshHeading(descriptor="Waiting Lists", ui="D014850", qualifiers=("mortality",)),
    ),
    publication_status="ppublish",
    citation_status="MEDLINE",
    history_statuses=("entrez", "pubmed", "medline"),
)

# efetch/metapub__38048813.xml, PMID 38048813: Language ger, bracketed translated ArticleTitle
# kept as printed, VernacularTitle
GERMAN_BRACKETED = Article(
    pmid=38048813,
    title="[A Broader Scope - Bio-Psycho-Social Medicine In Global Focus].",
    vernacular_title="A Broader Scope – Bio-psycho-soziale Medizin im globalen Fokus.",
    authors=(
        Author(
            position=1,
            last_name="Zipfel",
            fore_name="Stephan",
            initials="S",
            affiliations=(
                (
                    "Abteilung Psychosomatische Medizin und Psychotherapie, Medizinische "
                    "Universitätsklinik Tübingen."
                ),
            ),
        ),
        Author(
            position=2,
            last_name="Stengel",
            fore_name="Andreas",
            initials="A",
            affiliations=(
                (
                    "Abteilung Psychosomatische Medizin und Psychotherapie, Medizinische "
                    "Universitätsklinik Tübingen."
                ),
            ),
        ),
        Author(
            position=3,
            last_name="Erschens",
            fore_name="Rebecca",
            initials="R",
            affiliations=(
                (
                    "Abteilung Psychosomatische Medizin und Psychotherapie, Medizinische "
                    "Universitätsklinik Tübingen."
                ),
            ),
        ),
        Author(
            position=4,
            last_name="Becker",
            fore_name="Ruth",
            initials="R",
            affiliations=(
                (
                    "Abteilung Psychosomatische Medizin und Psychotherapie, Medizinische "
                    "Universitätsklinik Tübingen."
                ),
            ),
        ),
        Author(
            position=5,
            last_name="Giel",
            fore_name="Katrin",
            initials="K",
            affiliations=(
                (
                    "Abteilung Psychosomatische Medizin und Psychotherapie, Medizinische "
                    "Universitätsklinik Tübingen."
                ),
            ),
        ),
    ),
    journal="Psychotherapie, Psychosomatik, medizinische Psychologie",
    journal_abbrev="Psychother Psychosom Med Psychol",
    issn="1439-1058",
    volume="73",
    issue="12",
    pages="487-488",
    pub_year=2023,
    pub_date="2023-12",
    pub_date_text="2023 Dec",
    create_date="2023-12-04",
    entry_date="2023-12-05",
    revised_date="2024-07-26",
    completed_date="2023-12-06",
    doi="10.1055/a-2189-0166",
    languages=("ger",),
    publication_types=("Editorial",),
    mesh_headings=(
        MeshHeading(descriptor="Humans", ui="D006801"),
        MeshHeading(descriptor="Social Medicine", ui="D012936", major=True),
    ),
    publication_status="ppublish",
    citation_status="MEDLINE",
    history_statuses=("medline", "pubmed", "entrez"),
)

# efetch/metapub__36987902.xml, PMID 36987902: two <Language> elements (eng, nor),
# VernacularTitle, ORCID, epublish
TWO_LANGUAGES = Article(
    pmid=36987902,
    title=(
        "Patients over 75 years admitted to the National Burn Centre, Haukeland University "
        "Hospital, 2000-19."
    ),
    vernacular_title=(
        "Pasienter over 75 år innlagt ved Brannskadeavdelinga, Haukeland universitetssjukehus "
        "2000–19."
    ),
    abstract=(
        "BACKGROUND: The number of burn patients over the age of 75 receiving advanced treatment, "
        "including extensive surgery and intensive care, is increasing. We aimed to describe the "
        "treatment and outcomes for burn patients over the age of 75 admitted to the National "
        "Burn Centre at Haukeland University Hospital. We also wanted to investigate whether "
        "frailty scores can be a predictor of the treatment outcome.\n\nMATERIAL AND METHOD: All "
        "patients ≥ 75 years admitted to the National Burn Centre at Haukeland University "
        "Hospital in the period 2000-19 were included in the study. Frailty scores were "
        "calculated retrospectively based on patients' medical records.\n\nRESULTS: Our study "
        "included 101 patients (50 women and 51 men). The number of admissions of older burn "
        "patients increased from an average of 3.3 per year in 2000-14 to 10.2 in the period "
        "2015-19. The median total body surface area with burns was 11 % (range 0.9-80 %). "
        "Seventeen patients received palliative care, and 12 patients receiving active treatment "
        "died in hospital. In 68 of 84 (81 %) actively treated patients, tangential excision and "
        "split-thickness skin grafting were performed. The remainder received conservative "
        "treatment (non-surgical) with wound care and application of a silver dressing. Patients "
        "who died in hospital had a significantly higher total body surface area with burns (p < "
        "0.0001) and higher frailty scores (p = 0.003) than patients who "
        "survived.\n\nINTERPRETATION: The yearly number of patients over the age of 75 treated at "
        "the National Burn Centre tripled during the period. More than two-thirds of the patients "
        "were discharged alive. Extent of burn injury and frailty score are associated with "
        "mortality and may be useful for adjusting therapy."
    ),
    abstract_sections=(
        AbstractSection(
            text=(
                "The number of burn patients over the age of 75 receiving advanced treatment, "
                "including extensive surgery and intensive care, is increasing. We aimed to "
                "describe the treatment and outcomes for burn patients over the age of 75 "
                "admitted to the National Burn Centre at Haukeland University Hospital. We also "
                "wanted to investigate whether frailty scores can be a predictor of the treatment "
                "outcome."
            ),
            label="BACKGROUND",
        ),
        AbstractSection(
            text=(
                "All patients ≥ 75 years admitted to the National Burn Centre at Haukeland "
                "University Hospital in the period 2000-19 were included in the study. Frailty "
                "scores were calculated retrospectively based on patients' medical records."
            ),
            label="MATERIAL AND METHOD",
        ),
        AbstractSection(
            text=(
                "Our study included 101 patients (50 women and 51 men). The number of admissions "
                "of older burn patients increased from an average of 3.3 per year in 2000-14 to "
                "10.2 in the period 2015-19. The median total body surface area with burns was 11 "
                "% (range 0.9-80 %). Seventeen patients received palliative care, and 12 patients "
                "receiving active treatment died in hospital. In 68 of 84 (81 %) actively treated "
                "patients, tangential excision and split-thickness skin grafting were performed. "
                "The remainder received conservative treatment (non-surgical) with wound care and "
                "application of a silver dressing. Patients who died in hospital had a "
                "significantly higher total body surface area with burns (p < 0.0001) and higher "
                "frailty scores (p = 0.003) than patients who survived."
            ),
            label="RESULTS",
        ),
        AbstractSection(
            text=(
                "The yearly number of patients over the age of 75 treated at the National Burn "
                "Centre tripled during the period. More than two-thirds of the patients were "
                "discharged alive. Extent of burn injury and frailty score are associated with "
                "mortality and may be useful for adjusting therapy."
            ),
            label="INTERPRETATION",
        ),
    ),
    authors=(
        Author(
            position=1,
            last_name="Bruserud",
            fore_name="Øyvind",
            initials="Ø",
            affiliations=("Kirurgisk serviceklinikk, Haukeland universitetssjukehus.",),
            orcid="0000-0001-7093-6988",
        ),
        Author(
            position=2,
            last_name="Arnes",
            fore_name="Kaja",
            initials="K",
            affiliations=("Det medisinske fakultet, Universitetet i Bergen.",),
        ),
        Author(
            position=3,
            last_name="Kjørsvik",
            fore_name="Camilla Rygg",
            initials="CR",
            affiliations=("Det medisinske fakultet, Universitetet i Bergen.",),
        ),
        Author(
            position=4,
            last_name="Brekke",
            fore_name="Ragnvald Ljones",
            initials="RL",
            affiliations=(
                (
                    "Avdeling for plastikk-, hånd- og rekonstruktiv kirurgi, Nasjonalt "
                    "brannskadesenter, Haukeland universitetssjukehus, og, Nasjonal "
                    "behandlingstjeneste for avansert brannskadebehandling, Haukeland "
                    "universitetssjukehus, og, Norsk brannskaderegister, Haukeland "
                    "universitetssjukehus."
                ),
            ),
        ),
        Author(
            position=5,
            last_name="Almeland",
            fore_name="Stian Kreken",
            initials="SK",
            affiliations=(
                (
                    "Avdeling for plastikk-, hånd- og rekonstruktiv kirurgi, Nasjonalt "
                    "brannskadesenter, Haukeland universitetssjukehus, og, Nasjonal "
                    "behandlingstjeneste for avansert brannskadebehandling, Haukeland "
                    "universitetssjukehus, og, Det medisinske fakultet, Universitetet i Bergen."
                ),
            ),
        ),
        Author(
            position=6,
            last_name="Guttormsen",
            fore_name="Anne Berit",
            initials="AB",
            affiliations=(
                (
                    "Kirurgisk serviceklinikk, Haukeland universitetssjukehus, og, Nasjonal "
                    "behandlingstjeneste for avansert brannskadebehandling, Haukeland "
                    "universitetssjukehus, og, Det medisinske fakultet, Universitetet i Bergen."
                ),
            ),
        ),
        Author(
            position=7,
            last_name="Onarheim",
            fore_name="Henning",
            initials="H",
            affiliations=(
                (
                    "Kirurgisk serviceklinikk, Haukeland universitetssjukehus, og, Nasjonal "
                    "behandlingstjeneste for avansert brannskadebehandling, Haukeland "
                    "universitetssjukehus, og, Norsk brannskaderegister, Haukeland "
                    "universitetssjukehus, og, Det medisinske fakultet, Universitetet i Bergen."
                ),
            ),
        ),
    ),
    journal="Tidsskrift for den Norske laegeforening : tidsskrift for praktisk medicin, ny raekke",
    journal_abbrev="Tidsskr Nor Laegeforen",
    issn="0807-7096",
    volume="143",
    issue="5",
    pub_year=2023,
    pub_date="2023-03-28",
    pub_date_text="2023 Mar 28",
    create_date="2023-03-29",
    entry_date="2023-03-30",
    revised_date="2023-04-12",
    completed_date="2023-03-30",
    doi="10.4045/tidsskr.22.0358",
    pii="22-0358",
    languages=("eng", "nor"),
    publication_types=("Journal Article",),
    mesh_headings=(
        MeshHeading(descriptor="Male", ui="D008297"),
        MeshHeading(descriptor="Humans", ui="D006801"),
        MeshHeading(descriptor="Female", ui="D005260"),
        MeshHeading(descriptor="Burn Units", ui="D002053"),
        MeshHeading(descriptor="Retrospective Studies", ui="D012189"),
        MeshHeading(
            descriptor="Frailty",
            ui="D000073496",
            major=True,
            qualifiers=("complications",),
        ),
        MeshHeading(
            descriptor="Burns",
            ui="D002056",
            major=True,
            qualifiers=("epidemiology", "therapy"),
        ),
        MeshHeading(descriptor="Hospitals, University", ui="D006785"),
    ),
    publication_status="epublish",
    citation_status="MEDLINE",
    history_statuses=("medline", "pubmed", "entrez"),
)

# efetch/metapub__38962805.xml, PMID 38962805: no AuthorList; Published Erratum with ErratumFor
# link and PMID
NO_AUTHORLIST_ERRATUM_FOR = Article(
    pmid=38962805,
    title="Correction.",
    journal="AIDS care",
    journal_abbrev="AIDS Care",
    issn="1360-0451",
    volume="36",
    issue="sup1",
    pages="228-229",
    pub_year=2024,
    pub_date="2024-07",
    pub_date_text="2024 Jul",
    create_date="2024-07-04",
    entry_date="2024-07-04",
    revised_date="2024-07-28",
    doi="10.1080/09540121.2024.2374185",
    languages=("eng",),
    publication_types=("Journal Article", "Published Erratum"),
    comments_corrections=(
        CommentCorrection(
            ref_type="ErratumFor",
            pmid=38446048,
            source="AIDS Care. 2024 Jul;36(sup1):24-35. doi: 10.1080/09540121.2024.2308745.",
        ),
    ),
    publication_status="ppublish",
    citation_status="PubMed-not-MEDLINE",
    history_statuses=("medline", "pubmed", "entrez"),
)

# baseline/tipplerow__pubmed_sample.xml, PMID 31383387: <PMID Version="3">, Status="Publisher",
# PublicationStatus aheadofprint
VERSION_3_AHEADOFPRINT = Article(
    pmid=31383387,
    title=(
        "Prediction models considering psychological factors to identify pain relief in "
        "conservative treatment of people with knee osteoarthritis: A multicenter, prospective "
        "cohort study."
    ),
    version=3,
    abstract=(
        "BACKGROUND: Pain-related affective and/or cognitive characteristics such as depressive "
        "symptoms, pain catastrophizing, and self-efficacy are known to exacerbate pain in people "
        "with knee osteoarthritis. However, no studies have investigated whether these "
        "psychological factors can interfere with pain relief during conservative treatment. The "
        "object of this study was to assess the prediction models considering psychological "
        "factors to predict pain relief in people with knee osteoarthritis receiving conservative "
        "treatment.\n\nMETHODS: Study design was a multicenter, and prospective cohort study. "
        "Data were collected in the department of physical therapy in 1 hospital and 7 orthopedic "
        "clinics. Eighty-eight people with knee osteoarthritis participated in this study and "
        "were followed for 3 months. The numeric rating scale and the Knee Injury and "
        "Osteoarthritis Outcome Score scale were used to evaluate pain relief. Potential "
        "predictors for pain relief were depressive symptoms, self-efficacy, and pain "
        "catastrophizing. The classification and regression trees methodology was used to develop "
        "the model for predicting the presence of pain relief at 1 and 3 months after the start "
        "of observation. The prediction accuracy was evaluated using the area under the receiver "
        "operating characteristic curves (AUCs).\n\nRESULTS: The model at 1 month after the start "
        "of observation included pain intensity at baseline, positive affect, and disease "
        "duration. The AUC of this model was 0.793 (95% confidential interval, 0.687-0.898). The "
        "model at 3 months after the start of observation included pain catastrophizing and "
        "self-efficacy. The AUC of this model was 0.808 (95% confidential interval, "
        "0.682-0.934).\n\nCONCLUSIONS: The accuracy of prediction model considering pain-related "
        "affective and/or cognitive characteristics is moderate for pain relief in people with "
        "knee osteoarthritis receiving conservative treatment."
    ),
    abstract_sections=(
        AbstractSection(
            text=(
                "Pain-related affective and/or cognitive characteristics such as depressive "
                "symptoms, pain catastrophizing, and self-efficacy are known to exacerbate pain "
                "in people with knee osteoarthritis. However, no studies have investigated "
                "whether these psychological factors can interfere with pain relief during "
                "conservative treatment. The object of this study was to assess the prediction "
                "models considering psychological factors to predict pain relief in people with "
                "knee osteoarthritis receiving conservative treatment."
            ),
            label="BACKGROUND",
            nlm_category="BACKGROUND",
        ),
        AbstractSection(
            text=(
                "Study design was a multicenter, and prospective cohort study. Data were "
                "collected in the department of physical therapy in 1 hospital and 7 orthopedic "
                "clinics. Eighty-eight people with knee osteoarthritis participated in this study "
                "and were followed for 3 months. The numeric rating scale and the Knee Injury and "
                "Osteoarthritis Outcome Score scale were used to evaluate pain relief. Potential "
                "predictors for pain relief were depressive symptoms, self-efficacy, and pain "
                "catastrophizing. The classification and regression trees methodology was used to "
                "develop the model for predicting the presence of pain relief at 1 and 3 months "
                "after the start of observation. The prediction accuracy was evaluated using the "
                "area under the receiver operating characteristic curves (AUCs)."
            ),
            label="METHODS",
            nlm_category="METHODS",
        ),
        AbstractSection(
            text=(
                "The model at 1 month after the start of observation included pain intensity at "
                "baseline, positive affect, and disease duration. The AUC of this model was 0.793 "
                "(95% confidential interval, 0.687-0.898). The model at 3 months after the start "
                "of observation included pain catastrophizing and self-efficacy. The AUC of this "
                "model was 0.808 (95% confidential interval, 0.682-0.934)."
            ),
            label="RESULTS",
            nlm_category="RESULTS",
        ),
        AbstractSection(
            text=(
                "The accuracy of prediction model considering pain-related affective and/or "
                "cognitive characteristics is moderate for pain relief in people with knee "
                "osteoarthritis receiving conservative treatment."
            ),
            label="CONCLUSIONS",
            nlm_category="CONCLUSIONS",
        ),
    ),
    authors=(
        Author(
            position=1,
            last_name="Tanaka",
            fore_name="Ryo",
            initials="R",
            affiliations=(
                (
                    "Graduate School of Integrated Arts and Sciences, Hiroshima University, "
                    "Hiroshima, Japan; Department of Rehabilitation, Hiroshima International "
                    "University, Hiroshima, Japan. Electronic address: ryotana@hiroshima-u.ac.jp."
                ),
            ),
        ),
        Author(
            position=2,
            last_name="Hirohama",
            fore_name="Kenta",
            initials="K",
            affiliations=("Department of Rehabilitation, Sakamidorii Hospital, Hiroshima, Japan.",),
        ),
        Author(
            position=3,
            last_name="Kurashige",
            fore_name="Yuki",
            initials="Y",
            affiliations=(
                (
                    "Department of Rehabilitation, Hatano Rehabilitation Orthopaedic Clinic, "
                    "Hiroshima, Japan."
                ),
            ),
        ),
        Author(
            position=4,
            last_name="Mito",
            fore_name="Kenichiro",
            initials="K",
            affiliations=(
                (
                    "Department of Rehabilitation, Okamoto Orthopaedics and Sports Clinic, "
                    "Hiroshima, Japan."
                ),
            ),
        ),
        Author(
            position=5,
            last_name="Miyamoto",
            fore_name="Shintaro",
            initials="S",
            affiliations=(
                (
                    "Department of Rehabilitation, Ota Orthopaedics and Onari Respiratory Clinic, "
                    "Hiroshima, Japan."
                ),
            ),
        ),
        Author(
            position=6,
            last_name="Masuda",
            fore_name="Ryosuke",
            initials="R",
            affiliations=(
                "Department of Rehabilitation, Hiramatsu Orthopedic Clinic, Hiroshima, Japan.",
            ),
        ),
        Author(
            position=7,
            last_name="Morita",
            fore_name="Tetsushi",
            initials="T",
            affiliations=(
                "Department of Rehabilitation, Asahi Orthopedic Clinic, Hiroshima, Japan.",
            ),
        ),
        Author(
            position=8,
            last_name="Yokota",
            fore_name="Shinichi",
            initials="S",
            affiliations=("Department of Rehabilitation, Yasumoto Clinic, Hiroshima, Japan.",),
        ),
        Author(
            position=9,
            last_name="Sato",
            fore_name="Seisuke",
            initials="S",
            affiliations=(
                (
                    "Department of Rehabilitation, Wako Orthopedic and Sports Clinic, Hiroshima, "
                    "Japan."
                ),
            ),
        ),
    ),
    journal=(
        "Journal of orthopaedic science : official journal of the Japanese Orthopaedic Association"
    ),
    journal_abbrev="J Orthop Sci",
    issn="1436-2023",
    pub_year=2019,
    pub_date="2019-08-02",
    pub_date_text="2019 Aug 2",
    create_date="2019-08-07",
    entry_date="2019-08-07",
    revised_date="2019-08-06",
    doi="10.1016/j.jos.2019.06.016",
    pii="S0949-2658(19)30200-3",
    languages=("eng",),
    publication_types=("Journal Article",),
    publication_status="aheadofprint",
    citation_status="Publisher",
    history_statuses=("received", "revised", "accepted", "entrez", "pubmed", "medline"),
)

# baseline/tipplerow__32048627.xml, PMID 32048627: <i> in ArticleTitle, <sup>/<sub> in
# AbstractText, Status In-Data-Review
MARKUP_IN_TITLE_AND_ABSTRACT = Article(
    pmid=32048627,
    title="In vitro comparison of the cytotoxic effects of statins in the U266 myeloma cell line.",
    abstract=(
        "Background & objectives: Statins are one of the most widely used drugs and have "
        "antilipidemic effects as well as antioxidant, anti-inflammatory, anti-angiogenic and "
        "anti-tumorigenic effects. It has been shown that the synergistic combinations of statins "
        "which can provide better clinical benefit in the treatment of cancer and if administered "
        "with other anticancer agents, may be an alternative treatment modality. The aim of this "
        "study was to assess the efficacy of administrating statin in multiple myeloma (MM) cell "
        "line on cell proliferation.\n\nMethods: U266 myeloma cells were cultured in 25 or 75 "
        "cm[2] flasks by using cell culture medium mixtures obtained with the supplementation of "
        "10 per cent foetal bovine serum and one per cent of penicillin-streptomycin into RPMI "
        "1640 medium. When the cells reached confluence (reached to the density of 70%), they "
        "were reproduced by passaging. Cytotoxicity was evaluated by using the XTT "
        "test.\n\nResults: Statins (atorvastatin and simvastatin), were administered to the U266 "
        "myeloma cell line at 100, 50, 25, 12.5, 6.25 and 3.12 μM concentrations. Inhibitor "
        "concentration 50 (IC50) values calculated for atorvastatin and simvastatin were "
        "determined as 94 and 38 μM, respectively. While 100, 50, 25, 12.5, 6.25 and 3.12 μM "
        "concentrations were used for bortezomib, the IC50value calculated for this agent was "
        "18.2 nM. When six concentrations of bortezomib used in the study were combined with 12.5 "
        "μM inactive concentrations of statins that did not cause inhibition in cell "
        "proliferation, both atorvastatin and simvastatin increased the effect of bortezomib at "
        "all the concentrations used, and simvastatin showed a stronger efficacy than "
        "atorvastatin.\n\nInterpretation & conclusions: Our in vitro results indicated that "
        "atorvastatin and simvastatin when used along with the conventional treatment in myeloma "
        "patients, may improve the effectiveness of the standard therapy and prevent the "
        "bortezomib-induced cytotoxic and neurotoxic side effects when used at a low dose. "
        "Further studies need to be done in MM patints to confirm these findings."
    ),
    abstract_sections=(
        AbstractSection(
            text=(
                "Statins are one of the most widely used drugs and have antilipidemic effects as "
                "well as antioxidant, anti-inflammatory, anti-angiogenic and anti-tumorigenic "
                "effects. It has been shown that the synergistic combinations of statins which "
                "can provide better clinical benefit in the treatment of cancer and if "
                "administered with other anticancer agents, may be an alternative treatment "
                "modality. The aim of this study was to assess the efficacy of administrating "
                "statin in multiple myeloma (MM) cell line on cell proliferation."
            ),
            label="Background & objectives",
            nlm_category="UNASSIGNED",
        ),
        AbstractSection(
            text=(
                "U266 myeloma cells were cultured in 25 or 75 cm[2] flasks by using cell culture "
                "medium mixtures obtained with the supplementation of 10 per cent foetal bovine "
                "serum and one per cent of penicillin-streptomycin into RPMI 1640 medium. When "
                "the cells reached confluence (reached to the density of 70%), they were "
                "reproduced by passaging. Cytotoxicity was evaluated by using the XTT test."
            ),
            label="Methods",
            nlm_category="UNASSIGNED",
        ),
        AbstractSection(
            text=(
                "Statins (atorvastatin and simvastatin), were administered to the U266 myeloma "
                "cell line at 100, 50, 25, 12.5, 6.25 and 3.12 μM concentrations. Inhibitor "
                "concentration 50 (IC50) values calculated for atorvastatin and simvastatin were "
                "determined as 94 and 38 μM, respectively. While 100, 50, 25, 12.5, 6.25 and 3.12 "
                "μM concentrations were used for bortezomib, the IC50value calculated for this "
                "agent was 18.2 nM. When six concentrations of bortezomib used in the study were "
                "combined with 12.5 μM inactive concentrations of statins that did not cause "
                "inhibition in cell proliferation, both atorvastatin and simvastatin increased "
                "the effect of bortezomib at all the concentrations used, and simvastatin showed "
                "a stronger efficacy than atorvastatin."
            ),
            label="Results",
            nlm_category="UNASSIGNED",
        ),
        AbstractSection(
            text=(
                "Our in vitro results indicated that atorvastatin and simvastatin when used along "
                "with the conventional treatment in myeloma patients, may improve the "
                "effectiveness of the standard therapy and prevent the bortezomib-induced "
                "cytotoxic and neurotoxic side effects when used at a low dose. Further studies "
                "need to be done in MM patints to confirm these findings."
            ),
            label="Interpretation & conclusions",
            nlm_category="UNASSIGNED",
        ),
    ),
    authors=(
        Author(
            position=1,
            last_name="Terzi",
            fore_name="Hatice",
            initials="H",
            affiliations=(
                (
                    "Department of Hematology, Faculty of Medicine, Cumhuriyet University, Sivas, "
                    "Turkey."
                ),
            ),
        ),
        Author(
            position=2,
            last_name="Altun",
            fore_name="Ahmet",
            initials="A",
            affiliations=(
                (
                    "Department of Pharmacology, Faculty of Medicine, Cumhuriyet University, "
                    "Sivas, Turkey."
                ),
            ),
        ),
        Author(
            position=3,
            last_name="Şencan",
            fore_name="Mehmet",
            initials="M",
            affiliations=(
                (
                    "Department of Hematology, Faculty of Medicine, Cumhuriyet University, Sivas, "
                    "Turkey."
                ),
            ),
        ),
    ),
    journal="The Indian journal of medical research",
    journal_abbrev="Indian J. Med. Res.",
    issn="0971-5916",
    volume="150",
    issue="6",
    pages="630-634",
    pub_year=2019,
    pub_date="2019-12",
    pub_date_text="2019 Dec",
    create_date="2020-02-13",
    revised_date="2020-02-12",
    doi="10.4103/ijmr.IJMR_672_18",
    pii="IndianJMedRes_2019_150_6_630_277415",
    languages=("eng",),
    publication_types=("Journal Article",),
    keywords=(
        "Bortezomib",
        "cancer",
        "cytotoxic effect",
        "multiple myeloma",
        "standard therapy",
        "statin",
    ),
    publication_status="ppublish",
    citation_status="In-Data-Review",
    history_statuses=("entrez",),
)

# efetch/metapub__34843274.xml, PMID 34843274: group author <CollectiveName>
COLLECTIVE_NAME = Article(
    pmid=34843274,
    title=(
        "Summary of the clinical practice guideline for the treatment of depression across three "
        "age cohorts."
    ),
    abstract=(
        "The American Psychological Association (APA) developed this clinical practice guideline "
        "to provide recommendations for the treatment of depressive disorders, including major "
        "depression, subsyndromal depression, and persistent depressive disorder. It addresses "
        "three developmental cohorts: adolescents, general adults, and older adults (ages 60 and "
        "over). Ten systematic reviews and meta-analyses, along with other literature and "
        "observations from practitioners and patients, served as the basis for the guideline. The "
        "guideline development panel consisted of health professionals from psychology, "
        "psychiatry, and family medicine as well as community members who self-identified as "
        "having had depression. The panel examined the efficacy of psychological treatments and "
        "of complementary and alternative medicine treatments. It also examined comparative "
        "effectiveness among psychological treatments, by themselves and in combination with "
        "pharmacotherapy, and comparative effectiveness of psychological treatments in relation "
        "to pharmacotherapy and to complementary and alternative treatments. The panel made "
        "recommendations for treatment of depression in adolescents, adults, and older adults but "
        "did not make treatment recommendations specific to children. These recommendations, "
        "presented in detail in the guideline, are summarized here. The target audience for the "
        "guideline includes clinicians, researchers, patients, family members, and policymakers. "
        "(PsycInfo Database Record (c) 2022 APA, all rights reserved)."
    ),
    abstract_sections=(
        AbstractSection(
            text=(
                "The American Psychological Association (APA) developed this clinical practice "
                "guideline to provide recommendations for the treatment of depressive disorders, "
                "including major depression, subsyndromal depression, and persistent depressive "
                "disorder. It addresses three developmental cohorts: adolescents, general adults, "
                "and older adults (ages 60 and over). Ten systematic reviews and meta-analyses, "
                "along with other literature and observations from practitioners and patients, "
                "served as the basis for the guideline. The guideline development panel consisted "
                "of health professionals from psychology, psychiatry, and family medicine as well "
                "as community members who self-identified as having had depression. The panel "
                "examined the efficacy of psychological treatments and of complementary and "
                "alternative medicine treatments. It also examined comparative effectiveness "
                "among psychological treatments, by themselves and in combination with "
                "pharmacotherapy, and comparative effectiveness of psychological treatments in "
                "relation to pharmacotherapy and to complementary and alternative treatments. The "
                "panel made recommendations for treatment of depression in adolescents, adults, "
                "and older adults but did not make treatment recommendations specific to "
                "children. These recommendations, presented in detail in the guideline, are "
                "summarized here. The target audience for the guideline includes clinicians, "
                "researchers, patients, family members, and policymakers. (PsycInfo Database "
                "Record (c) 2022 APA, all rights reserved)."
            ),
        ),
    ),
    authors=(
        Author(
            position=1,
            collective_name="Guideline Development Panel for the Treatment of Depressive Disorders",
        ),
    ),
    journal="The American psychologist",
    journal_abbrev="Am Psychol",
    issn="1935-990X",
    volume="77",
    issue="6",
    pages="770-780",
    pub_year=2022,
    pub_date="2022-09",
    pub_date_text="2022 Sep",
    create_date="2021-11-29",
    entry_date="2021-11-30",
    revised_date="2025-07-28",
    completed_date="2022-09-13",
    doi="10.1037/amp0000904",
    pii="2022-06921-001",
    languages=("eng",),
    publication_types=("Journal Article", "Research Support, Non-U.S. Gov't"),
    mesh_headings=(
        MeshHeading(descriptor="Adolescent", ui="D000293"),
        MeshHeading(descriptor="Aged", ui="D000368"),
        MeshHeading(descriptor="Child", ui="D002648"),
        MeshHeading(
            descriptor="Depression",
            ui="D003863",
            major=True,
            qualifiers=("therapy",),
        ),
        MeshHeading(descriptor="Depressive Disorder", ui="D003866", major=True),
        MeshHeading(descriptor="Humans", ui="D006801"),
        MeshHeading(descriptor="Middle Aged", ui="D008875"),
        MeshHeading(descriptor="Societies, Scientific", ui="D012958"),
    ),
    publication_status="ppublish",
    citation_status="MEDLINE",
    history_statuses=("pubmed", "medline", "entrez"),
)

# baseline/net-synergy__pubmed21n0001.xml, PMID 2: 1975 record from the annual baseline:
# ErratumIn link
ERRATUM_IN_1975 = Article(
    pmid=2,
    title=(
        "Delineation of the intimate details of the backbone conformation of pyridine nucleotide "
        "coenzymes in aqueous solution."
    ),
    authors=(
        Author(position=1, last_name="Bose", fore_name="K S", initials="KS"),
        Author(position=2, last_name="Sarma", fore_name="R H", initials="RH"),
    ),
    journal="Biochemical and biophysical research communications",
    journal_abbrev="Biochem Biophys Res Commun",
    issn="1090-2104",
    volume="66",
    issue="4",
    pages="1173-9",
    pub_year=1975,
    pub_date="1975-10-27",
    pub_date_text="1975 Oct 27",
    create_date="1975-10-27",
    entry_date="1975-10-27",
    revised_date="2019-06-12",
    completed_date="1976-01-10",
    doi="10.1016/0006-291x(75)90482-9",
    pii="0006-291X(75)90482-9",
    languages=("eng",),
    publication_types=(
        "Journal Article",
        "Research Support, U.S. Gov't, Non-P.H.S.",
        "Research Support, U.S. Gov't, P.H.S.",
    ),
    mesh_headings=(
        MeshHeading(descriptor="Fourier Analysis", ui="D005583"),
        MeshHeading(descriptor="Magnetic Resonance Spectroscopy", ui="D009682"),
        MeshHeading(descriptor="Models, Molecular", ui="D008958"),
        MeshHeading(descriptor="Molecular Conformation", ui="D008968"),
        MeshHeading(
            descriptor="NAD",
            ui="D009243",
            major=True,
            qualifiers=("analogs & derivatives",),
        ),
        MeshHeading(descriptor="NADP", ui="D009249", major=True),
        MeshHeading(descriptor="Structure-Activity Relationship", ui="D013329"),
        MeshHeading(descriptor="Temperature", ui="D013696"),
    ),
    chemicals=("NAD", "NADP"),
    comments_corrections=(
        CommentCorrection(
            ref_type="ErratumIn",
            pmid=8,
            source="Biochem Pharmacol. 1975 Aug 15;24(16):1517-21",
        ),
    ),
    publication_status="ppublish",
    citation_status="MEDLINE",
    history_statuses=("pubmed", "medline", "entrez"),
)

# baseline/tipplerow__pubmed_sample.xml, PMID 31383582: CommentOn link (Comment publication
# type)
COMMENT_ON = Article(
    pmid=31383582,
    title="Ironing out frequent blood donation.",
    authors=(
        Author(
            position=1,
            last_name="Devine",
            fore_name="Dana V",
            initials="DV",
            affiliations=(
                (
                    "Canadian Blood Services, Centre for Innovation and the Centre for Blood "
                    "Research, University of British Columbia, Vancouver, BC V6T 1Z3, Canada. "
                    "Electronic address: dana.devine@blood.ca."
                ),
            ),
        ),
    ),
    journal="The Lancet. Haematology",
    journal_abbrev="Lancet Haematol",
    issn="2352-3026",
    volume="6",
    issue="10",
    pages="e492-e493",
    pub_year=2019,
    pub_date="2019-10",
    pub_date_text="2019 Oct",
    create_date="2019-08-07",
    entry_date="2019-08-07",
    revised_date="2019-10-22",
    completed_date="2019-10-21",
    doi="10.1016/S2352-3026(19)30162-0",
    pii="S2352-3026(19)30162-0",
    languages=("eng",),
    publication_types=("Journal Article", "Comment"),
    mesh_headings=(
        MeshHeading(descriptor="Blood Donors", ui="D001782", major=True),
        MeshHeading(descriptor="Humans", ui="D006801"),
    ),
    comments_corrections=(
        CommentCorrection(
            ref_type="CommentOn",
            pmid=28941948,
            source="Lancet. 2017 Nov 25;390(10110):2360-2371",
        ),
    ),
    publication_status="ppublish",
    citation_status="MEDLINE",
    history_statuses=("received", "accepted", "pubmed", "medline", "entrez"),
)


@pytest.mark.parametrize(
    ("rel", "pmid", "version", "expected"),
    [
        pytest.param(
            "efetch/sul_pub__pubmed_record_23388678.xml",
            23388678,
            1,
            MEDLINEDATE_FRAGMENT,
            id="medlinedate_fragment",
        ),
        pytest.param(
            "efetch/eutils-json__efetch.pubmedbook.xml", 20301295, 1, WHOLE_BOOK, id="whole_book"
        ),
        pytest.param(
            "efetch/biocommons-eutils__efetch_db-pubmed_id-20412080.xml",
            20412080,
            1,
            OLD_DTD_DATECREATED,
            id="old_dtd_datecreated",
        ),
        pytest.param("efetch/metapub__32294727.xml", 32294727, 1, SEASON_ORCID, id="season_orcid"),
        pytest.param(
            "efetch/metapub__38048813.xml", 38048813, 1, GERMAN_BRACKETED, id="german_bracketed"
        ),
        pytest.param(
            "efetch/metapub__36987902.xml", 36987902, 1, TWO_LANGUAGES, id="two_languages"
        ),
        pytest.param(
            "efetch/metapub__38962805.xml",
            38962805,
            1,
            NO_AUTHORLIST_ERRATUM_FOR,
            id="no_authorlist_erratum_for",
        ),
        pytest.param(
            "baseline/tipplerow__pubmed_sample.xml",
            31383387,
            3,
            VERSION_3_AHEADOFPRINT,
            id="version_3_aheadofprint",
        ),
        pytest.param(
            "baseline/tipplerow__32048627.xml",
            32048627,
            1,
            MARKUP_IN_TITLE_AND_ABSTRACT,
            id="markup_in_title_and_abstract",
        ),
        pytest.param(
            "efetch/metapub__34843274.xml", 34843274, 1, COLLECTIVE_NAME, id="collective_name"
        ),
        pytest.param(
            "baseline/net-synergy__pubmed21n0001.xml", 2, 1, ERRATUM_IN_1975, id="erratum_in_1975"
        ),
        pytest.param(
            "baseline/tipplerow__pubmed_sample.xml", 31383582, 1, COMMENT_ON, id="comment_on"
        ),
    ],
)
def test_real_record_parses_to_the_whole_expected_article(
    rel: str, pmid: int, version: int, expected: Article
) -> None:
    assert _record(rel, pmid, version) == expected


def test_collective_name_author_keeps_the_group_name_as_short_name() -> None:
    (author,) = COLLECTIVE_NAME.authors
    assert author.collective_name and author.short_name == author.collective_name
    assert _record("efetch/metapub__34843274.xml", 34843274).authors == (author,)


def test_investigator_list_is_not_merged_into_authors() -> None:
    # PMID 23121403 (pubmed_150101) has a 13-entry AuthorList ending in a CollectiveName
    # and a separate <InvestigatorList>; only the AuthorList counts.
    rel = "efetch/biocommons-eutils__efetch_db-pubmed_id-23121403.xml"
    article = _record(rel, 23121403)
    raw = (SAMPLES / rel).read_bytes()
    author_list = raw[raw.index(b"<AuthorList") : raw.index(b"</AuthorList>")]
    assert b"<InvestigatorList" in raw
    assert len(article.authors) == author_list.count(b"<Author ") == 13
    assert article.authors[-1].collective_name is not None
    assert article.create_date == "2012-11-06"  # History "entrez"; DateCreated is 2012-11-22


def test_book_chapter_uses_its_own_title_and_skips_the_editors() -> None:
    # PMID 20301577: <ArticleTitle><i>CACNA1C</i>-Related Disorders</ArticleTitle>, the
    # GeneReviews<sup>®</sup> BookTitle and 6 editors in <Book><AuthorList Type="editors">.
    article = _record("efetch/metapub__sample_article_20301577.xml", 20301577)
    assert article.record_type == "book"
    assert article.title == "CACNA1C-Related Disorders"
    assert article.journal == "GeneReviews®"
    assert [a.last_name for a in article.authors] == ["Napolitano", "Priori"]
    assert [s.label for s in article.abstract_sections] == [
        "CLINICAL CHARACTERISTICS",
        "DIAGNOSIS/TESTING",
        "MANAGEMENT",
        "GENETIC COUNSELING",
    ]
    assert "Copyright" not in (article.abstract or "")


# ---------------------------------------------------------------- every sample file


def _provenance_counts() -> dict[str, int]:
    """'N record(s)' per efetch/ and baseline/ file, as PROVENANCE.md lists them."""
    counts = {}
    for line in (SAMPLES / "PROVENANCE.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| ((?:efetch|baseline)/\S+) \|.*?\| (\d+) record\(s\)", line)
        if match:
            counts[match.group(1)] = int(match.group(2))
    return counts


PROVENANCE_COUNTS = _provenance_counts()


def test_provenance_lists_every_sample_xml_file() -> None:
    on_disk = {
        str(p.relative_to(SAMPLES))
        for sub in ("efetch", "baseline")
        for p in (SAMPLES / sub).iterdir()
    }
    assert on_disk == set(PROVENANCE_COUNTS)


@pytest.mark.parametrize("rel", sorted(PROVENANCE_COUNTS))
def test_sample_file_yields_the_record_count_provenance_gives(rel: str) -> None:
    records = list(open_pubmed_file(SAMPLES / rel))
    articles = [r for r in records if isinstance(r, Article)]
    assert len(articles) == PROVENANCE_COUNTS[rel]
    assert all(a.pmid > 0 and a.title for a in articles)


@pytest.mark.parametrize(
    ("rel", "deleted"),
    [
        ("baseline/tipplerow__pubmed20n1203.xml.gz", 23),
        ("baseline/tipplerow__pubmed_sample.xml", 3),
    ],
)
def test_delete_citation_blocks_are_yielded_with_their_pmids(rel: str, deleted: int) -> None:
    blocks = [r for r in open_pubmed_file(SAMPLES / rel) if isinstance(r, DeletedCitations)]
    assert len(blocks) == 1
    assert len(blocks[0].pmids) == deleted
    assert all(isinstance(p, int) and p > 0 for p in blocks[0].pmids)


def test_parse_pubmed_xml_skips_deleted_citations() -> None:
    data = (SAMPLES / "baseline/tipplerow__pubmed_sample.xml").read_bytes()
    articles = parse_pubmed_xml(data)
    assert len(articles) == 7 and all(isinstance(a, Article) for a in articles)
    # the same PMID served twice, as Version 1 and Version 2
    assert [(a.pmid, a.version) for a in articles if a.pmid == 31383287] == [
        (31383287, 1),
        (31383287, 2),
    ]


def test_empty_efetch_result_yields_nothing() -> None:
    # efetch/metapub__37909814.xml: <PubmedArticleSet></PubmedArticleSet> (PMID not found)
    assert list(open_pubmed_file(SAMPLES / "efetch/metapub__37909814.xml")) == []


def _cassette_bodies() -> Iterator[tuple[str, int, str]]:
    """efetch XML bodies recorded in the VCR cassettes (vcrpy and Ruby VCR layouts)."""
    yaml = pytest.importorskip("yaml")
    for path in sorted((SAMPLES / "http-cassettes").iterdir()):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        exchanges = doc.get("interactions") or doc.get("http_interactions") or []
        for n, exchange in enumerate(exchanges):
            body = (exchange.get("response") or {}).get("body") or {}
            text = body.get("string") if isinstance(body, dict) else None
            uri = str((exchange.get("request") or {}).get("uri", ""))
            if isinstance(text, str) and "efetch" in uri and "<PubmedArticleSet" in text:
                yield path.name, n, text


def test_every_recorded_efetch_body_parses_completely() -> None:
    bodies = list(_cassette_bodies())
    assert len(bodies) >= 20
    for name, n, text in bodies:
        expected = len(re.findall(r"<Pubmed(?:Book)?Article>", text))
        articles = parse_pubmed_xml(text.encode("utf-8"))
        assert len(articles) == expected, f"{name} interaction {n}"


# ---------------------------------------------------------------- crafted inputs

CRAFTED_HOSTILE_TITLE = b"""<?xml version="1.0"?>
<PubmedArticleSet><PubmedArticle><MedlineCitation Status="MEDLINE">
<PMID Version="1">99999999</PMID><Article><Journal><Title>Crafted</Title></Journal>
<ArticleTitle>&lt;script&gt;alert(1)&lt;/script&gt; <i>x</i></ArticleTitle>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"""


def test_crafted_hostile_title_stays_literal_text() -> None:
    (article,) = parse_pubmed_xml(CRAFTED_HOSTILE_TITLE)
    assert article.title == "<script>alert(1)</script> x"


def test_crafted_xxe_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    crafted = (
        f'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [\n'
        f'  <!ENTITY x SYSTEM "file://{secret}">\n]>\n'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>&x;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ).encode()
    with pytest.raises(PubmedParseError, match="crafted-xxe.xml: refusing a DOCTYPE"):
        list(iter_pubmed_xml(crafted, name="crafted-xxe.xml"))


def test_crafted_xxe_inside_the_real_pubmed_doctype_is_refused() -> None:
    crafted = (
        b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
        b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd" '
        b'[<!ENTITY x SYSTEM "file:///etc/passwd">]><PubmedArticleSet/>'
    )
    with pytest.raises(PubmedParseError, match="internal subset"):
        list(iter_pubmed_xml(crafted))


def test_crafted_billion_laughs_is_refused_quickly() -> None:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">' for i in range(1, 10)
    ]
    crafted = (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [' + "".join(entities) + "]>"
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        "<ArticleTitle>&lol9;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ).encode()
    started = time.monotonic()
    with pytest.raises(PubmedParseError):
        list(iter_pubmed_xml(crafted))
    assert time.monotonic() - started < 5  # generous: an expansion would never finish


@pytest.mark.parametrize(
    ("crafted", "message"),
    [
        (b"", "empty input"),
        (b"  \n ", "empty input"),
        (b'{"esearchresult": {}}', "not XML"),
        (
            b"<eSearchResult><Count>0</Count></eSearchResult>",
            r"not PubMed XML \(root element <eSearchResult>\)",
        ),
        (b"<html><body>Bad Gateway</body></html>", "not PubMed XML"),
        (b'<?xml version="1.0" encoding="UTF-7"?><PubmedArticleSet/>', "unsupported encoding"),
        ("<PubmedArticleSet/>".encode("utf-16"), "not UTF-8"),
        (b"<PubmedArticleSet><PubmedArticle><MedlineCitation>", "malformed or truncated"),
    ],
    ids=["empty", "blank", "json", "esearch", "html", "utf7", "utf16", "cut-early"],
)
def test_crafted_not_pubmed_input_raises_one_clear_error(crafted: bytes, message: str) -> None:
    with pytest.raises(PubmedParseError, match=message):
        list(iter_pubmed_xml(crafted, name="crafted.xml"))


def test_crafted_truncation_yields_complete_records_then_raises() -> None:
    data = (SAMPLES / "baseline/net-synergy__pubmed21n0001.xml").read_bytes()
    cut = data.index(b"<PubmedArticle>", data.index(b'<PMID Version="1">4</PMID>')) + 500
    got: list[Article | DeletedCitations] = []
    with pytest.raises(PubmedParseError, match="truncated"):
        for record in iter_pubmed_xml(io.BytesIO(data[:cut]), name="crafted-cut.xml"):
            got.append(record)
    assert [a.pmid for a in got if isinstance(a, Article)] == [1, 2, 3, 4]


def test_crafted_corrupt_gzip_names_the_file(tmp_path: Path) -> None:
    good = gzip.compress((SAMPLES / "efetch/metapub__38962805.xml").read_bytes())
    crafted = tmp_path / "crafted-corrupt.xml.gz"
    crafted.write_bytes(good[: len(good) // 2])  # gzip stream cut in the middle
    with pytest.raises(PubmedParseError, match="crafted-corrupt.xml.gz"):
        list(open_pubmed_file(crafted))
    crafted.write_bytes(b"\x1f\x8b" + b"\x00" * 64)  # gzip magic, garbage after it
    with pytest.raises(PubmedParseError, match="crafted-corrupt.xml.gz"):
        list(open_pubmed_file(crafted))


def test_plain_and_gzipped_files_parse_the_same(tmp_path: Path) -> None:
    plain = SAMPLES / "baseline/tipplerow__pubmed_sample.xml"
    packed = tmp_path / "pubmed_sample.xml.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert list(open_pubmed_file(packed)) == list(open_pubmed_file(plain))


# ---------------------------------------------------------------- streaming


def _renumbered_stream(copies: int) -> Iterator[bytes]:
    """Crafted multi-record file: the 49 real records of pubmed21n0001.xml repeated with
    fresh PMIDs, produced lazily so the test input itself never sits in memory."""
    tree = etree.parse(
        str(SAMPLES / "baseline/net-synergy__pubmed21n0001.xml"),
        etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True),
    )
    records = [etree.tostring(r) for r in tree.getroot().iterfind("PubmedArticle")]
    yield b'<?xml version="1.0"?>\n<PubmedArticleSet>\n'
    pmid = 0
    for _ in range(copies):
        for record in records:
            pmid += 1
            yield re.sub(rb"(<MedlineCitation[^>]*>\s*<PMID[^>]*>)\d+", rb"\g<1>%d" % pmid, record)
    yield b"</PubmedArticleSet>\n"


class _GeneratorReader(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return next(self._chunks, b"")


def test_crafted_5000_record_stream_parses_in_flat_memory() -> None:
    copies = 103  # 103 x 49 = 5047 records, ~60 MB of XML
    tracemalloc.start()
    try:
        count, last = 0, 0
        for record in iter_pubmed_xml(_GeneratorReader(_renumbered_stream(copies))):
            assert isinstance(record, Article)
            count, last = count + 1, record.pmid
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == last == copies * 49
    # tracemalloc sees Python objects only (lxml's C tree is invisible to it), so this
    # catches the Python side holding on to Articles or elements; 60 MB kept would fail.
    assert peak < 20 * 1024 * 1024
