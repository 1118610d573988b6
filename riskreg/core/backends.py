"""Django's ModelBackend, reading a user's permissions (their own and their groups') in one query instead of two.

Every page checks a permission; the workspace's pages have a budget of 25 queries (tests/workspace), so the two
queries Django makes for the first check of a request are one here. The result is the same set, cached on the
user object exactly as Django caches it (``_perm_cache``, ``_user_perm_cache``, ``_group_perm_cache``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class OneQueryModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        """A local password, unless they are turned off (RISKREG_LOCAL_PASSWORDS=0: the identity provider only)."""
        if not settings.RISKREG_LOCAL_PASSWORDS:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list("content_type__app_label", "codename")
                user_obj._perm_cache = {f"{app}.{name}" for app, name in rows.order_by()}
            else:
                rows = (
                    Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
                    .values_list("content_type__app_label", "codename")
                    .order_by()
                    .distinct()
                )
                user_obj._perm_cache = {f"{app}.{name}" for app, name in rows}
        return user_obj._perm_cache
