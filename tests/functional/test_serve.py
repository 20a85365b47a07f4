"""``newstui serve``: the reader in a real headless Chromium (Playwright driving the system
``/usr/bin/chromium``), the token off loopback, and bad ``--host`` / ``--port``.

The browser test reads the terminal's text from xterm.js's buffer: an init script keeps the
``Terminal`` textual-serve's page creates (the page keeps it in a closure), and
``page.evaluate`` reads its lines. Every request the page makes off 127.0.0.1 (a web font)
is aborted: the test never touches the internet.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_run import REPO, cli_env, run_newstui

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Keeps every xterm.js Terminal the page makes in window.__terminals: the page assigns
# ``this.terminal = new Terminal(...)``; a setter on Object.prototype sees that assignment
# (the object has no own 'terminal' yet) and then makes it an ordinary property.
KEEP_TERMINAL = """
window.__terminals = [];
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  set(value) {
    if (value && value.buffer && typeof value.write === 'function') window.__terminals.push(value);
    Object.defineProperty(this, 'terminal',
      {value, writable: true, configurable: true, enumerable: true});
  },
});
"""
SCREEN_TEXT = """() => {
  const term = window.__terminals[0];
  if (!term) return '';
  const buf = term.buffer.active, lines = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buf.getLine(buf.viewportY + y);
    lines.push(line ? line.translateToString(true) : '');
  }
  return lines.join('\\n');
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"newstui serve exited with {proc.returncode}: {out}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # answering (a 403 is an answer)
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"newstui serve did not answer at {url}")


@contextlib.contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``newstui serve ARGS --port FREE`` on the bundled articles, stopped afterwards."""
    port = free_port()
    env = cli_env(tmp_path / "home")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newstui",
            "serve",
            str(REPO / "articles"),
            "--port",
            str(port),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=REPO,
    )
    try:
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def non_loopback_address() -> str | None:
    """An address of this machine other than loopback (to bind and reach), if any."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))  # no packet is sent: UDP connect only picks a route
        addr = str(s.getsockname()[0])
        if not addr.startswith("127."):
            return addr
    return None


@pytest.mark.slow
def test_browser_shows_the_list_and_a_search_opens_the_reader(tmp_path: Path) -> None:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (apt-get install chromium): no browser to drive")
    sync_api = pytest.importorskip("playwright.sync_api")
    with serving(tmp_path) as (proc, port), sync_api.sync_playwright() as pw:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + "/", proc)
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            browser.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(base) else route.abort()
                ),
            )
            page = browser.new_page()
            page.add_init_script(KEEP_TERMINAL)
            page.goto(base + "/")

            def screen() -> str:
                return str(page.evaluate(SCREEN_TEXT))

            def wait_screen(*wanted: str, timeout: float = 60) -> str:
                deadline = time.monotonic() + timeout
                text = ""
                while time.monotonic() < deadline:
                    text = screen()
                    if all(w in text for w in wanted):
                        return text
                    time.sleep(0.2)
                raise AssertionError(f"never saw {wanted!r} on the page; it showed:\n{text}")

            wait_screen("Welcome to newstui", "Sessions hits back at Trump over recusal")
            page.locator(".xterm-screen").click()
            page.keyboard.type("/")
            page.keyboard.type("recusal")
            before = wait_screen("recusal", "1 result")
            # the results have the focus, nothing is open (the reader below may preview it)
            assert "Next match" not in before
            page.keyboard.press("Enter")
            # The reader shows the article's body under its title, with the reader's keys.
            shown = wait_screen("Former attorney general Jeff Sessions hit back", "Next match")
            assert "Sessions hits back at Trump over recusal" in shown
        finally:
            browser.close()


def read_token(proc: subprocess.Popen[bytes]) -> str:
    assert proc.stdout is not None
    line = b""
    while b"?token=" not in line:
        line = proc.stdout.readline()
        assert line, "newstui serve printed no token"
    return line.decode().split("?token=", 1)[1].split()[0]


def test_token_required_off_loopback(tmp_path: Path) -> None:
    addr = non_loopback_address()
    if addr is None:
        pytest.skip("this machine has no address but loopback to bind")
    with serving(tmp_path, "--host", addr) as (proc, port):
        token = read_token(proc)
        base = f"http://{addr}:{port}"
        wait_for_http(base + "/", proc)
        assert len(token) >= 24
        assert status_of(base + "/") == 403
        assert status_of(base + "/static/js/textual.js") == 403
        assert status_of(base + "/ws") == 403
        assert status_of(base + "/?token=" + "x" * len(token)) == 403
        # The printed token opens the page and sets the cookie its other requests carry.
        with urllib.request.urlopen(base + f"/?token={token}", timeout=10) as resp:
            assert resp.status == 200
            page = resp.read().decode()
            cookie = resp.headers["Set-Cookie"]
        assert f"ws://{addr}:{port}/ws" in page  # the address the browser used, not 0.0.0.0
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert status_of(base + "/static/js/textual.js", {"Cookie": cookie.split(";")[0]}) == 200
        assert status_of(base + "/static/js/textual.js", {"Cookie": "newstui_token=no"}) == 403


def test_loopback_needs_no_token_but_refuses_other_sites(tmp_path: Path) -> None:
    with serving(tmp_path) as (proc, port):
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + "/", proc)
        assert status_of(base + "/") == 200
        # a page of another domain pointed at 127.0.0.1 (DNS rebinding)
        assert status_of(base + "/", {"Host": f"evil.example:{port}"}) == 403
        # a page of another site opening the WebSocket
        assert status_of(base + "/ws", {"Origin": "http://evil.example"}) == 403
        out = b""
        proc.terminate()
        proc.wait(timeout=10)
        out = proc.stdout.read() if proc.stdout else b""
    assert f"http://127.0.0.1:{port}/".encode() in out
    assert b"token" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "must be between 1 and 65535"),
        (["--port", "70000"], "must be between 1 and 65535"),
        (["--port", "http"], "not a port number"),
        (["--host", "not a host!"], "not an IP address or host name"),
        (["--host", "bad..name"], "not an IP address or host name"),
    ],
)
def test_bad_host_or_port_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_newstui(cli_env(tmp_path), "serve", "articles", *args, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_newstui(
            cli_env(tmp_path), "serve", "articles", "--port", str(port), timeout=60
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1 port {port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_served_command_runs_the_app_factory_on_the_resolved_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex

    import newstui.ui.app as app_module
    from newstui.cli.serve import child_command
    from newstui.cli.serve_child import child_main

    folder = tmp_path / "my news [x]"
    config = tmp_path / "c.toml"
    argv = shlex.split(child_command([folder], str(config)))
    assert argv[:3] == [sys.executable, "-m", "newstui.cli.serve_child"]
    made: list[tuple[object, object]] = []

    class FakeApp:
        store = type("S", (), {"close": lambda self: None})()
        settings = type("T", (), {"images": False})()

        def run(self) -> int:
            return 0

    def fake_create_app(folders: object, config: object = None) -> FakeApp:
        made.append((folders, config))
        return FakeApp()

    monkeypatch.setattr(app_module, "create_app", fake_create_app)
    assert child_main(argv[3:]) == 0
    assert made == [([folder], str(config))]
