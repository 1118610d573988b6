"""Where the dossier reads the register: the live tables, or the register as it stood at a past moment.

Every catalog and register table keeps its history (django-simple-history, since its first migration), so a past
moment is read from the history tables with the same queries as today's: ``rows(Model)`` is ``Model.objects`` live
and ``Model.history.as_of(at)`` in the past. What history cannot give back (rows older than history, chips and
evidence sources, list entries' own fields, user names) is read as it is today; docs/workspace.md lists it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.apps import apps

from riskreg.screening.selectors import list_hits_by_organisation


class Reader:
    """The register live (``at`` None) or at the moment ``at``."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at

    @property
    def live(self) -> bool:
        return self.at is None

    def rows(self, model_class):
        """Live rows, or the rows as they stood at ``at`` (instances rebuilt from the history table). Filter them
        by ``id`` (``id__in``), never ``pk__in``: on the history table ``pk`` is the history record's own id
        (simple-history rewrites only ``pk=``), which matches the row's id only while the two sequences happen
        to agree (on SQLite, not after rolled-back work on PostgreSQL)."""
        return model_class.objects.all() if self.at is None else model_class.history.as_of(self.at)

    @staticmethod
    def related(obj, name: str):
        """A related object fetched with select_related, also on an instance rebuilt from history (simple-history
        keeps the historical record, which carries the join, as ``_history``)."""
        record = getattr(obj, "_history", None)
        return getattr(record if record is not None else obj, name)

    def links(self, model_class, field: str, rows: list) -> dict[int, list[int]]:
        """A many-to-many field's targets per row, {row id: [target ids]} by target id: live from the through
        table, in the past as recorded with each row's history record (simple-history's m2m_fields)."""
        if not rows:
            return {}
        relation = model_class._meta.get_field(field)
        source, target = f"{relation.m2m_field_name()}_id", f"{relation.m2m_reverse_field_name()}_id"
        if self.at is None:
            found = relation.remote_field.through.objects.filter(**{f"{source}__in": [row.pk for row in rows]})
        else:
            label = model_class._meta.app_label
            through = apps.get_model(label, f"Historical{model_class.__name__}_{field}")
            found = through.objects.filter(history_id__in=[row._history.pk for row in rows])
        targets: dict[int, list[int]] = defaultdict(list)
        for row in found.order_by(target).values(source, target):
            targets[row[source]].append(row[target])
        return targets

    def exposure(self, *, organisation_ids) -> dict[int, list[dict]]:
        """Each organisation's list hits, live or as they stood (riskreg.screening.selectors)."""
        return list_hits_by_organisation(organisation_ids=organisation_ids, at=self.at)
