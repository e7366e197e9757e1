"""Response bodies of the local E-utilities server, shaped like NCBI's.

Shapes follow the recorded answers in tests/data/pubmed-samples (esearch DOCTYPE and
element order from the 2024 hawc cassettes, the empty efetch set from metapub__37909814.xml).
"""

from __future__ import annotations

from datetime import date, timedelta
from xml.sax.saxutils import escape

from tracker.lookalikes.eutils.terms import DateRange, parse_date_bound

PUBMED_CAP = 9999  # ESearch never returns more than the first 9,999 ids (NCBI-NOTES A5)
ESEARCH_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC '
    '"-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n'
)
EFETCH_HEAD = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)
# The JSON users' wording of the cap error (EhsanBitaraf/triple-a README, NCBI-NOTES A5).
RETSTART_ERROR = (
    "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
    "ESearch can only retrieve the first 9,999 records matching the query."
)


def error_xml(message: str, root: str = "eSearchResult") -> str:
    return f"{ESEARCH_HEAD}<{root}><ERROR>{escape(message)}</ERROR></{root}>\n"


def id_list(text: str) -> list[int]:
    seen: dict[int, None] = {}
    for part in text.replace(" ", ",").split(","):
        if part.strip().isdigit():
            seen.setdefault(int(part), None)
    return list(seen)


def date_window(params: dict[str, str]) -> DateRange | None:
    """datetype + mindate/maxdate (or reldate), both ends inclusive."""
    field = params.get("datetype", "pdat").casefold()
    if field not in ("crdt", "edat", "mdat", "pdat"):
        raise ValueError(f"unknown datetype {field!r}")
    if params.get("reldate"):
        end = date.today()
        return DateRange(field, end - timedelta(days=int(params["reldate"])), end)
    lo, hi = params.get("mindate"), params.get("maxdate")
    if not lo and not hi:
        return None
    # EDirect fills a missing end the same way (NCBI-NOTES A6).
    start = parse_date_bound(lo, end=False) if lo else date(1800, 1, 1)
    end = parse_date_bound(hi, end=True) if hi else date(3000, 12, 31)
    return DateRange(field, start, end)


def esearch_body(
    ids: list[int],
    retstart: int,
    retmax: int,
    translation: str,
    not_found: list[str],
    unknown_fields: list[str],
) -> str:
    count = len(ids)
    stop = min(retstart + max(retmax, 0), PUBMED_CAP, count)
    page = ids[retstart:stop] if retstart < stop else []
    warnings = []
    if retstart + retmax > PUBMED_CAP:
        # Wording from biopython#4189/#4353 (NCBI-NOTES A5).
        warnings.append(
            "Restrictions achieved. start and count adjusted to "
            f"{retstart}, {PUBMED_CAP - retstart}"
        )
    if count == 0:
        warnings.append("No items found.")
    idlist = (
        "<IdList>\n" + "".join(f"<Id>{i}</Id>\n" for i in page) + "</IdList>"
        if page
        else "<IdList/>"
    )
    errors = [f"<PhraseNotFound>{escape(p)}</PhraseNotFound>" for p in not_found]
    errors += [f"<FieldNotFound>{escape(f)}</FieldNotFound>" for f in unknown_fields]
    tail = f"<ErrorList>{''.join(errors)}</ErrorList>" if errors else ""
    if warnings:
        tail += (
            "<WarningList>"
            + "".join(f"<OutputMessage>{escape(w)}</OutputMessage>" for w in warnings)
            + "</WarningList>"
        )
    return (
        f"{ESEARCH_HEAD}<eSearchResult><Count>{count}</Count><RetMax>{len(page)}</RetMax>"
        f"<RetStart>{retstart}</RetStart>{idlist}<TranslationSet/>"
        f"<QueryTranslation>{escape(translation)}</QueryTranslation>{tail}</eSearchResult>\n"
    )
