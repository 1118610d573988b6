"""API tokens expire (RISKREG_API_TOKEN_DAYS, 30 by default): 401 with the date and the way to a new one."""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_tokens_last_30_days_by_default():
    assert settings.RISKREG_API_TOKEN_DAYS == 30


def test_a_token_works_until_it_expires_then_answers_401_with_a_message(legal):
    token = Token.objects.create(user=legal)
    assert with_token(token.key).get("/api/models/").status_code == 200

    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=30, seconds=1))
    answer = with_token(token.key).get("/api/models/")

    assert answer.status_code == 401
    assert "This token expired on" in answer.json()["detail"]
    assert "drf_create_token -r legal" in answer.json()["detail"]
    assert answer["WWW-Authenticate"] == "Token"


def test_a_new_token_from_the_command_works_again(legal):
    token = Token.objects.create(user=legal)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=31))

    call_command("drf_create_token", "-r", "legal", stdout=io.StringIO())

    assert with_token(Token.objects.get(user=legal).key).get("/api/models/").status_code == 200
