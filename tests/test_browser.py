"""The training explorer in a real browser: JupyterLab, headless Chromium, Playwright.

The module starts JupyterLab on 127.0.0.1 (a free port, a random token) with the
course's own settings (``jupyter-config/``, as ``make lab`` uses them: no news, no
update check, no kernel dialogs) on a copy of ``notebooks/10_explorers.ipynb``. A
test opens it in headless Chromium, clears and runs every cell from the menus,
presses Train in the training explorer, and waits until that cell's output area
shows a new figure and the results table; it saves a screenshot under
``tests/artifacts/``, then presses Train and Stop and waits for the stopped run's
table. A second test breaks the Train handler from a notebook cell
and checks that the same wait then fails, so a pass means the button works.
``pytest -m "not browser"`` leaves these tests out.

Needs the playwright package (the course extra) and Debian's chromium at
/usr/bin/chromium (``make test`` installs it when run as root). Without them the
tests skip with the reason, except when CI is "true", where they fail. The browser
may only reach the server on 127.0.0.1: every other request is aborted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from secrets import token_hex
from urllib.parse import urlparse

import nbformat
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "10_explorers.ipynb"
SETTINGS = ROOT / "jupyter-config"  # the course's JupyterLab settings
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
]
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on screen
WAIT_MS = 60_000  # the longest any one wait in the browser may take
BROKEN_WAIT_MS = 20_000  # a working Train shows its results well within this
# The cell the second test appends: the Train button then does nothing.
BREAK_TRAIN = (
    "# Broken on purpose: the browser test must notice that Train does nothing.\n"
    "from seqlib import widgets\n"
    "widgets.TrainExplorer.start = lambda self: None"
)


def _missing(reason: str):
    """Skip on a learner's machine; fail where CI=true, so CI never skips."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright_api():
    try:
        from playwright import sync_api
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[course]')")
    return sync_api


@pytest.fixture(scope="module")
def browser(playwright_api):
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _missing(
            f"no Chromium at {CHROMIUM}: install it with 'sudo apt-get install "
            "chromium' (make test does it when run as root)"
        )
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the notebook; shut down after the module."""
    work = tmp_path_factory.mktemp("lab")
    notebooks, home = work / "notebooks", work / "home"
    notebooks.mkdir()
    shutil.copy(NOTEBOOK, notebooks / NOTEBOOK.name)
    port, token = _free_port(), token_hex(16)
    existing = os.environ.get("JUPYTER_CONFIG_PATH")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_PATH": os.pathsep.join(filter(None, [str(SETTINGS), existing])),
        # The learner's own settings, workspaces and runtime files stay untouched.
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "SEQLIB_PROGRESS": "0",
    }
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={notebooks}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    log_path = work / "jupyterlab.log"
    log = open(log_path, "w")  # closed after the module's tests
    server = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(server, f"{base}/api/status?token={token}", log_path)
        yield {"base": base, "token": token, "root": notebooks, "log": log_path}
    finally:
        _shut_down(server, base, token)
        log.close()


def _wait_for_server(server, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited early:\n{log_path.read_text()[-3000:]}")
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"JupyterLab did not answer in time:\n{log_path.read_text()[-3000:]}")


def _shut_down(server: subprocess.Popen, base: str, token: str) -> None:
    """Stop the kernels the server started, then the server itself."""
    if server.poll() is None:
        try:
            for kernel in json.loads(_get(f"{base}/api/kernels?token={token}")):
                url = f"{base}/api/kernels/{kernel['id']}?token={token}"
                urllib.request.urlopen(
                    urllib.request.Request(url, method="DELETE"), timeout=10
                ).close()
        except OSError:
            pass  # the server stops its kernels on SIGTERM too
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)  # whatever of its group is left
    except ProcessLookupError:
        pass
    server.wait(timeout=15)


@pytest.fixture
def page(browser, lab, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})

    def local_only(route):
        host = urlparse(route.request.url).hostname
        if host == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", local_only)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    failed_before = request.session.testsfailed
    try:
        yield page
    finally:
        # A failed test leaves a screenshot of the page as it was at the end.
        if request.session.testsfailed > failed_before:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"{request.node.name}_failed.png")
        context.close()


def _open_and_run_all(page, lab, name: str) -> None:
    """Open a notebook, clear its saved outputs, and run every cell from the menus."""
    code_cells = sum(
        cell.cell_type == "code"
        for cell in nbformat.read(lab["root"] / name, as_version=4).cells
    )
    # reset: a fresh workspace, so no tab of an earlier test is restored.
    page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={lab['token']}")
    page.locator(f"{PANEL} .jp-Cell").first.wait_for()
    _wait_for_kernel(page, lab, name)
    _menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        "panel => !document.querySelector(panel + ' .jp-OutputArea-output')",
        arg=PANEL,
    )
    _menu(page, "Run", "Run All Cells")
    # Clearing blanked every prompt; a cell has run once its prompt shows a number.
    page.wait_for_function(
        """([panel, count]) => {
            const prompts = [...document.querySelectorAll(
                panel + ' .jp-CodeCell .jp-InputArea-prompt')];
            return prompts.length === count
                && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        arg=[PANEL, code_cells],
        timeout=WAIT_MS,
    )
    failed = page.locator(
        f"{PANEL} [data-mime-type='application/vnd.jupyter.stderr']",
        has_text="Traceback",
    )
    assert failed.count() == 0, f"a cell failed: {failed.first.inner_text()[:800]}"


