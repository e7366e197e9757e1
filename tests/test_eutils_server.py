"""The local E-utilities server: shapes against the real samples, search semantics, faults."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from datetime import date

import httpx
import pytest
from helpers import ROOT, efetch_file
from lxml import etree

from tracker.lookalikes.eutils.corpus import split_records
from tracker.lookalikes.eutils.server import LocalEutils

ERGO = 32051057  # efetch/metapub__32051057.xml: History "entrez" 2020-02-14, DateRevised 2025-05-30
BOOK = 20301295  # efetch/eutils-json__efetch.pubmedbook.xml: a PubmedBookArticle
RCT = 23121403  # efetch/biocommons-eutils__…23121403.xml: a Randomized Controlled Trial


def esearch(server: LocalEutils, method: str = "GET", **params: object) -> httpx.Response:
    data = {"db": "pubmed", **{k: str(v) for k, v in params.items()}}
    url = server.base_url + "esearch.fcgi"
    if method == "GET":
        return httpx.get(url, params=data, timeout=10)
    return httpx.post(url, data=data, timeout=10)


def ids_of(response: httpx.Response) -> list[int]:
    root = etree.fromstring(response.content)
    return [int(i) for i in root.xpath("/eSearchResult/IdList/Id/text()")]


def count_of(response: httpx.Response) -> int:
    return int(etree.fromstring(response.content).findtext("Count"))


def search_set(server: LocalEutils, term: str) -> set[int]:
    return set(ids_of(esearch(server, term=term, retmax=9999)))


def efetch(server: LocalEutils, ids: str, method: str = "POST") -> httpx.Response:
    data = {"db": "pubmed", "id": ids, "retmode": "xml"}
    url = server.base_url + "efetch.fcgi"
    if method == "GET":
        return httpx.get(url, params=data, timeout=10)
    return httpx.post(url, data=data, timeout=10)


# -- efetch -------------------------------------------------------------------------------


def test_efetch_serves_the_recorded_record_bytes_unchanged(eutils_server: LocalEutils) -> None:
    recorded = next(split_records(efetch_file(f"metapub__{ERGO}.xml").read_bytes()))
    response = efetch(eutils_server, str(ERGO))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert response.content == (
        b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
        b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
        b"<PubmedArticleSet>\n" + recorded + b"\n</PubmedArticleSet>"
    )


def test_efetch_keeps_request_order_and_omits_unknown_pmids(eutils_server: LocalEutils) -> None:
    response = efetch(eutils_server, f"{RCT},99999999,{ERGO},{RCT}", method="GET")
    root = etree.fromstring(response.content)
    assert root.xpath("//MedlineCitation/PMID/text()") == [str(RCT), str(ERGO)]


def test_efetch_without_records_has_ncbi_empty_set_shape(eutils_server: LocalEutils) -> None:
    real_empty = efetch_file("metapub__37909814.xml").read_bytes()  # PMID not found
    assert efetch(eutils_server, "99999999").content == real_empty.rstrip()
    assert efetch(eutils_server, "").content == real_empty.rstrip()


def test_efetch_serves_book_articles(eutils_server: LocalEutils) -> None:
    root = etree.fromstring(efetch(eutils_server, str(BOOK)).content)
    assert root.xpath("/PubmedArticleSet/PubmedBookArticle/BookDocument/PMID/text()") == [str(BOOK)]


# -- esearch shape ------------------------------------------------------------------------


def test_esearch_matches_the_real_2024_response_shape(eutils_server: LocalEutils) -> None:
    response = esearch(eutils_server, term="ergothioneine", retmax=5)
    # Element order of a recorded answer (hawc__TestPubMedSearch.test_standard_query.yaml).
    real_order = ["Count", "RetMax", "RetStart", "IdList", "TranslationSet", "QueryTranslation"]
    root = etree.fromstring(response.content)
    assert [child.tag for child in root] == real_order
    assert response.text.startswith(
        '<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE eSearchResult PUBLIC '
        '"-//NLM//DTD esearch 20060628//EN" '
        '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">\n<eSearchResult>'
    )
    assert response.headers["content-type"] == "text/xml; charset=UTF-8"
    assert response.headers["x-ratelimit-limit"] == "3"
    assert int(response.headers["x-ratelimit-remaining"]) <= 3
    assert ERGO in ids_of(response)
    assert root.findtext("QueryTranslation") == '"ergothioneine"[All Fields]'


def test_esearch_get_and_post_agree_and_ids_descend(eutils_server: LocalEutils) -> None:
    get = esearch(eutils_server, term="humans[mh]", retmax=50)
    post = esearch(eutils_server, "POST", term="humans[mh]", retmax=50)
    assert get.content == post.content
    ids = ids_of(get)
    assert ids == sorted(ids, reverse=True) and len(ids) == 50
    assert count_of(get) > 50


def test_rettype_count_has_the_real_count_only_shape(eutils_server: LocalEutils) -> None:
    response = esearch(eutils_server, term="ergothioneine", rettype="count")
    assert response.text.endswith("<eSearchResult>\n\t<Count>1</Count>\n</eSearchResult>\n")


def test_api_key_raises_the_advertised_limit_to_ten(eutils_server: LocalEutils) -> None:
    response = esearch(eutils_server, term="humans", api_key="KEY-for-header-test")
    assert response.headers["x-ratelimit-limit"] == "10"


# -- date windows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mindate", "maxdate", "found"),
    [
        ("2020/02/14", "2020/02/14", True),  # the entrez date itself: both ends inclusive
        ("2020/02/01", "2020/02/14", True),
        ("2020/02/14", "2020/03/01", True),
        ("2020/02", "2020/02", True),  # month precision covers the whole month
        ("2020", "2020", True),
        ("2020/02/15", "2020/03/01", False),
        ("2020/01/01", "2020/02/13", False),
    ],
)
def test_crdt_window_is_inclusive(
    eutils_server: LocalEutils, mindate: str, maxdate: str, found: bool
) -> None:
    response = esearch(
        eutils_server, term="ergothioneine", datetype="crdt", mindate=mindate, maxdate=maxdate
    )
    assert (ERGO in ids_of(response)) is found


def test_date_range_inside_the_term_and_translation(eutils_server: LocalEutils) -> None:
    response = esearch(eutils_server, term="ergothioneine AND 2020/02/14:2020/02/14[crdt]")
    assert ids_of(response) == [ERGO]
    assert etree.fromstring(response.content).findtext("QueryTranslation") == (
        '"ergothioneine"[All Fields] AND 2020/02/14:2020/02/14[Date - Create]'
    )


def test_mdat_window_uses_date_revised(eutils_server: LocalEutils) -> None:
    assert ERGO in ids_of(
        esearch(
            eutils_server,
            term="ergothioneine",
            datetype="mdat",
            mindate="2025/05/30",
            maxdate="2025/05/30",
        )
    )
    assert (
        ids_of(
            esearch(
                eutils_server,
                term="ergothioneine",
                datetype="mdat",
                mindate="2025/05/31",
                maxdate="2025/12/31",
            )
        )
        == []
    )


# -- term evaluator -----------------------------------------------------------------------


def test_boolean_operators_follow_set_algebra(eutils_server: LocalEutils) -> None:
    humans, mice = search_set(eutils_server, "humans[mh]"), search_set(eutils_server, "mice[mh]")
    assert humans and mice
    assert search_set(eutils_server, "humans[mh] OR mice[mh]") == humans | mice
    assert search_set(eutils_server, "humans[mh] AND mice[mh]") == humans & mice
    assert search_set(eutils_server, "humans[mh] NOT mice[mh]") == humans - mice
    # Left to right, as PubMed: (humans OR mice) NOT humans == mice - humans.
    assert search_set(eutils_server, "humans[mh] OR mice[mh] NOT humans[mh]") == mice - humans
    assert search_set(eutils_server, "humans[mh] OR (mice[mh] NOT humans[mh])") == humans | mice


def test_phrases_truncation_and_field_tags(eutils_server: LocalEutils) -> None:
    assert search_set(eutils_server, '"oxidative stress"[mh]') >= {ERGO}
    assert ERGO not in search_set(eutils_server, '"stress oxidative"')
    assert search_set(eutils_server, "ergothion*") >= search_set(eutils_server, "ergothioneine")
    assert ERGO in search_set(eutils_server, "dietary supplements[majr]")
    assert ERGO not in search_set(eutils_server, "humans[majr]")  # MeSH, but not major
    assert search_set(eutils_server, "humans[majr]") <= search_set(eutils_server, "humans[mh]")
    assert RCT in search_set(eutils_server, '"randomized controlled trial"[pt]')
    assert search_set(eutils_server, "nutr res rev[ta]") >= {ERGO}
    assert ERGO in search_set(eutils_server, "kell db[au]")
    assert search_set(eutils_server, f"{ERGO}[pmid]") == {ERGO}


def test_unknown_field_tag_reports_field_not_found(eutils_server: LocalEutils) -> None:
    response = esearch(eutils_server, term="ergothioneine[zz]")
    root = etree.fromstring(response.content)
    assert root.xpath("ErrorList/FieldNotFound/text()") == ["zz"]
    assert ERGO in ids_of(response)  # like live PubMed, the tag is ignored (pubmed-mcp-server#96)


def test_phrase_not_found_is_dropped_and_reported(eutils_server: LocalEutils) -> None:
    response = esearch(eutils_server, term="ergothioneine xyzzyqqq")
    root = etree.fromstring(response.content)
    assert root.xpath("ErrorList/PhraseNotFound/text()") == ["xyzzyqqq"]
    assert ids_of(response) == [ERGO]  # broadened, as PubMed does (NCBI-NOTES A9)


def test_nothing_found_says_no_items_found(eutils_server: LocalEutils) -> None:
    response = esearch(eutils_server, term='"no such phrase anywhere"')
    root = etree.fromstring(response.content)
    assert count_of(response) == 0 and root.find("IdList") is not None
    assert root.xpath("WarningList/OutputMessage/text()") == ["No items found."]


def test_syntax_error_is_http_400(eutils_server: LocalEutils) -> None:
    assert esearch(eutils_server, term="(humans AND").status_code == 400


# -- PubMed's 9,999 cap, on derived (cloned) records ---------------------------------------


@pytest.fixture
def big_server(eutils_server: LocalEutils) -> LocalEutils:
    eutils_server.clone_renumbered(12000, 90_000_001, date(2030, 1, 1), date(2030, 12, 31))
    return eutils_server


def test_cap_limits_ids_to_9999(big_server: LocalEutils) -> None:
    response = esearch(big_server, term="2030[crdt]", retmax=9999)
    assert count_of(response) == 12000
    assert len(ids_of(response)) == 9999
    assert etree.fromstring(response.content).find("WarningList") is None


def test_cap_restrictions_warning_when_window_passes_9999(big_server: LocalEutils) -> None:
    response = esearch(big_server, term="2030[crdt]", retmax=9999, retstart=100)
    root = etree.fromstring(response.content)
    assert len(ids_of(response)) == 9899
    assert root.xpath("WarningList/OutputMessage/text()") == [
        "Restrictions achieved. start and count adjusted to 100, 9899"
    ]


def test_retstart_past_9998_is_the_backend_error(big_server: LocalEutils) -> None:
    response = esearch(big_server, term="2030[crdt]", retstart=9999)
    assert response.status_code == 200
    error = etree.fromstring(response.content).findtext("ERROR")
    assert "'retstart' cannot be larger than 9998" in error


def test_clones_are_renumbered_and_share_bytes(big_server: LocalEutils) -> None:
    clone = big_server.corpus.get(90_000_001)
    source = big_server.corpus.get(clone.source_pmid)
    assert clone.xml is source.xml and clone.crdt == date(2030, 1, 1)
    root = etree.fromstring(efetch(big_server, "90000001").content)
    assert root.xpath("//MedlineCitation/PMID/text() | //BookDocument/PMID/text()") == ["90000001"]
    assert big_server.corpus.get(90_012_000).crdt == date(2030, 12, 31)


# -- runtime changes ----------------------------------------------------------------------


def test_add_record_replaces_a_revision_and_adds_arrivals(eutils_server: LocalEutils) -> None:
    xml = next(split_records(efetch_file(f"metapub__{ERGO}.xml").read_bytes()))
    eutils_server.add_record(xml, mdat=date(2031, 5, 1))
    assert ERGO in ids_of(
        esearch(
            eutils_server,
            term="ergothioneine",
            datetype="mdat",
            mindate="2031/05/01",
            maxdate="2031/05/01",
        )
    )
    eutils_server.corpus.remove(ERGO)
    assert ids_of(esearch(eutils_server, term="ergothioneine")) == []
    eutils_server.add_record(xml, crdt=date(2031, 6, 1))
    assert ids_of(esearch(eutils_server, term="2031/06/01:2031/06/01[crdt]")) == [ERGO]


# -- request log and faults ---------------------------------------------------------------


def test_request_log_keeps_no_key_value(eutils_server: LocalEutils) -> None:
    esearch(eutils_server, "POST", term="humans", api_key="SECRET-123456")
    (logged,) = eutils_server.requests.entries("esearch")
    assert logged.method == "POST" and logged.has_key and logged.status == 200
    assert "api_key" not in logged.params and "SECRET-123456" not in repr(logged)


def test_fault_429_body_and_retry_after(eutils_server: LocalEutils) -> None:
    eutils_server.faults.push("429", endpoint="esearch", retry_after=2)
    response = esearch(eutils_server, term="humans")
    assert response.status_code == 429 and response.headers["retry-after"] == "2"
    assert response.text == '{"error":"API rate limit exceeded","count":"11"}'
    assert esearch(eutils_server, term="humans").status_code == 200  # used up


@pytest.mark.parametrize(
    ("kind", "opts", "status", "marker"),
    [
        ("status", {"code": 502}, 502, "WWW Error 502"),
        ("error_xml", {}, 200, "<ERROR>Search Backend failed"),
        ("error_json", {}, 200, '"ERROR"'),
        ("html", {}, 200, "down_bethesda"),
        ("plain_text", {}, 200, "Unable to route request!"),
        ("empty", {}, 200, ""),
        ("invalid_key", {}, 400, "API key invalid"),
    ],
)
def test_fault_bodies(
    eutils_server: LocalEutils, kind: str, opts: dict, status: int, marker: str
) -> None:
    eutils_server.faults.push(kind, **opts)
    response = efetch(eutils_server, str(ERGO))
    assert response.status_code == status and marker in response.text
    if kind == "empty":
        assert response.content == b""


def test_fault_truncate_cuts_the_body(eutils_server: LocalEutils) -> None:
    eutils_server.faults.push("truncate", endpoint="efetch")
    with pytest.raises(httpx.RemoteProtocolError):
        efetch(eutils_server, str(ERGO))


def test_fault_reset_and_hang(eutils_server: LocalEutils) -> None:
    eutils_server.faults.push("reset")
    with pytest.raises(httpx.TransportError):
        efetch(eutils_server, str(ERGO))
    eutils_server.faults.push("hang", seconds=30)  # released by the server's stop
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(eutils_server.base_url + "efetch.fcgi", data={"id": str(ERGO)}, timeout=0.3)
    assert time.monotonic() - started < 10


def test_fault_drop_records(eutils_server: LocalEutils) -> None:
    eutils_server.faults.push("drop_records", pmids=[ERGO])
    root = etree.fromstring(efetch(eutils_server, f"{ERGO},{RCT}").content)
    assert root.xpath("//MedlineCitation/PMID/text()") == [str(RCT)]


def test_unknown_fault_kind_is_refused(eutils_server: LocalEutils) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        eutils_server.faults.push("meteor")


def test_server_rate_limit_answers_429_like_ncbi(eutils_server: LocalEutils) -> None:
    eutils_server.rate_limit = True
    statuses = [esearch(eutils_server, term="humans").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]


def test_module_entry_point_serves_until_stopped() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracker.lookalikes.eutils.server",
            "--records",
            str(efetch_file(f"metapub__{ERGO}.xml")),
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        base_url = re.match(r"(http://\S+/)", line).group(1)
        assert base_url == f"http://127.0.0.1:{port}/entrez/eutils/"
        response = httpx.get(base_url + "esearch.fcgi", params={"term": "ergothioneine"})
        assert ids_of(response) == [ERGO]
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def test_clones_stay_searchable_after_their_source_is_removed() -> None:
    # metapub__11618220.xml: "Eroticism in late Ming, early Qing fiction…"
    with LocalEutils([efetch_file("metapub__11618220.xml")]) as server:
        clones = server.clone_renumbered(30, 90_000_000, date(2020, 1, 1), date(2020, 1, 30))
        server.corpus.remove(11618220)
        response = esearch(server, term="eroticism", retmax=100)
        assert sorted(ids_of(response)) == clones
        assert etree.fromstring(response.content).find("ErrorList") is None
