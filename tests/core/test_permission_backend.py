"""The register's auth backend answers exactly what Django's ModelBackend answers, in one query."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from riskreg.core.backends import OneQueryModelBackend


@pytest.fixture
def member(db):
    group = Group.objects.create(name="readers")
    group.permissions.add(Permission.objects.get(codename="view_aimodel"))
    user = User.objects.create_user("member", password="x")
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="view_riskitem"))
    return user


def _fresh(user):
    return User.objects.get(pk=user.pk)


def test_a_users_own_and_group_permissions_are_djangos_in_one_query(member):
    with CaptureQueriesContext(connection) as queries:
        ours = OneQueryModelBackend().get_all_permissions(found := _fresh(member))
        assert found.has_perm("models_catalog.view_aimodel") and found.has_perm("register.view_riskitem")
    assert (
        ours
        == ModelBackend().get_all_permissions(_fresh(member))
        == {
            "models_catalog.view_aimodel",
            "register.view_riskitem",
        }
    )
    assert len(queries) == 2  # the user, then every permission at once


def test_superusers_have_every_permission_and_inactive_users_none(member):
    member.is_superuser = True
    member.save()
    assert OneQueryModelBackend().get_all_permissions(_fresh(member)) == ModelBackend().get_all_permissions(
        _fresh(member)
    )
    member.is_superuser, member.is_active = False, False
    member.save()
    assert OneQueryModelBackend().get_all_permissions(_fresh(member)) == set()
