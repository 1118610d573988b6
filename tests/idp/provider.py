"""Run the test identity provider (tests.idp) in its own process on loopback, with its own SQLite database and
RSA key, and reach into it: create people and groups, move them between groups, sign tokens with its key."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

BASE_DIR = Path(__file__).resolve().parents[2]
CLIENT_ID = "riskreg-test-client"
CLIENT_SECRET = "riskreg-test-client-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def new_rsa_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


class IdentityProvider:
    def __init__(self, *, redirect_uri: str) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="riskreg-idp-"))
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}/o"
        self.key_pem = new_rsa_key_pem()
        self.redirect_uri = redirect_uri
        self.client_id, self.client_secret = CLIENT_ID, CLIENT_SECRET
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "tests.idp.settings",
            "IDP_DATABASE": str(self.folder / "idp.sqlite3"),
            "IDP_RSA_KEY": self.key_pem,
            "IDP_ISSUER": self.issuer,
        }
        self.process: subprocess.Popen | None = None

    def _django(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"identity provider: {' '.join(args[:1])} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def run(self, code: str) -> str:
        """Python run inside the provider (its ORM, its users), e.g. to take someone out of a group."""
        return self._django("shell", "-c", code)

    def start(self) -> IdentityProvider:
        self._django("migrate", "-v", "0")
        self.run(
            "from oauth2_provider.models import Application\n"
            f"Application.objects.create(name='riskreg', client_id={self.client_id!r}, "
            f"client_secret={self.client_secret!r}, client_type='confidential', "
            f"authorization_grant_type='authorization-code', redirect_uris={self.redirect_uri!r}, "
            "algorithm='RS256', skip_authorization=True)"
        )
        log = open(self.folder / "server.log", "wb")  # noqa: SIM115 (the process writes to it until stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload", "--skip-checks"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"identity provider exited:\n{(self.folder / 'server.log').read_text()[-3000:]}")
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("identity provider did not answer within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def person(self, username: str, password: str, *, groups: list[str], first: str = "", last: str = "") -> None:
        self.run(
            "from django.contrib.auth.models import Group, User\n"
            f"user = User.objects.create_user({username!r}, email={username + '@example.com'!r}, "
            f"password={password!r}, first_name={first!r}, last_name={last!r})\n"
            f"for name in {groups!r}:\n"
            "    user.groups.add(Group.objects.get_or_create(name=name)[0])\n"
        )

    def set_groups(self, username: str, groups: list[str]) -> None:
        self.run(
            "from django.contrib.auth.models import Group, User\n"
            f"user = User.objects.get(username={username!r})\n"
            f"user.groups.set([Group.objects.get_or_create(name=name)[0] for name in {groups!r}])\n"
        )

    def subject(self, username: str) -> str:
        """The `sub` the provider gives this person (their primary key)."""
        out = self.run(
            "import json\nfrom django.contrib.auth.models import User\n"
            f"print(json.dumps(User.objects.get(username={username!r}).pk))"
        )
        return str(json.loads(out.strip().splitlines()[-1]))

    def key_id(self) -> str:
        """The `kid` the provider's JWKS gives its key."""
        discovery = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5).json()
        keys = requests.get(discovery["jwks_uri"], timeout=5).json()["keys"]
        return keys[0]["kid"]
