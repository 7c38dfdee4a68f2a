"""The explorer notebook in a real JupyterLab, driven by headless Chromium.

JupyterLab is started on 127.0.0.1 from a temporary copy of the notebooks (the repo's
copies are never touched); Playwright for Python drives Debian's ``chromium`` (browser
downloads are impossible here, so its path is given). ``.ci/install-browser``
installs it; without a browser or Playwright the test is skipped with the reason.
A screenshot is kept in ``artifacts/browser/`` as the test's artefact.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SUMMARY = re.compile(
    r"(\d+) items · market value \$[\d,.]+ \(priced \$[\d,.]+\) · offer value \$[\d,.]+ · "
    r"payout ratio"
)

# Resolves once the open notebook's kernel is started and idle (the status bar's
# "idle" shows before a kernel exists, so it cannot be waited on).
WAIT_FOR_KERNEL = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  for (let i = 0; i < 600; i++) {
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (kernel && kernel.connectionStatus === "connected" && kernel.status === "idle") return;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  throw new Error("the kernel did not become idle");
}"""

pytestmark = pytest.mark.timeout(300)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """A JupyterLab server on 127.0.0.1; yields its base URL with the token."""
    if CHROMIUM is None:
        pytest.skip("no chromium on this machine (bash .ci/install-browser installs Debian's)")
    pytest.importorskip("playwright.sync_api", reason="playwright for Python is not installed")
    home = tmp_path_factory.mktemp("lab")
    work = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", work, ignore=shutil.ignore_patterns("artifacts"))
    port, token = _free_port(), "assetpay-test-token"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "TQDM_DISABLE": "1",
    }
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/api/status?token={token}", server, home / "lab.log")
        yield f"{base}/lab/tree/03_explorer.ipynb?token={token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_for(url: str, server: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer in {seconds} s:\n{log.read_text()[-3000:]}")


def _summary(page) -> str:
    return page.locator(".widget-html", has_text="payout ratio").first.inner_text()


def test_explorer_runs_and_reacts_in_jupyterlab(lab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(lab, wait_until="domcontentloaded", timeout=90_000)
            page.wait_for_selector(".jp-Notebook", timeout=90_000)
            page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
            page.evaluate(WAIT_FOR_KERNEL)
            # not awaited: the command's promise can outlive the run
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

            # the explorer's controls render
            page.wait_for_selector(".widget-select-multiple select", timeout=120_000)
            for label in ("Exterior", "Weapon", "Rarity", "Search", "Sort", "StatTrak™"):
                assert page.locator(".widget-label", has_text=label).count() >= 1, label
            page.wait_for_selector("img.widget-image", timeout=60_000)
            page.locator(".widget-html", has_text="payout ratio").first.wait_for(timeout=60_000)
            page.wait_for_selector(".widget-button:has-text('Load')", timeout=60_000)
            before = _summary(page)
            assert SUMMARY.search(before), before

            # change a filter of the first explorer (shown unfiltered): the summary follows
            stattrak = page.locator(".widget-dropdown", has_text="StatTrak™").first
            stattrak.locator("select").select_option("No StatTrak™")
            page.wait_for_function(
                "previous => [...document.querySelectorAll('.widget-html')]"
                ".find(e => e.innerText.includes('payout ratio')).innerText !== previous",
                arg=before,
                timeout=30_000,
            )
            after = _summary(page)
            assert SUMMARY.search(after) and after != before
            assert int(SUMMARY.search(after).group(1)) < int(SUMMARY.search(before).group(1))
            page.locator(".widget-select-multiple").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "explorer.png"), full_page=False)
        finally:
            browser.close()
