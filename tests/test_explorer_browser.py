"""The explorer in a real browser: JupyterLab + headless Chromium driven by Playwright.

Runs a small notebook whose world holds hostile ad text and an obfuscated phone, then
drags a box on the trend map, searches, expands the network and records a decision.
Asserts the views rendered, the table filled, nothing ran from ad text and no request
left localhost. Screenshots go to ``tests/_artifacts/explorer/`` (and ``docs/img/``).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "_artifacts" / "explorer"
DOCS_IMG = REPO / "docs" / "img"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

SETUP = """import workbench
from workbench.synth import generate_world
from workbench.explore import Explorer

world = generate_world(300, seed=3)
accounts = world.accounts.copy()
accounts.loc[0, "text"] = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> ' + accounts.loc[0, "text"]
accounts.loc[1, "text"] = accounts.loc[1, "text"] + " call 7one3-48two-0193 now"
result = workbench.run(accounts, world.cases, backend="cpu")
result"""
SHOW = 'Explorer(result, review_path="review")'


PLOTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(g => ({
    traces: (g.data || []).length, points: (g.data || []).reduce((n, t) => n + ((t.x || []).length), 0),
    title: ((g.layout || {}).title || {}).text || null, canvases: g.querySelectorAll('canvas').length}))"""
"""What each plotly plot on the page holds, for the failure report."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"JupyterLab did not answer {url} within {timeout}s")


def _start_kernel(server: str, token: str) -> None:
    """Start the notebook's session before the page opens, so the page attaches to one kernel
    (a kernel started by the page itself can be replaced while the first cells are sent)."""
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    body = json.dumps(
        {
            "path": "explorer.ipynb",
            "name": "explorer.ipynb",
            "type": "notebook",
            "kernel": {"name": "python3"},
        }
    ).encode()
    request = urllib.request.Request(
        f"{server}/api/sessions", data=body, headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["kernel"]["id"]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free localhost port, token-protected, announcements off."""
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"{CHROMIUM} is missing: apt-get install -y chromium chromium-driver to run the browser test"
        )
    pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    base = tmp_path_factory.mktemp("lab")
    root, config = base / "root", base / "config"
    (config / "labconfig").mkdir(parents=True)
    root.mkdir()
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Explorer browser test"),
        nbformat.v4.new_code_cell(SETUP),
        nbformat.v4.new_code_cell(SHOW),
    ]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(notebook, root / "explorer.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    log = open(base / "lab.log", "w")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={base / 'settings'}",
            f"--LabApp.workspaces_dir={base / 'workspaces'}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    try:
        _wait_ready(f"http://127.0.0.1:{port}/api/status?token={token}", proc)
        _start_kernel(f"http://127.0.0.1:{port}", token)
        yield {
            "url": f"http://127.0.0.1:{port}/lab/tree/explorer.ipynb?token={token}",
            "root": root,
            "log": base / "lab.log",
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname in LOCAL_HOSTS


def _shot(locator, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"explorer_{name}.png"
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(path))
    return path


def test_explorer_in_jupyterlab(lab):
    from playwright.sync_api import expect, sync_playwright

    for stale in ("failure.png", "lab.log", "console.txt"):
        (ARTIFACTS / stale).unlink(missing_ok=True)
    requests: list[str] = []
    shots: list[Path] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1700, "height": 2400})
        context.on("request", lambda request: requests.append(request.url))
        page = context.new_page()
        page.on("websocket", lambda ws: requests.append(ws.url))
        console: list[str] = []
        page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
        try:
            page.goto(lab["url"])
            page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
            page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
                timeout=60_000
            )
            dialog = page.locator(".jp-Dialog .jp-mod-accept")
            if (
                dialog.count()
            ):  # a kernel prompt despite autoStartDefaultKernel: accept the preferred kernel
                dialog.first.click()
            cells = page.locator(".jp-Notebook .jp-CodeCell")
            expect(page.locator(".jp-StatusBar-TextItem", has_text="| Idle").first).to_be_visible(
                timeout=60_000
            )
            for i in range(
                cells.count()
            ):  # run each cell as an analyst would: Shift+Enter, wait for its result
                prompt = cells.nth(i).locator(".jp-InputPrompt")
                cells.nth(i).locator(".jp-InputArea-editor").click()
                page.keyboard.press("Shift+Enter")
                expect(prompt).to_have_text(re.compile(r"\[(\*|\d+)\]"), timeout=15_000)
                expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=150_000)
            # the run's cell shows its result and no library warnings (stderr is where they land)
            expect(cells.nth(0).locator(".jp-OutputArea-output").last).to_contain_text("Result(")
            stderr = cells.nth(0).locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            )
            assert stderr.count() == 0, f"the run printed warnings: {stderr.all_inner_texts()}"
            explorer = page.locator(".wb-explorer")
            explorer.wait_for(timeout=30_000)
            trend_map, net = page.locator(".wb-map"), page.locator(".wb-network")
            expect(trend_map.locator(".js-plotly-plot canvas").first).to_be_attached(timeout=30_000)
            expect(net.locator(".js-plotly-plot")).to_be_attached(timeout=30_000)
            table = page.locator(".wb-accounts")
            expect(table).to_contain_text("No accounts selected")

            # a real box selection: drag across the map's plot area
            drag = trend_map.locator(".nsewdrag").first
            drag.scroll_into_view_if_needed()
            box = drag.bounding_box()
            page.mouse.move(box["x"] + box["width"] * 0.02, box["y"] + box["height"] * 0.02)
            page.mouse.down()
            page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5, steps=8)
            page.mouse.move(
                box["x"] + box["width"] * 0.98, box["y"] + box["height"] * 0.98, steps=8
            )
            page.mouse.up()
            expect(table.locator("table.wb-table tbody tr").first).to_be_visible(timeout=30_000)
            assert table.locator("table.wb-table tbody tr").count() > 5
            expect(net.locator(".scatterlayer path.point").first).to_be_attached(timeout=30_000)
            shots += [
                _shot(trend_map, "map"),
                _shot(net, "network"),
                _shot(page.locator(".wb-card"), "card"),
            ]
            explorer.evaluate("node => node.scrollIntoView()")
            shots.append(ARTIFACTS / "explorer_overview.png")
            page.screenshot(path=str(shots[-1]))

            net.get_by_role("button", name="Expand one hop").click()
            expect(net).to_contain_text(re.compile(r"hop 1|no further neighbours"), timeout=30_000)

            search = page.locator(".wb-search-box input")
            search.fill("(713) 482-0193")
            page.locator(".wb-search-button").click()
            expect(table).to_contain_text("+17134820193", timeout=30_000)
            expect(table).to_contain_text("7one3-48two-0193")
            shots.append(_shot(explorer.locator(".wb-accounts"), "search"))

            search.fill("__pwned")
            page.locator(".wb-search-button").click()
            expect(table).to_contain_text("<script>window.__pwned=1</script>", timeout=30_000)
            expect(table).to_contain_text('<img src=x onerror="window.__pwned=1">')
            assert table.locator("script, img").count() == 0
            shots.append(_shot(table, "table"))

            page.locator(".wb-review-entity-confirmed").click()
            expect(page.locator(".wb-card")).to_contain_text("recorded #", timeout=30_000)
            assert (lab["root"] / "review" / "review.sqlite").exists()
            page.wait_for_timeout(500)
            assert page.evaluate("() => typeof window.__pwned") == "undefined"
        except Exception:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
            plots = page.evaluate(PLOTS_JS)
            page.wait_for_timeout(30_000)
            plots = [plots, page.evaluate(PLOTS_JS)]
            (ARTIFACTS / "console.txt").write_text(
                "\n".join(console + ["plots: " + json.dumps(plots)])
            )
            print("browser console:", *console[-40:], "plots:", json.dumps(plots), sep="\n")
            shutil.copy(lab["log"], ARTIFACTS / "lab.log")
            raise
        finally:
            (
                ARTIFACTS.mkdir(parents=True, exist_ok=True),
                (ARTIFACTS / "requests.txt").write_text("\n".join(requests)),
            )
            browser.close()
    external = sorted({url for url in requests if not _is_local(url)})
    assert not external, f"requests left the machine: {external}"
    assert requests, "no request recorded: the recorder is broken"
    if os.environ.get("WORKBENCH_UPDATE_DOCS_IMG"):
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, DOCS_IMG / shot.name)
