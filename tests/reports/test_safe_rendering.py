"""Nothing from the data reaches the PDF unescaped, and WeasyPrint fetches only our own static files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import weasyprint

from models_catalog.models import EvidenceSource
from reports.services import StaticOnlyFetcher, memo_render
from reports.services.render import pdf_text
from reports.services.snapshot import model_snapshot_build
from riskreg.register.models import RiskMatrix

META = {"id": 1, "kind": "model", "version": 1, "generated_by": None, "template_version": "t", "subject": "x"}
AT = dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def counting_server(httpserver):
    """A real HTTP server on 127.0.0.1 that would serve an image to anyone who asked."""
    httpserver.expect_request("/pixel.png").respond_with_data(b"\x89PNG\r\n\x1a\n", content_type="image/png")
    httpserver.expect_request("/style.css").respond_with_data("body { color: red }", content_type="text/css")
    return httpserver


def test_evidence_with_html_and_metadata_urls_is_shown_as_text_and_never_fetched(world, counting_server):
    local = counting_server.url_for("/pixel.png")
    EvidenceSource.objects.filter(pk=world.sources["press"].pk).update(
        summary=f'<img src="file:///etc/hostname"> <img src="{local}"> see http://169.254.169.254/latest/meta-data/',
        url="http://169.254.169.254/latest/meta-data/iam/",
    )
    EvidenceSource.objects.filter(pk=world.sources["analysis"].pk).update(url=local)
    snapshot = model_snapshot_build(model_id=world.model.pk, request_id=None, memo=META, at=AT)
    fetcher = StaticOnlyFetcher()

    result = memo_render(snapshot=snapshot, fetcher=fetcher)

    assert counting_server.log == []  # the loopback server was never asked for anything
    # our stylesheet, and the heat map the renderer drew itself (handed to the fetcher in memory)
    assert fetcher.served == ["riskreg-static:reports/memo-4.css", "riskreg-figure:heatmap-1.svg"]
    assert fetcher.refused == []  # escaped markup is text: nothing even tried to load it
    text = pdf_text(result.pdf)
    assert '<img src="file:///etc/hostname">' in text
    assert "http://169.254.169.254/latest/meta-data/iam/" in text
    hostname = Path("/etc/hostname").read_text().strip()
    assert len(hostname) < 6 or hostname not in text


def test_fetcher_refuses_file_http_data_and_metadata_urls_even_in_raw_html(counting_server, tmp_path):
    fetcher = StaticOnlyFetcher()
    html = f"""<html><head>
      <link rel="stylesheet" href="{counting_server.url_for("/style.css")}">
      <link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">
      </head><body>
      <img src="file:///etc/hostname"><img src="{counting_server.url_for("/pixel.png")}">
      <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E">
      <div style="background: url(http://169.254.169.254/x.png)">x</div>
    </body></html>"""

    weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()

    assert counting_server.log == []
    assert fetcher.served == []
    assert {url.split(":", 1)[0] for url in fetcher.refused} == {"http", "file", "data"}
    assert any("169.254.169.254" in url for url in fetcher.refused)


@pytest.mark.parametrize(
    "url",
    [
        "riskreg-static:reports/../../settings.py",
        "riskreg-static:reports/%2e%2e/%2e%2e/riskreg/settings.py",
        "riskreg-static:reports/../services/render.py",
        "riskreg-static:admin/css/base.css",
        "riskreg-static:reports/missing.css",
        "file:///work/reports/static/reports/memo.css",
        "https://example.com/memo.css",
        "riskreg-figure:heatmap-1.svg",  # a figure URL serves only what the renderer registered for this memo
        "riskreg-figure:../../settings.py",
    ],
)
def test_fetcher_serves_nothing_outside_our_static_folder(url):
    fetcher = StaticOnlyFetcher()

    with pytest.raises(ValueError):
        fetcher.fetch(url)

    assert fetcher.refused == [url]


def test_fetcher_serves_our_stylesheet():
    response = StaticOnlyFetcher().fetch("riskreg-static:reports/memo-4.css")

    assert response.content_type == "text/css" and b"@page" in response.read()


def test_a_band_colour_cannot_smuggle_css(world, counting_server):
    RiskMatrix.objects.filter(pk=world.matrix.pk).update(
        bands=[
            {
                "name": "Low",
                "min": 1,
                "max": 9,
                "colour": f"red; background-image: url({counting_server.url_for('/pixel.png')})",
            },
            {"name": "High", "min": 10, "max": 25, "colour": "#c62828"},
        ]
    )
    snapshot = model_snapshot_build(model_id=world.model.pk, request_id=None, memo=META, at=AT)
    fetcher = StaticOnlyFetcher()

    memo_render(snapshot=snapshot, fetcher=fetcher)

    assert counting_server.log == [] and fetcher.refused == []
