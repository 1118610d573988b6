"""The parsers on the real files and their quirks (no database)."""

from __future__ import annotations

import json

from riskreg.screening.importers import csl, eu, ofac, opensanctions, un
from tests.screening.conftest import CSL_SAMPLE, OFAC_2021, SDN_NEW, UN_XML


def test_ofac_sdn_parses_programs_aliases_identifiers_and_links_from_remarks():
    entries = {e.external_id: e for e in ofac.parse_sdn(SDN_NEW.read_bytes())}

    assert len(entries) == 14965
    raybeam = entries["22685"]
    assert raybeam.primary_name == "RAYBEAM OPTRONICS CO. LTD."
    assert raybeam.programs == ["NPWMD", "IFSR"]
    assert {
        "scheme": "uscc",
        "value": "9113100033607322XK",
        "label": "Unified Social Credit Code (USCC)",
        "country": "China",
    } in raybeam.identifiers
    assert raybeam.linked_to == ["LIU, Baoxia"]
    assert entries["306"].aliases == ["BNC"]
    assert entries["2686"].entity_type == "individual"


def test_ofac_trio_adds_aliases_from_alt_csv_and_addresses_from_add_csv():
    entries = {
        e.external_id: e
        for e in ofac.parse_sdn(
            (OFAC_2021 / "sdn.csv").read_bytes(),
            alt=(OFAC_2021 / "alt.csv").read_bytes(),
            add=(OFAC_2021 / "add.csv").read_bytes(),
        )
    }

    assert "AERO-CARIBBEAN" in entries["36"].aliases
    assert "Havana, Cuba" in entries["36"].addresses
    assert "Cuba" in entries["36"].countries


def test_csl_28_column_sample_parses_entity_list_rows_with_citation_and_date():
    entries = csl.parse_csv(CSL_SAMPLE.read_bytes())

    assert len(entries) == 115
    el = [e for e in entries if e.programs[0] == "Entity List (EL)"]
    assert len(el) == 22
    group = next(e for e in el if e.primary_name == "32 Group China Ltd.")
    assert group.citation == "80 FR 69852"
    assert group.listed_on.isoformat() == "2015-11-12"
    assert group.countries == ["HK"]
    assert group.external_id.startswith("EL-")


def test_csl_derived_ids_are_stable_between_downloads():
    first = [e.external_id for e in csl.parse_csv(CSL_SAMPLE.read_bytes())]
    second = [e.external_id for e in csl.parse_csv(CSL_SAMPLE.read_bytes())]

    assert first == second
    assert len(set(first)) == len(first)


def test_csl_29_column_header_takes_the_id_column():
    lines = CSL_SAMPLE.read_text(encoding="utf-8").splitlines()
    data = "\n".join(["_id," + lines[0], *[f"id-{n}," + line for n, line in enumerate(lines[1:6])]]).encode()

    entries = csl.parse_csv(data)

    assert [e.external_id for e in entries] == [f"id-{n}" for n in range(5)]


def test_csl_json_parses_results_with_structured_addresses_and_ids():
    document = {
        "results": [
            {
                "id": "abc123",
                "source": "Entity List (EL) - Bureau of Industry and Security",
                "name": "Sophgo",
                "alt_names": ["Sophgo Technologies Ltd."],
                "addresses": [{"address": "1 Road", "city": "Beijing", "country": "CN"}],
                "federal_register_notice": "90 FR 4621",
                "start_date": "2025-01-16",
                "ids": [{"type": "Unified Social Credit Code (USCC)", "number": "91110000XXXXXXXXXX", "country": "CN"}],
                "programs": [],
                "type": None,
            }
        ]
    }

    (entry,) = csl.parse_json(json.dumps(document).encode())

    assert entry.external_id == "abc123"
    assert entry.citation == "90 FR 4621"
    assert entry.identifiers[0]["scheme"] == "uscc"
    assert entry.countries == ["CN"]


def test_un_consolidated_xml_parses_individuals_and_entities():
    entries = {e.external_id: e for e in un.parse(UN_XML.read_bytes())}

    assert len(entries) == 1003
    adf = entries["CDe.001"]
    assert adf.entity_type == "entity"
    assert "Allied Democratic Forces" in adf.aliases
    assert adf.listed_on.isoformat() == "2014-06-30"
    assert adf.citation == "UN SC CDe.001"


EU_SAMPLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-01-01T00:00:00">
  <sanctionEntity designationDate="2022-03-15" euReferenceNumber="EU.123.45" logicalId="999">
    <remark>Defence company.</remark>
    <regulation programme="RUS" numberTitle="2022/427 (OJ L87)" publicationDate="2022-03-15"
                entryIntoForceDate="2022-03-15"><publicationUrl>https://eur-lex.europa.eu/x</publicationUrl></regulation>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="Joint Stock Company Example Plant" strong="true"/>
    <nameAlias wholeName="AO Example Plant" strong="true"/>
    <identification number="1027700000000" identificationTypeCode="regnumber"
                    identificationTypeDescription="Registration Number" countryIso2Code="RU"/>
    <address city="Moscow" countryIso2Code="RU" countryDescription="RUSSIA"/>
  </sanctionEntity>
</export>"""


def test_eu_financial_sanctions_xml_parses_names_regulation_and_identifiers():
    (entry,) = eu.parse(EU_SAMPLE)

    assert entry.external_id == "EU.123.45"
    assert entry.primary_name == "Joint Stock Company Example Plant"
    assert entry.aliases == ["AO Example Plant"]
    assert entry.programs == ["RUS"]
    assert entry.citation == "2022/427 (OJ L87)"
    assert entry.identifiers[0]["scheme"] == "registration"
    assert entry.countries == ["RU"]


def test_opensanctions_ftm_keeps_targets_and_skips_context_entities():
    lines = [
        {
            "id": "NK-1",
            "schema": "Company",
            "target": True,
            "caption": "Example Co",
            "properties": {
                "name": ["Example Co"],
                "alias": ["Ex Co"],
                "leiCode": ["5299000000000000000X"],
                "country": ["ru"],
                "topics": ["sanction"],
            },
            "datasets": ["eu_fsf"],
        },
        {"id": "addr-1", "schema": "Address", "properties": {"full": ["Somewhere"]}},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()

    (entry,) = opensanctions.parse(data)

    assert entry.external_id == "NK-1"
    assert entry.aliases == ["Ex Co"]
    assert entry.identifiers == [{"scheme": "lei", "value": "5299000000000000000X", "label": "leiCode"}]
