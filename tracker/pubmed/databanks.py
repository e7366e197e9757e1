"""Trial registrations a PubMed record names in its DataBankList.

    <DataBankList CompleteYN="Y"><DataBank><DataBankName>ClinicalTrials.gov</DataBankName>
      <AccessionNumberList><AccessionNumber>NCT02060188</AccessionNumber>…

(PMID 29355075 in tests/data/pubmed-samples/baseline/tipplerow__29355075.xml). MEDLINE
text writes the same as `SI  - ClinicalTrials.gov/NCT02060188`. Other banks (GENBANK,
ISRCTN, …) are not ClinicalTrials.gov ids and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

_NCT = re.compile(r"^NCT\d{8}$")


def registered_trials(databanks: etree._Element | None) -> tuple[str, ...]:
    if databanks is None:
        return ()
    found: dict[str, None] = {}
    for bank in databanks.iterfind("DataBank"):
        if (bank.findtext("DataBankName") or "").strip().casefold() != "clinicaltrials.gov":
            continue
        for number in bank.iterfind("AccessionNumberList/AccessionNumber"):
            text = (number.text or "").strip().upper()
            if _NCT.match(text):
                found.setdefault(text)
    return tuple(found)


def medline_registered_trials(values: Iterable[str] | str) -> tuple[str, ...]:
    items = [values] if isinstance(values, str) else list(values)
    found: dict[str, None] = {}
    for value in items:
        bank, _, number = value.partition("/")
        number = number.strip().upper()
        if bank.strip().casefold() == "clinicaltrials.gov" and _NCT.match(number):
            found.setdefault(number)
    return tuple(found)
