"""`GET /api/models/<slug>/?as_of=YYYY-MM-DD`: a model as the register stood at the end of that day.

The catalog's model endpoint (this view set extends it and is routed in front of it, so the arrow between apps
keeps pointing from the workspace to the catalog), plus `obligations`: what is in force on the day (today, or
`as_of`) and the next dates ahead, each with its citation and why it applies, and the register's view of the model
read from its dossier (riskreg.dossier: what the page and the memo read): the residual level, the exposure grouped
by listing, the risk items, the requests one may see and the numbered sources. With `as_of` the body is the dossier
of that day (model facts, claims with numbered sources, supply chain with list exposure, guidance status
per jurisdiction, the risk level, the requests one may see); 404 when the model was not yet in the register that
day; 400 for a date that is not YYYY-MM-DD or lies in the future.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from models_catalog.api import AIModelViewSet
from riskreg.register.selectors import request_ids_visible_to
from riskreg.workspace.selectors import band_from_snapshot, dossier_snapshot


def _as_of(raw: str) -> date:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"as_of": f"Give a date written YYYY-MM-DD, e.g. 2025-01-16; got {raw!r}."}) from None
    if day > timezone.localdate():
        raise ValidationError({"as_of": f"{raw} is in the future; the register can only show days that have passed."})
    return day


class AIModelAsOfViewSet(AIModelViewSet):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                description="YYYY-MM-DD: the model as the register stood at the end of that day (UTC), rebuilt from "
                "history; 404 when the model was not yet in the register that day.",
            )
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        raw = request.query_params.get("as_of", "").strip()
        day = _as_of(raw) if raw else None
        model = self.get_object()  # the permission checks and the 404 of the live endpoint
        snapshot = dossier_snapshot(model=model, as_of=day)
        if snapshot is None:
            raise NotFound(f"{model.name} was not yet in the register on {day.isoformat()}.")
        visible = request_ids_visible_to(request.user)
        band = band_from_snapshot(snapshot, as_of=day, visible_request_ids=visible)
        register = {  # the register's view of the model, from the dossier (what the page and the memo read)
            "residual_level": band["level"],
            "exposure": band["exposure"],
            "risk_items": snapshot["risk"]["items"],
            "requests": [r for r in snapshot["requests"] if visible is None or r["id"] in visible],
            "sources": snapshot["sources"],
            "obligations": snapshot["obligations"],
        }
        if day is None:  # today: the catalog's record (editable through this endpoint), with the register's view
            response = super().retrieve(request, *args, **kwargs)
            response.data.update(register)
            return response
        return Response(
            {
                "as_of": day.isoformat(),
                **snapshot["model"],
                "claims": snapshot["claims"],
                "supply_chain": snapshot["supply_chain"],
                "guidance_status": snapshot["regulatory"],
                **register,
            }
        )
