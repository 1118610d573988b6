"""Screening benchmark on the real OFAC SDN file: import time, speed against brute force, recall, false positives.

    .venv/bin/python bench/screening.py [--full-baseline]   (SQLite; DATABASE_URL=postgres://... for PostgreSQL)

Works on a throwaway test database that it creates and drops. Prints each figure and its ratio against
the brute-force baseline measured in the same run: rapidfuzz `process.cdist` with `fuzz.token_set_ratio`
(default_process) over every name and alias on the list, cutoff 85. The baseline is given both cores
(workers=-1); our engine runs on one, so the speed ratio understates our advantage. To stay within a few
minutes the baseline screens every fifth of the 5,000 names and its time is scaled by 5 (cdist is linear in the
number of queries); --full-baseline screens all 5,000 (about four minutes on two cores).

The 5,000 names: 2,000 perturbed spellings of real entries (a one-letter typo in the longest word when it
has five or more letters, plus one formatting change: legal form spelt another way, words reordered,
punctuation dropped, case changed, abbreviation) and 3,000 unrelated companies (well-known companies
plus names generated from surnames, brand words, places, industries and legal forms; none equal to a
name on the list once normalised). Seeded, so every run screens the same names.
"""

from __future__ import annotations

import os
import random
import sys
import time

import numpy as np
from _harness import BASE_DIR, throwaway_database
from django.db import connection
from rapidfuzz import fuzz, process, utils

SDN = BASE_DIR / "tests" / "data" / "lists" / "ofac" / "sdn-2024-05-03.csv"
BASELINE_CUTOFF = 85
BIG_FIVE = [
    "Google LLC",
    "Microsoft Corporation",
    "NVIDIA Corporation",
    "Huawei Technologies Co., Ltd.",
    "Beijing Zhipu Huazhang Technology Co., Ltd.",
]

# --- the names -----------------------------------------------------------------------------------

LEGAL_VARIANTS = [
    ("CO., LTD.", "Company Limited"),
    ("CO. LTD.", "Co Ltd"),
    ("CO., LTD", "Company Limited"),
    ("LIMITED LIABILITY COMPANY", "LLC"),
    ("LLC", "Limited Liability Company"),
    ("LIMITED", "Ltd"),
    ("LTD.", "Limited"),
    ("COMPANY", "Co."),
    ("CORPORATION", "Corp."),
    ("INC.", "Incorporated"),
    ("JOINT STOCK COMPANY", "JSC"),
    ("OOO", "Obshchestvo s Ogranichennoi Otvetstvennostyu"),
    ("TECHNOLOGY", "Tech"),
    ("INTERNATIONAL", "Intl"),
    ("INDUSTRIES", "Ind."),
]


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["substitute", "delete", "insert", "transpose"])
    letters = "abcdefghijklmnopqrstuvwxyz"
    if kind == "substitute":
        return word[:i] + rng.choice(letters.replace(word[i].lower(), "")) + word[i + 1 :]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "insert":
        return word[:i] + rng.choice(letters) + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def perturb(name: str, rng: random.Random) -> str:
    words = name.split()
    longest = max(range(len(words)), key=lambda i: len(words[i].strip(",.'\"()")))
    if len(words[longest].strip(",.'\"()")) >= 5:
        words[longest] = typo(words[longest], rng)
    text = " ".join(words)
    change = rng.choice(["legal", "reorder", "punctuation", "case", "none"])
    if change == "legal":
        for old, new in LEGAL_VARIANTS:
            if old in text.upper():
                at = text.upper().index(old)
                text = text[:at] + new + text[at + len(old) :]
                break
    elif change == "reorder" and "," in text and len(text.split(",")) == 2:
        last, first = text.split(",")
        text = f"{first.strip()} {last.strip()}"
    elif change == "punctuation":
        text = "".join(c if c.isalnum() else " " for c in text)
        text = " ".join(text.split())
    elif change == "case":
        text = text.title()
    return text


