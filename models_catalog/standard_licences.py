"""The terms of the common permissive licences, so that a new register knows them.

MIT, Apache-2.0, the BSD licences and ISC allow commercial use, modification and distribution on condition of
keeping their notices, and qualify as free and open-source under the AI Act (Art. 53(2)). Custom licences
(LicenseRef-) are recorded by legal once read; until then the register raises an item for them. Made after every
migrate (and every test flush) by ``standard_licences_ensure``, like the role groups (models_catalog.apps).
"""

from __future__ import annotations

import datetime

from models_catalog.models import Licence

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
