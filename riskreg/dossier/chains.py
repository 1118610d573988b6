"""Supply chains from rows read live or at a past moment: the organisations, accelerators and claims they need,
read for the models at hand only, and each model's chain by the catalog's one rule (models_catalog.selectors)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from models_catalog.models import Accelerator, Organisation, ProvenanceClaim
from models_catalog.selectors import ChainLink, chain_links
from riskreg.dossier.readers import Reader


@dataclass
class Chains:
    organisations: dict[int, Organisation]
    subsidiaries: dict[int, list[Organisation]]
    accelerators: dict[int, Accelerator]
    claims: dict[int, list[ProvenanceClaim]]

    @classmethod
    def load(cls, reader: Reader, *, models: list) -> Chains:
        """What the chains of ``models`` (rows as the reader reads them) need, in three queries whatever their
        number: their claims with the accelerators they name (read as they are today: a product and its vendor do
        not change), the developers with their subsidiaries and the organisations the claims name, then the
        developers' parents."""
        claims: dict[int, list[ProvenanceClaim]] = defaultdict(list)
        query = reader.rows(ProvenanceClaim).filter(model_id__in=[m.pk for m in models]).select_related("accelerator")
        for claim in query.order_by("pk"):
            claims[claim.model_id].append(claim)
        accelerators: dict[int, Accelerator] = {
            c.accelerator_id: reader.related(c, "accelerator") for cs in claims.values() for c in cs if c.accelerator_id
        }
        developer_ids = {m.developer_id for m in models}
        wanted = developer_ids | {a.vendor_id for a in accelerators.values()}
        wanted |= {c.organisation_id for cs in claims.values() for c in cs if c.organisation_id}
        organisations = {
            org.pk: org for org in reader.rows(Organisation).filter(Q(id__in=wanted) | Q(parent_id__in=developer_ids))
        }

        def fill(ids: set[int]) -> None:
            ids = ids - set(organisations)
            if ids:
                organisations.update((org.pk, org) for org in reader.rows(Organisation).filter(id__in=ids))
                ids -= set(organisations)
            if ids:  # recorded before history began: read as it is now
                organisations.update((org.pk, org) for org in Organisation.objects.filter(pk__in=ids))

        fill(developer_ids)
        fill({organisations[pk].parent_id for pk in developer_ids if pk in organisations} - {None})
        subsidiaries: dict[int, list[Organisation]] = defaultdict(list)
        for org in sorted(organisations.values(), key=lambda o: o.name):
            if org.parent_id in developer_ids:
                subsidiaries[org.parent_id].append(org)
        return cls(organisations, subsidiaries, accelerators, claims)

    def chain(self, model) -> list[ChainLink]:
        """The model's chain, as models_catalog.selectors.supply_chain gives it for a live model."""
        developer = self.organisations.get(model.developer_id)
        return chain_links(
            developer=developer,
            parent=self.organisations.get(developer.parent_id) if developer and developer.parent_id else None,
            subsidiaries=self.subsidiaries.get(model.developer_id, []),
            claims=self.claims.get(model.pk, []),
            accelerator_of=lambda claim: self.accelerators.get(claim.accelerator_id),
            organisation_of=lambda claim: self.organisations.get(claim.organisation_id),
            vendor_of=lambda accelerator: self.organisations.get(accelerator.vendor_id),
        )
