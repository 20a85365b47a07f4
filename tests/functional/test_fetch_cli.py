"""``newstui fetch`` end to end through a subprocess, against a local server."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_run import REPO, cli_env, run_newstui
from fetch_server import FEEDS, FeedServer, Reply, feed_server

__all__ = ["feed_server"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path)


def fetch(
    env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return run_newstui(env, "fetch", "--retries", "0", "--timeout", "1", *args, cwd=cwd)


def md_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if not p.name.startswith("."))


def test_fetch_writes_articles_prints_a_summary_and_fails_for_a_bad_feed(
    feed_server: FeedServer, env: dict[str, str], tmp_path: Path
) -> None:
    dest = tmp_path / "news"
    proc = fetch(
        env,
        feed_server.url("/rss2.xml"),
        feed_server.url("/atom.xml"),
        feed_server.url("/not-found.xml"),
        "--dir",
        str(dest),
        "--jobs",
        "2",
    )

    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["Feed", "New", "Updated", "Errors", "Status"]
    assert any(line.split()[:5] == ["Harbour", "Gazette", "3", "0", "0"] for line in lines)
    assert any(line.split()[:5] == ["Mountain", "Post", "2", "0", "0"] for line in lines)
    bad = next(line for line in lines if "not-found.xml" in line)
    assert "HTTP 404" in bad and bad.split()[1:4] == ["0", "0", "1"]
    assert "5 new, 0 updated" in lines[-1] and "1 of 3 feeds failed" in lines[-1]
    assert len(md_files(dest)) == 5
    assert {p.parent.name for p in md_files(dest)} == {"harbour-gazette", "mountain-post"}

    again = fetch(env, feed_server.url("/rss2.xml"), "--dir", str(dest))
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 updated" in again.stdout
    assert len(md_files(dest)) == 5


def test_fetch_with_no_argument_uses_the_feeds_in_the_settings(
    feed_server: FeedServer, env: dict[str, str], tmp_path: Path
) -> None:
    config = Path(env["XDG_CONFIG_HOME"]) / "newstui" / "config.toml"
    config.parent.mkdir(parents=True)
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        f'<outline text="River" xmlUrl="{feed_server.url("/feed.json")}"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    config.write_text(
        f'feeds = ["{feed_server.url("/atom.xml")}"]\nopml = "{opml}"\n', encoding="utf-8"
    )
    dest = tmp_path / "news"

    proc = fetch(env, "--dir", str(dest))

    assert proc.returncode == 0, proc.stderr
    assert "Mountain Post" in proc.stdout and "River Journal" in proc.stdout
    assert len(md_files(dest)) == 4


def test_fetch_default_folder_is_the_articles_folder_of_other_commands(
    feed_server: FeedServer, env: dict[str, str], tmp_path: Path
) -> None:
    env["NEWSTUI_ARTICLES"] = str(tmp_path / "mine")
    (tmp_path / "mine").mkdir()
    proc = fetch(env, str(FEEDS / "rss1.rdf"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [p.parent.name for p in md_files(tmp_path / "mine")] == ["valley-courier"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "no feeds to fetch"),
        (["x.xml", "--jobs", "0"], "--jobs"),
        (["x.xml", "--timeout", "soon"], "--timeout"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(
    env: dict[str, str], tmp_path: Path, args: list[str], message: str
) -> None:
    proc = fetch(env, *args, "--dir", str(tmp_path))
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_missing_file_is_named_and_exits_1(env: dict[str, str], tmp_path: Path) -> None:
    proc = fetch(env, str(tmp_path / "nowhere.xml"), "--dir", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert "nowhere.xml" in proc.stdout and "no such file" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_markup_and_escapes_in_feed_titles_are_shown_as_text(
    feed_server: FeedServer, env: dict[str, str], tmp_path: Path
) -> None:
    body = (
        (FEEDS / "rss2.xml")
        .read_bytes()
        .replace(
            b"<title>Harbour Gazette</title>",
            b"<title>[bold red]Evil[/] \x1b]0;pwned\x07 News</title>",
        )
    )
    feed_server.static("/evil.xml", body, "application/rss+xml")
    proc = fetch(env, feed_server.url("/evil.xml"), "--dir", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "[bold red]Evil[/]" in proc.stdout
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout


def test_killing_a_fetch_leaves_no_partial_files(
    feed_server: FeedServer, env: dict[str, str], tmp_path: Path
) -> None:
    dest = tmp_path / "news"
    proc = subprocess.Popen(
        [sys.executable, "-m", "newstui", "fetch", "--timeout", "10", "--dir", str(dest),
         feed_server.url("/rss2.xml"), feed_server.url("/slow.xml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while feed_server.hits["/slow.xml"] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=30)

    assert proc.returncode == 143, err
    assert "terminated" in err and "Traceback" not in err
    assert list(dest.rglob(".newstui-fetch-*")) == []
    for path in md_files(dest):  # whatever got written is whole
        assert path.read_text(encoding="utf-8").startswith("---\ntitle: ")


def test_a_damaged_fetch_record_is_named_without_a_traceback(
    env: dict[str, str], tmp_path: Path
) -> None:
    record = Path(env["XDG_DATA_HOME"]) / "newstui" / "fetch.sqlite3"
    record.parent.mkdir(parents=True)
    record.write_bytes(b"this is not a database" * 100)
    proc = fetch(env, str(FEEDS / "atom.xml"), "--dir", str(tmp_path / "out"))
    assert proc.returncode == 1
    assert str(record) in proc.stderr and "damaged" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert record.read_bytes() == b"this is not a database" * 100


def test_dir_that_is_a_file_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    afile = tmp_path / "file.txt"
    afile.write_text("x", encoding="utf-8")
    proc = fetch(env, str(FEEDS / "atom.xml"), "--dir", str(afile))
    assert proc.returncode == 2
    assert "not a folder" in proc.stderr and str(afile) in proc.stderr


def test_full_text_from_the_command_line(
    feed_server: FeedServer, env: dict[str, str], tmp_path: Path
) -> None:
    feed = feed_server.local_links((FEEDS / "rss2.xml").read_bytes())
    feed_server.static("/local.xml", feed, "application/rss+xml")
    dest = tmp_path / "news"
    proc = fetch(env, feed_server.url("/local.xml"), "--full-text", "--dir", str(dest))

    assert proc.returncode == 0, proc.stderr
    tide = next(p for p in md_files(dest) if "tide-tables" in p.name).read_text(encoding="utf-8")
    assert "survey boat confirmed the change" in tide
    assert "kept the feed's summary" in proc.stderr  # the other pages are 404


def test_a_cancelled_fetch_does_not_delay_the_programs_exit(
    feed_server: FeedServer, env: dict[str, str], tmp_path: Path
) -> None:
    code = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from newstui.core.fetch import HttpOptions, fetch_feeds\n"
        "cancel = threading.Event()\n"
        "threading.Timer(0.3, cancel.set).start()\n"
        "r = fetch_feeds([sys.argv[1]], Path(sys.argv[2]), cancel=cancel,\n"
        "                http=HttpOptions(timeout=60, read_timeout=30, retries=0))\n"
        "print(r.feeds[0].error)\n"
    )
    feed_server.routes["/slower.xml"] = lambda h: time.sleep(8) or Reply(200, b"")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", code, feed_server.url("/slower.xml"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.stdout.strip() == "cancelled", proc.stderr
    assert time.monotonic() - started < 6  # the server answers only after 8 s
