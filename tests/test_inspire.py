"""Invenio and INSPIRE records come out as their repositories export them.

INSPIRE's own BibTeX export (inspirehep ``records/serializers/bibtex.py`` and
``marshmallow/literature/bibtex.py``) is the reference: the texkey as key,
``eprint``/``archivePrefix``/``primaryClass`` (the class only for new-style
identifiers), ``reportNumber`` (every report number), ``collaboration`` (bare
names), math kept as math, abbreviated journals spaced ("Phys. Rev. Lett."),
initials spaced ("S. L."), and a long author list cut to its first name and
"others".  The records of ``tests/data/inspire`` are INSPIRE's (CC0).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from marcconv.cli import cli
from marcconv.writers.base import LONG_NAME_LIST
from tests.conftest import GOLDEN
from tests.helpers import reference

DATA = Path(__file__).parent / "data" / "inspire" / "inspire.txt"
PREPRINT = """\
1 001__ 1
1 035__ $$9INSPIRETeX$$zOld:2016aa
1 035__ $$9INSPIRETeX$$aAaij:2016kjh
1 035__ $$9arXiv$$aoai:arXiv.org:1611.03076
1 037__ $$9arXiv$$aarXiv:1611.03076$$chep-ex
1 037__ $$aLHCB-PAPER-2016-032
1 037__ $$aCERN-EP-2016-270
1 100__ $$aAaij, Roel
1 245__ $$9arXiv$$aMeasurement of the CKM angle $\\gamma$
1 269__ $$c2016-11-09
1 500__ $$9arXiv$$a17 pages, 3 figures
1 710__ $$gLHCb
1 8564_ $$uhttp://inspirehep.net/record/1/files/Fig3f.png$$y00000 Fig. 3
1 8564_ $$uhttp://inspirehep.net/record/1/files/arXiv:1611.03076.pdf
1 980__ $$aarXiv
1 980__ $$aHEP
"""


def convert(data: str, *args: str) -> Result:
    """The CLI on text MARC (named: these short record ids are not what detection looks for)."""
    return CliRunner().invoke(cli, ["convert", "-f", "textmarc", *args], input=data.encode())


def fields(bibtex: str) -> dict[str, str]:
    from bibtexparser.entrypoint import parse_string

    (entry,) = parse_string(bibtex).entries
    return {f.key: f.value for f in entry.fields} | {"@key": entry.key, "@type": entry.entry_type}


def test_a_preprint_as_inspire_exports_it() -> None:
    bib = fields(convert(PREPRINT, "-t", "bibtex").stdout)
    assert bib["@key"] == "Aaij:2016kjh"  # the texkey, not the cancelled one ($z)
    assert bib["@type"] == "misc"
    assert bib["year"] == "2016" and bib["month"] == "nov"  # 269: a preprint has a date
    assert (bib["eprint"], bib["archivePrefix"], bib["primaryClass"]) == (
        "1611.03076", "arXiv", "hep-ex",
    )  # fmt: skip
    assert bib["reportNumber"] == "LHCB-PAPER-2016-032, CERN-EP-2016-270"
    assert bib["collaboration"] == "LHCb"
    assert bib["author"] == "Aaij, Roel"  # never "and {LHCb}" beside the persons
    assert bib["title"] == "{Measurement of the CKM angle {$\\gamma$}}"  # braced whole, as INSPIRE
    # figures are not the work; the arXiv comment is an annotation, not a note
    assert bib["url"] == "http://inspirehep.net/record/1/files/arXiv:1611.03076.pdf"
    assert "note" not in bib and bib["annote"] == "17 pages, 3 figures"


def test_a_preprint_in_the_other_formats() -> None:
    biblatex = fields(convert(PREPRINT, "-t", "biblatex").stdout)
    assert (biblatex["eprint"], biblatex["eprinttype"], biblatex["eprintclass"]) == (
        "1611.03076", "arxiv", "hep-ex",
    )  # fmt: skip
    assert biblatex["date"] == "2016-11-09"
    (item,) = json.loads(convert(PREPRINT, "-t", "csl-json").stdout)
    assert item["issued"] == {"date-parts": [[2016, 11, 9]]}
    assert item["custom"]["collaboration"] == ["LHCb"]
    assert item["annote"] == "17 pages, 3 figures" and "note" not in item
    ris = convert(PREPRINT, "-t", "ris").stdout
    assert "UR  - http://inspirehep.net/record/1/files/arXiv:1611.03076.pdf" in ris
    assert ".png" not in ris and "PY  - 2016" in ris
    apa = convert(PREPRINT, "-t", "citation").stdout
    assert apa.startswith("Aaij, R. (2016). Measurement of the CKM angle γ")
    assert "17 pages" not in apa


def test_an_old_style_arxiv_number_is_an_eprint_not_a_report_number() -> None:
    # Invenio demo record 8: 037 $a astro-ph/9812226, no $9
    ref = reference("1 037__ $$aastro-ph/9812226\n1 245__ $$aT\n1 980__ $$aPREPRINT\n")
    assert ref.identifiers["arxiv"] == ["astro-ph/9812226"] and ref.number is None
    bib = fields(convert("1 037__ $$aastro-ph/9812226\n1 245__ $$aT\n", "-t", "bibtex").stdout)
    assert bib["eprint"] == "astro-ph/9812226" and "primaryClass" not in bib  # in the number
    apa = convert("1 037__ $$aastro-ph/9812226\n1 245__ $$aT\n1 100__ $$aA, B\n", "-t", "citation")
    assert "Astro-Ph" not in apa.stdout


def test_037_is_a_report_number_in_invenio_records_and_a_stock_number_elsewhere() -> None:
    invenio = reference("1 037__ $$aCERN-MOVIE-2017-023\n1 245__ $$aT\n1 980__ $$aVIDEO\n")
    assert invenio.identifiers["report-number"] == ["CERN-MOVIE-2017-023"]
    # MARC 21 037 is the source of acquisition (Library of Congress: LC-DIG-...)
    library = reference("1 037__ $$aLC-DIG-prok-01711\n1 245__ $$aT\n")
    assert library.identifiers == {"stock-number": ["LC-DIG-prok-01711"]}
    assert reference("1 088__ $$aSLAC-PUB-7712\n1 245__ $$aT\n").identifiers == {
        "report-number": ["SLAC-PUB-7712"]
    }


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        ("{texkey}|{auth}{year}{shorttitle}", "Aaij:2016kjh"),  # the default
        ("{auth}:{year}", "aaij:2016"),  # ":" kept
        ("{auth}{year}", "aaij2016"),
        ("{texkey}", "Aaij:2016kjh"),
        ("{id}-{texkey}", "1-Aaij:2016kjh"),
    ],
)
def test_key_patterns(pattern: str, key: str) -> None:
    assert fields(convert(PREPRINT, "-t", "bibtex", "--key-pattern", pattern).stdout)["@key"] == key


def test_a_record_without_a_texkey_takes_the_next_choice() -> None:
    plain = "1 100__ $$aDoe, Jane\n1 245__ $$aA title\n1 260__ $$c2001\n"
    assert fields(convert(plain, "-t", "bibtex").stdout)["@key"] == "doe2001title"
    spires = plain + "1 035__ $$9SPIRESTeX$$aDoe:2001xy\n"
    assert fields(convert(spires, "-t", "bibtex").stdout)["@key"] == "Doe:2001xy"


def _many_authors(count: int) -> str:
    lines = "".join(f"1 700__ $$aAuthor{n:04d}, A.\n" for n in range(count))
    return "1 100__ $$aFirst, F.\n1 245__ $$aT\n1 710__ $$gATLAS\n" + lines


def test_thousands_of_authors_are_cut_as_inspire_does_and_said_once() -> None:
    big = _many_authors(LONG_NAME_LIST + 20)
    for jobs in ("1", "2"):
        result = convert(big + big.replace("1 ", "2 "), "-t", "bibtex", "-j", jobs)
        assert result.stdout.count("author = {First, F. and others}") == 2
        assert result.stdout.count("collaboration = {ATLAS}") == 2  # kept when names are cut
        assert result.stderr.count("note: 2 records list more than 100 names") == 1
    every = convert(big, "-t", "biblatex", "--all-authors")
    assert fields(every.stdout)["author"].count(" and ") == LONG_NAME_LIST + 20
    assert "note:" not in every.stderr
    ordinary = convert(_many_authors(LONG_NAME_LIST - 1), "-t", "bibtex")
    assert "others" not in ordinary.stdout and "note:" not in ordinary.stderr
    three = fields(convert(big, "-t", "bibtex", "--max-authors", "3").stdout)
    assert three["author"].endswith("and Author0001, A. and others")


def test_initials_are_spaced_for_bibtex() -> None:
    bib = fields(convert("1 100__ $$aGlashow, S.L.\n1 245__ $$aT\n", "-t", "bibtex").stdout)
    assert bib["author"] == "Glashow, S. L."


def test_records_that_are_not_bibliographic_are_left_out_and_counted() -> None:
    hepnames = "2 100__ $$aDoe, J.\n2 980__ $$aHEPNAMES\n"
    holdings = "3 LDR__ 00000nx  a2200000   4500\n3 852__ $$bMain\n"
    result = convert(PREPRINT + hepnames + holdings, "-t", "bibtex")
    assert result.exit_code == 0
    assert result.stdout.count("@") == 1
    assert "record 2: an INSPIRE person (HEPNames), not a bibliographic item; left out" in (
        result.stderr
    )
    assert "record 3: a MARC 21 holdings record, not a bibliographic item" in result.stderr
    assert "read 3 records, wrote 1, skipped 0, left out 2 (not bibliographic)" in result.stderr
    kept = convert(PREPRINT + hepnames, "-t", "bibtex", "--all-records")
    assert kept.stdout.count("@") == 2
    # MARC out keeps every record: left out only where a bibliographic item is made
    assert convert(PREPRINT + hepnames, "-t", "textmarc").stdout.count("980__ $$aHEPNAMES") == 1


def test_unimarc_is_left_out_not_written_as_junk() -> None:
    unimarc = (
        "1 100__ $$a19961119d1996    ||||0itac50      ba\n"
        "1 2001_ $$aL'altra faccia della spirale$$fIsaac Asimov\n"
    )
    result = convert(unimarc, "-t", "csl-json")
    assert json.loads(result.stdout) == []
    assert "a UNIMARC record (marcconv reads MARC 21)" in result.stderr


def test_inspire_records_match_the_golden_bibtex(accept: bool) -> None:
    """Six INSPIRE records (an experiment among them, left out), checked by hand
    against INSPIRE's BibTeX conventions (see the module notes)."""
    result = CliRunner().invoke(cli, ["convert", str(DATA), "-t", "bibtex"])
    golden = GOLDEN / "inspire.bib"
    if accept:
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_every_date_field_a_record_has_dates_it() -> None:
    # CDS: a year alone in 260 $a; the Invenio demo: 909C0 $y and 909C4 $y
    assert reference("1 260__ $$a2017\n1 245__ $$aT\n").issued.year == 2017  # type: ignore[union-attr]
    cds = reference("1 909C0 $$y2000\n1 245__ $$aT\n")
    assert cds.issued is not None and cds.issued.year == 2000
    host = reference("1 909C4 $$c37-46$$pZ. Phys., C$$v56$$y1992\n1 245__ $$aT\n")
    assert (host.container_title, host.volume, host.page) == ("Z. Phys., C", "56", "37-46")
    assert host.issued is not None and host.issued.year == 1992
    # a related page ($d) is not a host; a journal alone is kept as an annotation
    assert reference("1 909C4 $$dhttp://x.org$$pBiography\n1 245__ $$aT\n").container_title is None
    submitted = reference("1 909C4 $$pMon. Not. R. Astron. Soc.\n1 245__ $$aT\n")
    assert submitted.container_title is None
    assert submitted.annote == ["Journal: Mon. Not. R. Astron. Soc."]


def test_a_second_host_is_an_annotation_not_mixed_into_the_first() -> None:
    # INSPIRE 451647, as published: Int.J.Theor.Phys. first, Adv.Theor.Math.Phys. second
    ref = reference(
        "1 773__ $$c1113-1133$$pInt.J.Theor.Phys.$$v38$$y1999\n"
        "1 773__ $$c231-252$$pAdv.Theor.Math.Phys.$$v2$$y1998\n"
    )
    assert (ref.container_title, ref.volume, ref.page) == (
        "Int. J. Theor. Phys.",
        "38",
        "1113-1133",
    )
    assert ref.annote == ["Also in: Adv. Theor. Math. Phys. 2 (1998) 231-252"]
