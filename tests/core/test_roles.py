from __future__ import annotations

from django.contrib.auth.models import Group

from riskreg.core.roles import Role


def test_every_role_exists_as_a_group_after_migrate(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


def test_auditor_can_view_everything_and_change_nothing(auditor):
    perms = auditor.get_all_permissions()

    assert "models_catalog.view_aimodel" in perms
    assert "screening.view_screeninghit" in perms
    assert not [p for p in perms if not p.split(".")[1].startswith("view_")]


def test_outsider_has_no_permissions(outsider):
    assert outsider.get_all_permissions() == set()