def _wait_for_kernel(page, lab, name: str) -> None:
    """Wait until the page's kernel has started and the page is connected to it.

    The page shows "idle" before its kernel exists; the server knows better. The
    pauses go through Playwright, which serves the page's requests only while the
    test is inside one of its calls.
    """
    url = f"{lab['base']}/api/sessions?token={lab['token']}"
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        for session in json.loads(_get(url)):
            kernel = session.get("kernel") or {}
            if (
                session.get("path") == name
                and kernel.get("execution_state") == "idle"
                and kernel.get("connections", 0) > 0
            ):
                return
        page.wait_for_timeout(250)
    pytest.fail(
        f"the kernel of {name} did not start:\n{lab['log'].read_text()[-3000:]}"
    )


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-item", has_text=menu).first.click()
    page.locator(".lm-Menu-item", has_text=item).first.click()


def _trainer(page):
    """The output area that holds the training explorer (not its source code)."""
    return page.locator(
        f"{PANEL} .jp-OutputArea-output", has=page.locator(".seqlib-train")
    )


def _press_train(page):
    trainer = _trainer(page)
    trainer.scroll_into_view_if_needed()
    image = trainer.locator("img").first
    before = image.get_attribute("src")
    assert trainer.locator("table.seqlib-results").count() == 0, "a table before Train"
    # The button's name also holds its icon, so match its text instead.
    trainer.locator("button", has_text="Train").click()
    return trainer, image, before


def _wait_for_results(expect, trainer, image, before: str, timeout: int) -> None:
    """The new figure and the results table, inside the explorer's output area."""
    expect(image).not_to_have_attribute("src", before, timeout=timeout)
    table = trainer.locator("table.seqlib-results")
    expect(table).to_be_visible(timeout=timeout)
    expect(table.locator("tbody tr")).to_have_count(2, timeout=timeout)
    expect(table).to_contain_text("lstm", timeout=timeout)
    expect(trainer).to_contain_text("Done.", timeout=timeout)


def test_course_settings_turn_off_news_and_kernel_dialogs(lab):
    def default(plugin: str, key: str):
        url = f"{lab['base']}/lab/api/settings/{plugin}?token={lab['token']}"
        return json.loads(_get(url))["schema"]["properties"][key]["default"]

    notification = "@jupyterlab/apputils-extension:notification"
    assert default(notification, "fetchNews") == "false"
    assert default(notification, "checkForUpdates") is False
    dialogs = "@jupyterlab/apputils-extension:sessionDialogs"
    assert default(dialogs, "skipKernelRestartDialog") is True
    tracker = "@jupyterlab/notebook-extension:tracker"
    assert default(tracker, "autoStartDefaultKernel") is True
    assert json.loads(_get(f"{lab['base']}/lab/api/news?token={lab['token']}")) == {
        "news": []
    }


def test_train_button_shows_curves_and_table_and_stop_ends_a_run(
    page, lab, playwright_api
):
    expect = playwright_api.expect
    _open_and_run_all(page, lab, NOTEBOOK.name)
    trainer, image, before = _press_train(page)
    _wait_for_results(expect, trainer, image, before, WAIT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    trainer.screenshot(path=ARTIFACTS / "train_explorer.png")
    # The whole JupyterLab window too, with the trained cell scrolled into view.
    trainer.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "train_explorer_in_lab.png")

    # Train again and stop at once: the kernel runs training in the background,
    # so it still hears the click, and the run ends with what it measured.
    trainer.locator("button", has_text="Train").click()
    stop = trainer.locator("button", has_text="Stop")
    expect(stop).to_be_enabled(timeout=WAIT_MS)
    stop.click()
    expect(trainer).to_contain_text("Stopped", timeout=WAIT_MS)
    expect(stop).to_be_disabled(timeout=WAIT_MS)
    expect(trainer.locator("table.seqlib-results")).to_contain_text("stopped early")


def test_the_wait_fails_when_the_train_handler_is_broken(page, lab, playwright_api):
    # The notebook up to the training explorer, then a cell that breaks Train.
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    last = next(
        i
        for i, cell in enumerate(notebook.cells)
        if "TrainExplorer(" in cell.source and cell.cell_type == "code"
    )
    notebook.cells = notebook.cells[: last + 1] + [
        nbformat.v4.new_code_cell(BREAK_TRAIN)
    ]
    nbformat.write(notebook, lab["root"] / "broken_train.ipynb")
    _open_and_run_all(page, lab, "broken_train.ipynb")
    trainer, image, before = _press_train(page)
    with pytest.raises(AssertionError):
        _wait_for_results(playwright_api.expect, trainer, image, before, BROKEN_WAIT_MS)
    ARTIFACTS.mkdir(exist_ok=True)
    trainer.screenshot(path=ARTIFACTS / "train_explorer_broken.png")
