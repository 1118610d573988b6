from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "riskreg.evidence"
    label = "evidence"
    verbose_name = "Evidence captures"

    def ready(self) -> None:
        from models_catalog import ports
        from riskreg.evidence import receivers  # noqa: F401  (captures a source when its URL is added or changed)
        from riskreg.evidence.selectors import evidence_state_of, model_cited_sources

        # The catalog's model page and sources API show the captured copies; evidence knows them.
        ports.source_evidence_state.provide(evidence_state_of)
        ports.model_cited_sources.provide(model_cited_sources)