SURNAMES = (
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson "
    "White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell "
    "Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan "
    "Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price "
    "Sanders Myers Long Ross Foster Schmidt Schneider Fischer Weber Meyer Wagner Becker Hoffmann Dubois Lefebvre "
    "Moreau Laurent Rossi Bianchi Romano Colombo Tanaka Suzuki Yamamoto Nakamura Lindqvist Jensen Nielsen Kowalski "
    "Novak Horvat Silva Santos Oliveira Pereira Costa Fernandes Murray Fraser Hamilton Graham Sinclair Kennedy"
).split()
BRANDS = (
    "Apex Summit Northwind Evergreen Silverline Brightstar Keystone Pinnacle Horizon Redwood Clearwater Ironbridge "
    "Oakridge Falcon Harbor Maple Cedar Granite Lumen Vertex Quantum Nimbus Zenith Aurora Cascade Beacon Crescent "
    "Meridian Sterling Willow Riverside Lakeshore Highland Orchard Prairie Copper Atlas Orion Polaris Bluebird "
    "Greenfield Stonegate Westbrook Eastwood Northgate Sunrise Moonstone Silverleaf Goldcrest Bluewater Fernhill "
    "Driftwood Larkspur Thornbury Ashford Brookside Kingsley Hawthorne Briarwood Foxglove Elmwood Whitestone "
    "Lumentra Vertexa Novaris Solenta Praxido Quorvia Altivo Zentrix Brivana Corvexa Nexora Tavolo Veridia Omnira"
).split()
INDUSTRIES = [
    "Software",
    "Logistics",
    "Foods",
    "Pharmaceuticals",
    "Consulting",
    "Engineering",
    "Construction",
    "Textiles",
    "Solar Energy",
    "Medical Devices",
    "Packaging",
    "Robotics",
    "Analytics",
    "Furniture",
    "Printing",
    "Dairy",
    "Coffee Roasters",
    "Insurance Brokers",
    "Capital Partners",
    "Realty",
    "Motors",
    "Aerospace Components",
    "Biotech",
    "Semiconductors",
    "Chemicals",
    "Plastics",
    "Paper Mills",
    "Steel Works",
    "Marine Services",
    "Freight",
    "Telecom",
    "Media",
    "Publishing",
    "Hospitality",
    "Healthcare",
    "Security Systems",
    "Water Technologies",
    "Agritech",
    "Cloud Services",
    "Data Systems",
]
PLACES = (
    "Boston Denver Austin Ohio Bavaria Lyon Milan Osaka Toronto Melbourne Auckland Dublin Oslo Zurich Rotterdam "
    "Stockholm Vienna Barcelona Lisbon Seattle Portland Hamburg Geneva Sydney Vancouver Chicago Atlanta Bristol"
).split()
CN_CITIES = "Shenzhen Suzhou Ningbo Chengdu Guangzhou Beijing Shanghai Hangzhou Xiamen Wuxi Qingdao Dalian".split()
CN_BRANDS = (
    "Jinyuan Mingtai Ruifeng Tianrui Haoyun Jiahe Longsheng Yongtai Kaida Shengda Huamei Xinrui Jiacheng Boya "
    "Hengxin Lianhe Dingsheng Yuanhang Zhongke Chuangyi Meilong Anxin Fengyuan Taihe Weilai Xingyun"
).split()
CN_INDUSTRIES = ["Technology", "Electronics", "Trading", "Machinery", "Biotechnology", "New Materials", "Textile"]
LEGAL_FORMS = [
    "Inc.",
    "LLC",
    "Ltd.",
    "GmbH",
    "S.A.",
    "S.p.A.",
    "B.V.",
    "AG",
    "plc",
    "Corporation",
    "Pty Ltd",
    "K.K.",
    "AB",
    "Oy",
    "SAS",
    "LLP",
    "Limited",
]
WELL_KNOWN = [
    "Apple Inc.",
    "Amazon.com, Inc.",
    "Alphabet Inc.",
    "Meta Platforms, Inc.",
    "Tesla, Inc.",
    "Intel Corporation",
    "Advanced Micro Devices, Inc.",
    "International Business Machines Corporation",
    "Oracle Corporation",
    "Cisco Systems, Inc.",
    "Qualcomm Incorporated",
    "Broadcom Inc.",
    "Texas Instruments Incorporated",
    "Adobe Inc.",
    "Salesforce, Inc.",
    "Netflix, Inc.",
    "PayPal Holdings, Inc.",
    "Siemens AG",
    "SAP SE",
    "Robert Bosch GmbH",
    "BASF SE",
    "Bayer AG",
    "Volkswagen AG",
    "Toyota Motor Corporation",
    "Sony Group Corporation",
    "Panasonic Holdings Corporation",
    "Hitachi, Ltd.",
    "Samsung Electronics Co., Ltd.",
    "LG Electronics Inc.",
    "SK hynix Inc.",
    "Taiwan Semiconductor Manufacturing Company Limited",
    "ASML Holding N.V.",
    "Nestle S.A.",
    "Unilever PLC",
    "Novartis AG",
    "Roche Holding AG",
    "AstraZeneca PLC",
    "GSK plc",
    "Pfizer Inc.",
    "Johnson & Johnson",
    "Procter & Gamble Company",
    "The Coca-Cola Company",
    "PepsiCo, Inc.",
    "Walmart Inc.",
    "Costco Wholesale Corporation",
    "The Home Depot, Inc.",
    "Nike, Inc.",
    "Starbucks Corporation",
    "McDonald's Corporation",
    "Visa Inc.",
    "Mastercard Incorporated",
    "JPMorgan Chase & Co.",
    "Goldman Sachs Group, Inc.",
    "Morgan Stanley",
    "HSBC Holdings plc",
    "Barclays PLC",
    "Deutsche Bank AG",
    "BNP Paribas SA",
    "Allianz SE",
    "AXA SA",
    "Zurich Insurance Group AG",
    "Airbus SE",
    "The Boeing Company",
    "Lockheed Martin Corporation",
    "General Electric Company",
    "Honeywell International Inc.",
    "3M Company",
    "Caterpillar Inc.",
    "Deere & Company",
    "Ford Motor Company",
    "General Motors Company",
    "Stellantis N.V.",
    "Renault SA",
    "Volvo AB",
    "Ericsson AB",
    "Nokia Oyj",
    "Spotify Technology S.A.",
    "Atlassian Corporation",
    "Shopify Inc.",
    "Accenture plc",
    "Infosys Limited",
    "Tata Consultancy Services Limited",
    "Wipro Limited",
    "Reliance Industries Limited",
    "Tencent Holdings Limited",
    "Alibaba Group Holding Limited",
    "Baidu, Inc.",
    "Lenovo Group Limited",
    "Xiaomi Corporation",
    "BYD Company Limited",
    "JD.com, Inc.",
    "Meituan",
    "NetEase, Inc.",
    "Contemporary Amperex Technology Co., Limited",
    "Anthropic PBC",
    "OpenAI OpCo, LLC",
    "Mistral AI SAS",
    "Hugging Face, Inc.",
    "Databricks, Inc.",
    "Snowflake Inc.",
    "Dell Technologies Inc.",
    "HP Inc.",
    "Hewlett Packard Enterprise Company",
    "Micron Technology, Inc.",
    "Arm Holdings plc",
    "Infineon Technologies AG",
    "STMicroelectronics N.V.",
    "NXP Semiconductors N.V.",
    "Equinix, Inc.",
    "Digital Realty Trust, Inc.",
    "CoreWeave, Inc.",
    "Oracle America, Inc.",
]


