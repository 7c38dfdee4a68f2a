"""The documentation site: built strictly, then read in headless Chromium.

The site is built from a copy of ``docs/``, ``notebooks/`` and ``CONTRIBUTING.md`` in a
temporary folder, with the command CI runs (warnings are errors, nitpicky references),
so nothing is written into the repository and no earlier build can stand in for this
one. Four pages are then opened in Debian's ``chromium`` through Playwright, served over
HTTP on 127.0.0.1: the index, one user-guide page, the API page of ``AssetPayClient``
and one notebook page. On each, every image must have loaded and every internal link
must resolve (the page answers 200 and its ``#fragment`` names an element of it).
Screenshots go to ``artifacts/docs/``, the test's artefacts.
"""

from __future__ import annotations

import functools
import html
import http.server
import importlib
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "docs"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAGES = {
    "index": "index.html",
    "guide": "guide/cache.html",
    "api": "api/generated/assetpay_analytics.AssetPayClient.html",
    "notebook": "notebooks/02_pricing_review.html",
}
WINGS = ("frame", "analysis", "plots", "report", "history", "sandbox", "widgets")
# The wing's names that are not charts (the gallery shows every chart).
NOT_CHARTS = {"footer", "save_figure", "to_image"}

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built strictly from a copy of the sources; returns its HTML folder."""
    pytest.importorskip("sphinx", reason="the [docs] extra is not installed")
    work = tmp_path_factory.mktemp("site")
    generated = shutil.ignore_patterns("_build", "generated", "notebooks", "__pycache__")
    shutil.copytree(ROOT / "docs", work / "docs", ignore=generated)
    shutil.copytree(
        ROOT / "notebooks", work / "notebooks", ignore=shutil.ignore_patterns("artifacts")
    )
    shutil.copy2(ROOT / "CONTRIBUTING.md", work / "CONTRIBUTING.md")
    out = work / "docs" / "_build" / "html"
    command = [
        sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-b", "html",
        "docs", str(out),
    ]  # fmt: skip
    built = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=800)
    assert built.returncode == 0, f"the strict build failed:\n{built.stderr[-6000:]}"
    return out


def test_site_builds_strictly_with_every_public_name(site):
    documented = set()
    for page in (site / "api").rglob("*.html"):
        documented |= set(re.findall(r'id="(assetpay_analytics\.[\w.]+)"', page.read_text()))
    import assetpay_analytics as apa

    expected = {
        f"assetpay_analytics.{name}"
        for name in apa.__all__
        if inspect.isclass(getattr(apa, name)) and name != "SnapshotStore"
    }
    for wing in WINGS:
        module = importlib.import_module(f"assetpay_analytics.{wing}")
        expected |= {f"assetpay_analytics.{wing}.{name}" for name in module.__all__}
    assert expected - documented == set()
    assert "assetpay_analytics.accessor.AssetPayAccessor.by_exterior" in documented


def test_gallery_shows_every_chart(site):
    import assetpay_analytics.plots as plots

    page = (site / "gallery.html").read_text()
    gallery = html.unescape(re.sub(r"<[^>]+>", "", page))  # the code as shown, untagged
    charts = set(plots.__all__) - NOT_CHARTS
    charts = {name for name in charts if inspect.isfunction(getattr(plots, name))}
    assert charts, "no chart found in plots.__all__"
    for name in sorted(charts):
        assert f"apa.plots.{name}(" in gallery, f"{name} is missing from the gallery"
    images = re.findall(r'<img[^>]+src="(_images/gallery-[^"]+\.png)"', page)
    assert len(images) >= len(charts) - 1  # the two spread charts are one section each
    assert all((site / image).stat().st_size > 5_000 for image in images)


def test_readme_is_a_first_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 150
    for pointer in ("docs/", "sphinx", "python -m pytest", "report --sandbox"):
        assert pointer in readme, pointer


@pytest.fixture(scope="module")
def served(site) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (a free port); yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@functools.cache
def _ids(url: str) -> frozenset[str]:
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200, f"{url} answered {answer.status_code}"
    return frozenset(re.findall(r'\bid="([^"]+)"', answer.text))


IMAGES = """() => [...document.images].map(img => ({
  src: img.currentSrc || img.src, loaded: img.complete && img.naturalWidth > 0
}))"""
LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_in_browser(served, name):
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (bash .ci/install-browser installs Debian's)")
    pytest.importorskip("playwright.sync_api", reason="playwright for Python is not installed")
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM_ARGS

    url = urljoin(served, PAGES[name])
    failed: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.on(
                "response",
                lambda response: (
                    failed.append(f"{response.status} {response.url}")
                    if response.status >= 400
                    else None
                ),
            )
            page.goto(url, wait_until="load", timeout=60_000)
            images = page.evaluate(IMAGES)
            links = page.evaluate(LINKS)
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)
        finally:
            browser.close()

    assert failed == []
    if name in {"index", "notebook"}:
        assert images, f"{name}: no image on the page"
    assert [image["src"] for image in images if not image["loaded"]] == []
    internal = [link for link in links if link.startswith(served)]
    assert len(internal) > 5, f"{name}: only {len(internal)} internal links"
    for link in internal:
        target, fragment = urldefrag(link)
        if urlsplit(target).path.endswith("/"):
            target += "index.html"
        ids = _ids(target)
        assert not fragment or fragment in ids, f"{name}: {link} has no #{fragment}"


# Runs each block in a fresh namespace, in order; prints the index of the first that fails.
RUN_BLOCKS = """
import json, sys, traceback
blocks = json.load(sys.stdin)
for index, block in enumerate(blocks):
    try:
        exec(compile(block, f"<block {index}>", "exec"), {"__name__": "__main__"})
    except BaseException:
        print(f"block {index} failed:\\n{block}\\n{traceback.format_exc()}", file=sys.stderr)
        sys.exit(1)
"""


def _example_pages() -> list[Path]:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [page for page in pages if "_build" not in page.parts and "generated" not in page.parts]


def _runnable_blocks(page: Path) -> list[str]:
    """The page's ``python`` blocks that stand alone (they import the toolkit themselves).

    Blocks that talk to the real API (``AssetPayClient()``, a key from the environment)
    cannot run here: every other example runs on the sandbox.
    """
    blocks = re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), re.S | re.M)
    return [
        block
        for block in blocks
        if "import assetpay_analytics as apa" in block and "AssetPayClient()" not in block
    ]


@pytest.mark.parametrize(
    "page",
    [page for page in _example_pages() if _runnable_blocks(page)],
    ids=lambda page: str(page.relative_to(ROOT)),
)
def test_examples_run(page, tmp_path):
    env = {
        **os.environ,
        "ASSETPAY_CACHE_DIR": str(tmp_path / "cache"),
        "TQDM_DISABLE": "1",
        "MPLBACKEND": "Agg",
    }
    env.pop("ASSETPAY_API_KEY", None)
    ran = subprocess.run(
        [sys.executable, "-c", RUN_BLOCKS],
        input=json.dumps(_runnable_blocks(page)),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stderr[-4000:]
