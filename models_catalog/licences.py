"""SPDX licence identifiers the catalog accepts.

A curated subset of the SPDX License List (https://spdx.org/licenses/) covering the licences AI
models are published under. ``NOASSERTION`` (SPDX's own word) records that the licence is not
known yet. Anything else must be written as an SPDX custom reference, ``LicenseRef-<name>`` (for
example ``LicenseRef-Llama-4-Community``), so a reader can always tell a real SPDX id from a house name.
"""

from __future__ import annotations

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
