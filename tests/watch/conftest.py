"""Watch fixtures: a small catalog (Zhipu AI, Huawei, Ascend 910B, GLM-5), sources on local servers,
a threaded HTTP server for slow answers, and a probe for the sanctions importer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from models_catalog.models import Accelerator, ProvenanceClaim
from riskreg.watch.models import WatchSource
from riskreg.watch.services import watch_source_create
from tests.factories import (
    AcceleratorFactory,
    AIModelFactory,
    EvidenceSourceFactory,
    OrganisationFactory,
    ProvenanceClaimFactory,
)


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Each test stores its snapshots in its own directory."""
    settings.RISKREG_DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def catalog(db) -> dict:
    zhipu = OrganisationFactory(
        name="Beijing Zhipu Huazhang Technology Co., Ltd.",
        short_name="Zhipu AI",
        native_name="北京智谱华章科技股份有限公司",
    )
    future = OrganisationFactory(name="Beijing Zhipu Future Technology Co., Ltd.", parent=zhipu)
    huawei = OrganisationFactory(name="Huawei Technologies Co., Ltd.", short_name="Huawei")
    nvidia = OrganisationFactory(name="NVIDIA Corporation", short_name="Nvidia", country="US")
    meta = OrganisationFactory(name="Meta Platforms, Inc.", short_name="Meta", country="US")
    ascend = AcceleratorFactory(product="Ascend 910B", vendor=huawei, kind=Accelerator.Kind.NPU)
    h100 = AcceleratorFactory(product="H100-80GB", vendor=nvidia)
    glm5 = AIModelFactory(name="GLM-5", family="GLM", developer=zhipu)
    llama4 = AIModelFactory(name="Llama 4", family="Llama", developer=meta, licence="LicenseRef-Llama-4")
    source = EvidenceSourceFactory(title="Report")
    ProvenanceClaimFactory(
        model=glm5,
        statement="GLM-5 was trained on Huawei Ascend chips.",
        value="Huawei Ascend 910B",
        accelerator=ascend,
        source=source,
    )
    ProvenanceClaimFactory(
        model=llama4,
        statement="Llama 4 was trained on Nvidia H100-80GB.",
        value="Nvidia H100-80GB",
        accelerator=h100,
        confidence=ProvenanceClaim.Confidence.DEVELOPER_STATED,
        source=source,
    )
    return {
        "zhipu": zhipu,
        "future": future,
        "huawei": huawei,
        "nvidia": nvidia,
        "meta": meta,
        "ascend": ascend,
        "h100": h100,
        "glm5": glm5,
        "llama4": llama4,
    }


@pytest.fixture
def make_source(db) -> Callable[..., WatchSource]:
    def make(url: str, kind: str = "rss", **extra) -> WatchSource:
        extra.setdefault("name", f"source {WatchSource.objects.count() + 1}")
        return watch_source_create(kind=kind, url=url, **extra)

    return make


def rss(*items: tuple[str, str, str]) -> str:
    """An RSS 2.0 feed of (guid, title, description) items."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://example.org/{guid}</link>"
        f"<description>{text}</description></item>"
        for guid, title, text in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>{body}</channel></rss>'
    )


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.server.respond(self)

    do_POST = do_GET  # webhooks: the body is left unread, the answer is what the test is about

    def log_message(self, *args):
        pass


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 answering with `respond(handler)`; for slow and odd answers."""

    def __init__(self, respond: Callable[[BaseHTTPRequestHandler], None]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.respond = respond
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server():
    servers: list[LocalServer] = []

    def start(respond) -> LocalServer:
        server = LocalServer(respond)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
