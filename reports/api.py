from __future__ import annotations


def register(router) -> None:
    """Register this app's viewsets on the project router."""