def unrelated_companies(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    from riskreg.screening.normalise import normalise_name

    templates = [
        lambda: f"{rng.choice(SURNAMES)} {rng.choice(INDUSTRIES)} {rng.choice(LEGAL_FORMS)}",
        lambda: f"{rng.choice(BRANDS)} {rng.choice(INDUSTRIES)} {rng.choice(LEGAL_FORMS)}",
        lambda: f"{rng.choice(SURNAMES)} & {rng.choice(SURNAMES)} {rng.choice(LEGAL_FORMS)}",
        lambda: f"{rng.choice(PLACES)} {rng.choice(BRANDS)} {rng.choice(INDUSTRIES)} {rng.choice(LEGAL_FORMS)}",
        lambda: f"{rng.choice(CN_CITIES)} {rng.choice(CN_BRANDS)} {rng.choice(CN_INDUSTRIES)} Co., Ltd.",
        lambda: f"{rng.choice(BRANDS)} {rng.choice(SURNAMES)} {rng.choice(LEGAL_FORMS)}",
        lambda: f"The {rng.choice(BRANDS)} Group",
    ]
    names: list[str] = []
    seen: set[str] = set()
    for name in WELL_KNOWN:
        norm = normalise_name(name)
        if norm not in taken and norm not in seen:
            seen.add(norm)
            names.append(name)
    while len(names) < count:
        name = rng.choice(templates)()
        norm = normalise_name(name)
        if norm not in taken and norm not in seen:
            seen.add(norm)
            names.append(name)
    return names[:count]


# --- the run -------------------------------------------------------------------------------------


def screen_command(names: list[str]) -> tuple[float, list[dict]]:
    """Run `manage.py screen --json --names-file` in a new process on this run's database; (seconds, report)."""
    import json
    import subprocess
    import tempfile

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings_dict['NAME']}"
    else:
        url = (
            f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST']}:"
            f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
        )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8", delete=False) as names_file:
        names_file.write("\n".join(names) + "\n")
    try:
        command = [sys.executable, str(BASE_DIR / "manage.py"), "screen", "--json", "--list", "ofac-sdn"]
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "--names-file", names_file.name], capture_output=True, text=True, env=env, check=False
        )
        seconds = time.perf_counter() - started
    finally:
        os.unlink(names_file.name)
    if done.returncode != 0:
        raise SystemExit(f"manage.py screen failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, json.loads(done.stdout)


def main() -> None:
    from riskreg.screening.matching import POTENTIAL_THRESHOLD, index_cache_clear, index_for_version
    from riskreg.screening.models import ListEntry
    from riskreg.screening.normalise import normalise_name
    from riskreg.screening.services import sanctions_list_import

    data = SDN.read_bytes()
    started = time.perf_counter()
    result = sanctions_list_import(list_code="ofac-sdn", data=data, source_name=str(SDN))
    import_seconds = time.perf_counter() - started
    version = result.version
    print(f"import of {SDN.name}: {version.entry_count} entries in {import_seconds:.2f} s ({connection.vendor})")

    entries = list(ListEntry.objects.filter(sanctions_list=version.sanctions_list, active=True).order_by("pk"))
    rng = random.Random(20240503)
    sample = rng.sample(entries, 2000)
    perturbed = [perturb(rng.choice([e.primary_name, *e.aliases]), rng) for e in sample]
    taken = {normalise_name(n) for e in entries for n in [e.primary_name, *e.aliases]}
    unrelated = unrelated_companies(rng, 3000, taken)
    queries = perturbed + unrelated
    print(f"names: {len(perturbed)} perturbed spellings of real entries + {len(unrelated)} unrelated companies")
    print(
        "  e.g. " + "; ".join(f"{e.primary_name!r} -> {p!r}" for e, p in list(zip(sample, perturbed, strict=True))[:4])
    )

    # Ours: build the index from the database (as a fresh worker would) and screen every name.
    index_cache_clear()
    started = time.perf_counter()
    index = index_for_version(version.pk)
    built = time.perf_counter() - started
    ours = [index.screen(names=[q]) for q in queries]
    ours_seconds = time.perf_counter() - started
    print(
        f"ours: {ours_seconds:.2f} s end to end for {len(queries)} names "
        f"(index of {len(index)} names built in {built:.2f} s; threshold {POTENTIAL_THRESHOLD:g})"
    )

    # Baseline: every name and alias on the list, token_set_ratio, cutoff 85.
    choices, owner = [], []
    for entry in entries:
        for name in [entry.primary_name, *entry.aliases]:
            choices.append(name)
            owner.append(entry.pk)
    owner_array = np.array(owner)
    full = "--full-baseline" in sys.argv
    # By default the baseline screens every fifth name (400 perturbed, 600 unrelated) and its time is
    # scaled to 5,000 (cdist is linear in the number of queries); --full-baseline screens all 5,000.
    step = 1 if full else 5
    base_sample = sample[::step]
    base_perturbed, base_unrelated = len(perturbed[::step]), len(unrelated[::step])
    base_queries = perturbed[::step] + unrelated[::step]
    started = time.perf_counter()
    matrix = process.cdist(
        base_queries,
        choices,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=BASELINE_CUTOFF,
        dtype=np.uint8,
        workers=-1,
    )
    measured = time.perf_counter() - started
    baseline_seconds = measured * len(queries) / len(base_queries)
    scope = "all names" if full else f"measured {measured:.2f} s on {len(base_queries)} names, scaled to {len(queries)}"
    print(
        f"baseline: {baseline_seconds:.2f} s (cdist token_set_ratio >= {BASELINE_CUTOFF} over {len(choices)} "
        f"names and aliases, both cores; {scope})"
    )
    print(f"speed: ours is {baseline_seconds / ours_seconds:.1f}x faster than the baseline (target >= 10x)")

    # End to end: the same 5,000 names through `manage.py screen --json --names-file`, a new process that
    # starts Django and reads the lists in force from the database (process start included). Cold: no stored
    # index, the command builds it. Warm: it loads the signed copy the last build stored (the usual case: the
    # screening that follows every import builds it).
    index_cache_clear(stored=True)
    cold_seconds, _ = screen_command(queries)
    command_seconds, command_report = screen_command(queries)
    one_seconds, _ = screen_command(queries[:1])
    print(
        f"command: {command_seconds:.2f} s for `manage.py screen --json --names-file` with {len(queries)} names, "
        f"process start included; {baseline_seconds / command_seconds:.1f}x faster than the baseline (target >= 10x)"
    )
    print(
        f"  cold (no stored index, the command builds it): {cold_seconds:.2f} s, "
        f"{baseline_seconds / cold_seconds:.1f}x; fixed cost (start, lists, index): {one_seconds:.2f} s "
        "(the same command with one name)"
    )
    command_found = sum(
        1
        for entry, item in zip(sample, command_report[: len(perturbed)], strict=True)
        if any(h["entry_id"] == entry.external_id for h in item["hits"])
    )
    command_fp = sum(1 for item in command_report[len(perturbed) :] if item["hits"])

    ours_found = sum(
        1
        for entry, hits in zip(sample, ours[: len(perturbed)], strict=True)
        if any(h.entry_id == entry.pk for h in hits)
    )
    base_found = sum(
        1 for i, entry in enumerate(base_sample) if entry.pk in set(owner_array[np.nonzero(matrix[i])[0]].tolist())
    )
    ours_recall, base_recall = ours_found / len(sample), base_found / base_perturbed
    print(
        f"recall of perturbed names: ours {ours_recall:.4f} ({ours_found}/{len(sample)}), "
        f"baseline {base_recall:.4f} ({base_found}/{base_perturbed}) (target >= 0.98)"
    )
    ours_fp = [q for q, hits in zip(unrelated, ours[len(perturbed) :], strict=True) if hits]
    base_fp = sum(1 for i in range(base_perturbed, len(base_queries)) if matrix[i].any())
    print(
        f"unrelated companies flagged: ours {len(ours_fp) / len(unrelated):.2%} ({len(ours_fp)}), "
        f"baseline {base_fp / base_unrelated:.2%} ({base_fp}/{base_unrelated}) (target < 1%)"
    )
    same = (command_found, command_fp) == (ours_found, len(ours_fp))
    print(
        f"through the command: recall {command_found / len(sample):.4f} ({command_found}/{len(sample)}), "
        f"unrelated flagged {command_fp / len(unrelated):.2%} ({command_fp}) "
        f"({'the same as' if same else 'DIFFERENT FROM'} in-process)"
    )
    for name in ours_fp[:10]:
        hit = ours[queries.index(name)][0]
        print(f"  ours flagged {name!r} ~ {hit.matched_name!r} ({hit.score})")
    missed = [
        (e.primary_name, p)
        for e, p, hits in zip(sample, perturbed, ours, strict=False)
        if not any(h.entry_id == e.pk for h in hits)
    ]
    for original, query in missed[:10]:
        print(f"  ours missed {query!r} (list: {original!r})")

    big = process.cdist(
        BIG_FIVE,
        choices,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=BASELINE_CUTOFF,
        dtype=np.uint8,
    )
    wratio = process.cdist(
        BIG_FIVE,
        choices,
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=BASELINE_CUTOFF,
        dtype=np.uint8,
    )
    print("big companies that are not on the SDN:")
    for i, name in enumerate(BIG_FIVE):
        hits = index.screen(names=[name])
        flagged = [choices[j] for j in np.nonzero(big[i])[0]]
        flagged_w = [choices[j] for j in np.nonzero(wratio[i])[0]]
        print(
            f"  {name}: ours {'FLAGGED ' + hits[0].matched_name if hits else 'not flagged'}; "
            f"baseline {('flagged ' + str(len(flagged)) + ' e.g. ' + repr(flagged[:2])) if flagged else 'not flagged'}"
            f"; WRatio>=85 would flag {len(flagged_w)}"
        )


if __name__ == "__main__":
    with throwaway_database(sqlite_file=True):  # a file, not memory, so that the screen command's process sees it
        main()
