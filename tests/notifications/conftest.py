"""Fixtures shared with the register and watch tests: a small catalog and requests at each step."""

from tests.register.conftest import draft, eu, h100, in_review, llama4, meta, model_card, nvidia  # noqa: F401
from tests.watch.conftest import catalog  # noqa: F401
