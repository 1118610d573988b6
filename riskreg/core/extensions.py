"""How an app adds its part to a lower app without the lower app importing it (arrows between apps point down).

Two small tools, neither naming an app:

- ``Port``: a function a lower app needs and a higher app provides. The lower app declares the port in its own
  module, with the contract in the docstring, and calls it; the higher app plugs its function in from its
  ``AppConfig.ready``. The catalog shows list exposure (screening provides it) and the captured copy of a
  source (evidence provides it) this way. A port nobody provided fails loudly: a register that silently showed
  "no exposure" would be worse than an error.
- ``admin_extend`` and ``ExtensibleAdmin``: a higher app adds inlines and actions to a lower app's admin page
  (the memos tab and *Generate a risk memo* on the catalog's models and the register's requests). The lower
  app's ``ModelAdmin`` inherits ``ExtensibleAdmin``; the higher app calls ``admin_extend`` from its
  ``AppConfig.ready``. They are read when a page is built, after every app is ready.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.options import IS_POPUP_VAR


class PortNotProvided(LookupError):
    pass


class Port:
    """One function declared by the app that calls it and provided by the app that knows the answer."""

    def __init__(self, name: str, doc: str = "") -> None:
        self.name = name
        self.__doc__ = doc
        self._provider: Callable[..., Any] | None = None

    def provide(self, func: Callable[..., Any]) -> None:
        """Plug in the implementation (from the providing app's AppConfig.ready; providing twice replaces it)."""
        self._provider = func

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._provider is None:
            raise PortNotProvided(f"No installed app provides {self.name!r}: is the app that provides it missing?")
        return self._provider(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Port {self.name}>"


@dataclass(frozen=True)
class AdminExtension:
    """What one app adds to another app's admin page for a model.

    ``actions`` are admin actions; an action declared with ``permissions=["x"]`` is offered when
    ``permissions["x"](request)`` is true (or, when the extension does not define ``x``, when the page's own
    ``has_x_permission(request)`` is). ``inlines`` are shown on the change page after the page's own."""

    inlines: tuple[type, ...] = ()
    actions: tuple[Callable, ...] = ()
    permissions: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)


_extensions: dict[str, list[AdminExtension]] = {}


def admin_extend(
    model,
    *,
    inlines: Iterable[type] = (),
    actions: Iterable[Callable] = (),
    permissions: Mapping[str, Callable[[Any], bool]] | None = None,
) -> None:
    """Add inlines and actions to the admin of ``model`` (a model class). Call it once, from AppConfig.ready."""
    extension = AdminExtension(tuple(inlines), tuple(actions), dict(permissions or {}))
    registered = _extensions.setdefault(model._meta.label_lower, [])
    if extension not in registered:
        registered.append(extension)


def admin_extensions_for(model) -> list[AdminExtension]:
    return list(_extensions.get(model._meta.label_lower, []))


class ExtensibleAdmin:
    """For a ModelAdmin other apps may add to (see admin_extend): their inlines and actions join its own."""

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        for extension in admin_extensions_for(self.model):
            inlines.extend(extension.inlines)
        return inlines

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.actions is None or IS_POPUP_VAR in request.GET:
            return actions
        for extension in admin_extensions_for(self.model):
            for func in extension.actions:
                if self._extension_action_allowed(request, func, extension):
                    action = self.get_action(func)
                    actions[action[1]] = action
        return actions

    def _extension_action_allowed(self, request, func, extension: AdminExtension) -> bool:
        for permission in getattr(func, "allowed_permissions", ()):
            check = extension.permissions.get(permission) or getattr(self, f"has_{permission}_permission")
            if not check(request):
                return False
        return True
