"""SPDX licence identifiers the catalog accepts.

A curated subset of the SPDX License List (https://spdx.org/licenses/) covering the licences AI
models are published under. ``NOASSERTION`` (SPDX's own word) records that the licence is not
known yet. Anything else must be written as an SPDX custom reference, ``LicenseRef-<name>`` (for
example ``LicenseRef-Llama-4-Community``), so a reader can always tell a real SPDX id from a house name.
"""

from __future__ import annotations

import datetime
import re

SPDX_IDS = frozenset(
    {
        "0BSD",
        "AFL-3.0",
        "AGPL-3.0-only",
        "AGPL-3.0-or-later",
        "Apache-1.1",
        "Apache-2.0",
        "Artistic-2.0",
        "BSD-1-Clause",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSD-3-Clause-Clear",
        "BSL-1.0",
        "CC-BY-2.0",
        "CC-BY-3.0",
        "CC-BY-4.0",
        "CC-BY-NC-2.0",
        "CC-BY-NC-3.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-ND-3.0",
        "CC-BY-NC-ND-4.0",
        "CC-BY-NC-SA-2.0",
        "CC-BY-NC-SA-3.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-ND-4.0",
        "CC-BY-SA-3.0",
        "CC-BY-SA-4.0",
        "CC0-1.0",
        "CDLA-Permissive-1.0",
        "CDLA-Permissive-2.0",
        "CDLA-Sharing-1.0",
        "CreativeML-OpenRAIL-M",
        "ECL-2.0",
        "EPL-1.0",
        "EPL-2.0",
        "EUPL-1.1",
        "EUPL-1.2",
        "GFDL-1.3-only",
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "GPL-3.0-only",
        "GPL-3.0-or-later",
        "ISC",
        "LGPL-2.1-only",
        "LGPL-2.1-or-later",
        "LGPL-3.0-only",
        "LGPL-3.0-or-later",
        "LPPL-1.3c",
        "MIT",
        "MIT-0",
        "MPL-2.0",
        "MS-PL",
        "NCSA",
        "NOASSERTION",
        "ODbL-1.0",
        "ODC-By-1.0",
        "OFL-1.1",
        "OpenSSL",
        "OSL-3.0",
        "PDDL-1.0",
        "PostgreSQL",
        "Python-2.0",
        "Unlicense",
        "UPL-1.0",
        "W3C",
        "WTFPL",
        "Zlib",
        "ZPL-2.1",
    }
)

LICENCE_REF = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")


def is_known_licence(value: str) -> bool:
    return value in SPDX_IDS or bool(LICENCE_REF.match(value))


# Licences that disclaim warranty and liability and let anyone use, change and share the weights: a model
# published with open weights under one of them has nobody standing behind it.
PERMISSIVE_LICENCES = frozenset(
    {
        "0BSD",
        "Apache-1.1",
        "Apache-2.0",
        "BSD-1-Clause",
        "BSD-2-Clause",
        "BSD-3-Clause",
        "BSD-3-Clause-Clear",
        "BSL-1.0",
        "CC0-1.0",
        "CC-BY-4.0",
        "ECL-2.0",
        "ISC",
        "MIT",
        "MIT-0",
        "NCSA",
        "PostgreSQL",
        "Unlicense",
        "UPL-1.0",
        "Zlib",
    }
)


# --- the terms of the common permissive licences, so that a new register knows them -------------------------------
# MIT, Apache-2.0, the BSD licences and ISC allow commercial use, modification and distribution on condition of
# keeping their notices, and qualify as free and open-source under the AI Act (Art. 53(2)). Custom licences
# (LicenseRef-) are recorded by legal once read; until then the register raises an item for them. Made after every
# migrate (and every test flush) by ``standard_licences_ensure``, like the role groups.

STANDARD_READ_ON = datetime.date(2026, 12, 6)
OPEN = "Allows use, copying, modification and distribution without restriction on use or users (AI Act Art. 53(2))."
NOTICE = "Keep the copyright notice, the list of conditions and the disclaimer in copies and in documentation."
STANDARD_LICENCES = [
    (
        "MIT",
        "MIT License",
        "Keep the copyright notice and the permission notice in all copies or substantial portions.",
    ),
    (
        "Apache-2.0",
        "Apache License 2.0",
        "Give recipients a copy of the licence, mark changed files, keep the NOTICE file's attributions (§4(a), (b), "
        "(d)); patent licence ends on patent litigation (§3).",
    ),
    ("BSD-2-Clause", 'BSD 2-Clause "Simplified" License', NOTICE),
    ("BSD-3-Clause", 'BSD 3-Clause "New" or "Revised" License', NOTICE + " No use of the authors' names to endorse."),
    ("ISC", "ISC License", "Keep the copyright notice and the permission notice in all copies."),
]


def standard_licences_ensure(*, using: str = "default") -> int:
    """Record the standard licences that are missing (legal's edits of an existing record are kept); how many."""
    from models_catalog.models import Licence

    made = 0
    for identifier, name, attribution in STANDARD_LICENCES:
        _, created = Licence.objects.using(using).get_or_create(
            identifier=identifier,
            defaults={
                "name": name,
                "version": f"SPDX {identifier}",
                "commercial_use": "allowed",
                "attribution": attribution,
                "ai_act_open_source": True,
                "ai_act_open_source_reason": OPEN,
                "citation": f"SPDX License List, {identifier} (https://spdx.org/licenses/{identifier}.html)",
                "read_on": STANDARD_READ_ON,
            },
        )
        made += created
    return made
