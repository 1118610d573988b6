"""The workspace pages. Each view checks its permission, reads through selectors and renders one template."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from models_catalog.models import AIModel
from reports.models import Memo
from reports.selectors import memo_can_generate
from riskreg.core.roles import user_roles
from riskreg.core.sso import sso_enabled
from riskreg.dossier.presenters import heatmap_layout, supply_chain_layout
from riskreg.dossier.risk import matrix_row
from riskreg.register.selectors import request_ids_visible_to
from riskreg.workspace import home_selectors, selectors


def page_context(request, **extra) -> dict:
    """What every workspace page needs: the admin's header, user tools and look (one product), then the page's own."""
    return {**admin.site.each_context(request), **extra}


def require_a_role(user) -> None:
    """A signed-in user with no role (and not an administrator) sees nothing of the register."""
    if not (user.is_superuser or user_roles(user)):
        raise PermissionDenied(
            "Your account has no role in the register yet. Ask an administrator to add you to a group."
        )


class BadDate(ValueError):
    pass


def parse_as_of(request) -> date | None:
    """?as_of=YYYY-MM-DD: a past day (or today); anything else is refused with the reason."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadDate(f"as_of must be a date written YYYY-MM-DD, e.g. 2025-01-16; got {raw!r}.") from None
    if day > timezone.localdate():
        raise BadDate(f"as_of {raw} is in the future; the register can only show days that have passed.")
    return day


def _bad_date(request, error: BadDate, title: str):
    context = page_context(request, title=title, error=str(error))
    return render(request, "workspace/bad_date.html", context, status=400)


def sign_in_options(request) -> dict:
    """What the login page offers: the identity provider (when configured), local passwords (unless off)."""
    options = {"local_passwords": settings.RISKREG_LOCAL_PASSWORDS, "sso": None}
    if sso_enabled():
        target = request.GET.get(REDIRECT_FIELD_NAME) or "/"
        options["sso"] = {
            "name": settings.RISKREG_OIDC_NAME,
            "url": reverse("oidc_authentication_init") + "?" + urlencode({"next": target}),
            "failed": request.GET.get("sso") == "failed",
        }
    return options


def login(request, extra_context=None):
    """The admin's login form; with no `next`, every role lands on the home page rather than on /admin/."""
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        if request.method == "POST":
            request.POST = request.POST.copy()
            request.POST[REDIRECT_FIELD_NAME] = "/"
        request.GET = request.GET.copy()
        request.GET[REDIRECT_FIELD_NAME] = "/"
    return admin.site.login(request, {**(extra_context or {}), **sign_in_options(request)})


@login_required
@require_GET
def home(request):
    require_a_role(request.user)
    try:
        as_of = parse_as_of(request)
    except BadDate as error:
        return _bad_date(request, error, "Home")
    book = home_selectors.portfolio(as_of=as_of, visible_request_ids=request_ids_visible_to(request.user))
    context = page_context(
        request,
        title="Home",
        nav="home",
        as_of=as_of,
        work=None if as_of else home_selectors.work_counts(user=request.user),
        rows=book["rows"],
        heatmap=heatmap_layout(
            matrix=matrix_row(book["matrix"]) if book["matrix"] else None, marks=_model_marks(book["rows"], as_of)
        ),
    )
    return render(request, "workspace/home.html", context)


def _model_marks(rows: list[dict], as_of) -> list[dict]:
    """The home page's models as heat-map marks, each a link to its dossier (as of the day shown)."""
    suffix = f"?as_of={as_of.isoformat()}" if as_of else ""
    return [
        {
            "likelihood": row["likelihood"],
            "impact": row["impact"],
            "label": row["name"],
            "href": reverse("workspace:model", args=[row["slug"]]) + suffix,
            "aria_label": (
                f"{row['name']}: {row['level']['name']}, likelihood {row['likelihood']}, impact {row['impact']}"
                if row["level"]
                else row["name"]
            ),
            "colour": (row["level"] or {}).get("colour", "#777777"),
        }
        for row in rows
    ]


@login_required
@require_GET
def model_dossier(request, slug: str):
    require_a_role(request.user)
    if not request.user.has_perm("models_catalog.view_aimodel"):
        raise PermissionDenied("You may not read the catalog.")
    try:
        as_of = parse_as_of(request)
    except BadDate as error:
        return _bad_date(request, error, slug)
    model = get_object_or_404(AIModel.objects.select_related("developer", "developer__parent"), slug=slug)
    snapshot = selectors.dossier_snapshot(model=model, as_of=as_of)
    context = page_context(request, title=model.name, nav="models", model=model, as_of=as_of, snapshot=snapshot)
    if snapshot is None:
        return render(request, "workspace/model_dossier.html", context)
    visible = request_ids_visible_to(request.user)
    requests = [r for r in snapshot["requests"] if visible is None or r["id"] in visible]
    memos = Memo.objects.visible_to(request.user).filter(kind=Memo.Kind.MODEL, model=model).order_by("-version")
    if as_of is not None:
        memos = memos.filter(created_at__lte=selectors.end_of_day(as_of))
    user = request.user
    context.update(
        band=selectors.band_from_snapshot(snapshot, as_of=as_of, visible_request_ids=visible),
        graph=supply_chain_layout(snapshot),
        requests=requests,
        memos=list(memos[:10]),
        can_generate=as_of is None and memo_can_generate(user=user),
        can_edit=as_of is None and user.has_perm("models_catalog.change_aimodel"),
        can_request=as_of is None and user.has_perm("register.add_adoptionrequest"),
        history=selectors.model_history(model=model, as_of=as_of),
        sees_history=user.has_perm("models_catalog.view_aimodel") and user.is_staff,
        compute=_training_compute(snapshot["model"]),
        obligations=snapshot["obligations"],
    )
    return render(request, "workspace/model_dossier.html", context)


def _training_compute(facts: dict) -> dict | None:
    """The common estimate 6 x parameters x tokens (active parameters for a mixture of experts), against the EU AI
    Act's 10^25 FLOP presumption of systemic risk (Art. 51(2)). An estimate, never a disclosed figure."""
    params = facts.get("parameters_active") or facts.get("parameters_total")
    tokens = facts.get("training_tokens")
    if not params or not tokens:
        return None
    flop = 6 * params * tokens
    exponent = len(str(int(flop))) - 1
    mantissa = flop / 10**exponent
    return {"mantissa": f"{mantissa:.1f}", "exponent": exponent, "above": flop >= 10**25}
