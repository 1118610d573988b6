"""One router for the whole API; each app registers its own viewsets."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

import models_catalog.api
import models_catalog.interchange.api
import reports.api
import riskreg.evidence.api
import riskreg.register.api
import riskreg.screening.api
import riskreg.watch.api

router = DefaultRouter()
for module in (
    models_catalog.api,
    models_catalog.interchange.api,
    riskreg.screening.api,
    riskreg.watch.api,
    riskreg.evidence.api,
    riskreg.register.api,
    reports.api,
):
    module.register(router)
