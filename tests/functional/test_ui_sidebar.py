"""The sidebar (issue 12 item 1): rows with unread/total counts that follow m, f, reload and
new files; choosing a row (Enter, a click) restricts the list and the search; saved searches
saved (S), renamed (R), deleted (d), moved (J/K) and counted after a new file arrives."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ui_support import (
    NARROW,
    notifications,
    open_app,
    settle,
    status_text,
    titles,
    wait_until,
    write_article,
    write_settings,
)
from textual.pilot import Pilot
from textual.widgets import Input

from newstui.core.library.facets import Key
from newstui.ui.app import NewsApp
from newstui.ui.widgets.sidebar import Sidebar

WIDE = (160, 50)
MID = (120, 40)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """sport/ (2 articles) with sport/football/ (1), business/ (2), one at the top."""
    root = tmp_path / "articles"
    for sub in ("sport/football", "business"):
        (root / sub).mkdir(parents=True)
    write_article(
        root / "sport",
        "s1.txt",
        "Cup final tonight",
        "The cup final and the market.",
        date="2024-03-01T10:00:00",
        source="BBC Sport",
    )
    write_article(
        root / "sport",
        "s2.txt",
        "Tennis star wins",
        "A tennis match.",
        date="2024-03-02T10:00:00",
        source="BBC Sport",
    )
    write_article(
        root / "sport/football",
        "f1.txt",
        "Striker signs",
        "A football market deal.",
        date="2024-03-03T10:00:00",
        source="BBC Sport",
    )
    write_article(
        root / "business",
        "b1.txt",
        "Market rallies",
        "The stock market rose.",
        date="2024-03-04T10:00:00",
        source="Reuters",
    )
    write_article(
        root / "business",
        "b2.txt",
        "Oil falls",
        "Oil prices fell in the market.",
        date="2024-03-05T10:00:00",
        source="Reuters",
    )
    write_article(root, "top.txt", "Weather today", "Rain, then sun.", date="2024-03-06T10:00:00")
    return root


def sidebar(app: NewsApp) -> Sidebar:
    return app.query_one("#sidebar", Sidebar)


def rows(app: NewsApp) -> list[str]:
    """The sidebar's lines as drawn (label and counts, spaces collapsed)."""
    bar = sidebar(app)
    return [
        " ".join(str(bar.get_option_at_index(i).prompt).split()) for i in range(bar.option_count)
    ]


def row(app: NewsApp, label: str) -> str:
    found = [r for r in rows(app) if r.split()[0] == label]
    assert found, (label, rows(app))
    return found[0]


async def choose(app: NewsApp, pilot: Pilot[int], key: Key) -> None:
    bar = sidebar(app)
    if not app.screen.has_class("-sidebar"):
        await pilot.press("B")
    app.set_focus(bar)
    assert bar.select_key(key)
    await pilot.press("enter")
    await settle(pilot)


async def test_shown_from_140_columns_with_rows_and_counts(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, _pilot):
        assert sidebar(app).display
        assert rows(app) == [
            "All 6/6",
            "Unread 6/6",
            "Starred 0/0",
            "Sources",
            "BBC Sport 3/3",
            "Reuters 2/2",
            "Folders",
            "business 2/2",
            "sport 3/3",
            "football 1/1",
        ]
        # a folder nested in another is indented under it
        bar = sidebar(app)
        football = str(bar.get_option_at_index(9).prompt)
        assert football.startswith("  football")


async def test_hidden_at_120_columns_and_b_toggles_it(folder: Path) -> None:
    async with open_app(folder, size=MID) as (app, pilot):
        assert not sidebar(app).display
        await pilot.press("B")
        assert sidebar(app).display and app.focused is sidebar(app)
        assert "sport 3/3" in rows(app)
        await pilot.press("B")
        assert not sidebar(app).display and app.focused is app.article_list


async def test_choosing_a_folder_restricts_the_list_and_the_status_says_where(
    folder: Path,
) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        await choose(app, pilot, Key("folder", "sport"))
        assert sorted(titles(app)) == ["Cup final tonight", "Striker signs", "Tennis star wins"]
        assert "in Sport" in status_text(app)
        assert "3 of 6 articles" in status_text(app)
        assert app.focused is app.article_list
        await choose(app, pilot, Key("folder", "sport/football"))
        assert titles(app) == ["Striker signs"]
        await choose(app, pilot, Key("all"))
        assert len(titles(app)) == 6
        assert "in " not in status_text(app)


async def test_the_search_searches_within_the_chosen_row(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        await pilot.press("slash", *"market")
        await settle(pilot)
        assert len(titles(app)) == 4  # sport, football and business articles
        await choose(app, pilot, Key("source", "Reuters"))
        assert sorted(titles(app)) == ["Market rallies", "Oil falls"]
        assert "in Reuters" in status_text(app) and "2 results" in status_text(app)
        await choose(app, pilot, Key("folder", "sport"))
        assert sorted(titles(app)) == ["Cup final tonight", "Striker signs"]
        # typing a new query stays within the row
        await pilot.press("slash", *"tennis")  # "/" selects the old query: replaced
        await settle(pilot)
        assert titles(app) == ["Tennis star wins"]


async def test_counts_follow_m_and_f(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        app.set_focus(app.article_list)
        await choose(app, pilot, Key("folder", "business"))
        await pilot.press("m")
        assert row(app, "business") == "business 1/2"
        assert row(app, "All") == "All 5/6"
        assert row(app, "Reuters") == "Reuters 1/2"
        await pilot.press("f")
        assert row(app, "Starred") == "Starred 0/1"  # starred, and read
        await pilot.press("m")
        assert row(app, "Starred") == "Starred 1/1"
        assert row(app, "business") == "business 2/2"
        assert row(app, "Unread") == "Unread 6/6"


async def test_choosing_unread_then_reading_keeps_counts_right(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        await choose(app, pilot, Key("unread"))
        await pilot.press("enter")  # opens (and marks read) the top article
        await settle(pilot)
        assert row(app, "All") == "All 5/6"
        assert row(app, "Unread") == "Unread 5/5"


async def test_counts_after_a_reload_with_a_new_changed_and_removed_file(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        write_article(
            folder / "sport",
            "s3.txt",
            "Rugby result",
            "A rugby match.",
            date="2024-03-07T10:00:00",
            source="BBC Sport",
        )
        (folder / "business" / "b2.txt").unlink()
        (folder / "top.txt").rename(folder / "sport" / "football" / "top.txt")
        await pilot.press("r")
        await settle(pilot)
        assert await wait_until(pilot, lambda: row(app, "All") == "All 6/6")
        assert row(app, "sport") == "sport 5/5"
        assert row(app, "football") == "football 2/2"
        assert row(app, "business") == "business 1/1"
        assert row(app, "Reuters") == "Reuters 1/1"


async def test_clicking_a_row_chooses_it(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        index = rows(app).index("business 2/2")
        assert await pilot.click("#sidebar", offset=(3, index))
        await settle(pilot)
        assert sorted(titles(app)) == ["Market rallies", "Oil falls"]
        assert "in Business" in status_text(app)


async def test_at_80x24_hidden_until_b_then_it_takes_the_screen(folder: Path) -> None:
    async with open_app(folder, size=NARROW) as (app, pilot):
        assert not sidebar(app).display
        await pilot.press("B")
        await pilot.pause()
        assert sidebar(app).display and not app.article_list.display
        assert sidebar(app).size.width == NARROW[0]
        sidebar(app).select_key(Key("folder", "sport"))
        await pilot.press("enter")
        await settle(pilot)
        assert not sidebar(app).display and app.article_list.display
        assert len(titles(app)) == 3
        await pilot.press("B", "escape")  # Esc: back to the list
        await pilot.pause()
        assert not sidebar(app).display and app.focused is app.article_list


async def test_j_and_k_move_in_the_sidebar(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        app.set_focus(sidebar(app))
        await pilot.press("j", "j", "j")  # the section title is skipped
        assert sidebar(app).highlighted_key == Key("source", "BBC Sport")
        await pilot.press("k")
        assert sidebar(app).highlighted_key == Key("starred")


# --- saved searches ---------------------------------------------------------------------------
async def save(app: NewsApp, pilot: Pilot[int], query: str, name: str) -> None:
    app.set_focus(app.article_list)
    await pilot.press("slash", *query)
    await settle(pilot)
    app.set_focus(app.article_list)
    await pilot.press("S")
    await pilot.pause()
    assert isinstance(app.focused, Input)
    await pilot.press(*name, "enter")
    await settle(pilot)


def saved_rows(app: NewsApp) -> list[str]:
    lines = rows(app)
    return lines[lines.index("Saved searches") + 1 :] if "Saved searches" in lines else []


async def test_saved_search_created_and_counted_after_a_new_file(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        await save(app, pilot, "market", "Markets")
        assert [(s.name, s.query) for s in app.store.saved_searches()] == [("Markets", "market")]
        assert await wait_until(pilot, lambda: saved_rows(app) == ["Markets 4/4"])
        write_article(
            folder / "business",
            "b3.txt",
            "Market closes",
            "A market day.",
            date="2024-03-08T10:00:00",
            source="Reuters",
        )
        await pilot.press("escape")
        await pilot.press("r")
        await settle(pilot)
        assert await wait_until(pilot, lambda: saved_rows(app) == ["Markets 5/5"])
        # reading one of them moves its unread count (debounced, counted in a worker)
        await choose(app, pilot, Key("saved", "Markets"))
        assert len(titles(app)) == 5 and "in Markets" in status_text(app)
        await pilot.press("m")
        assert await wait_until(pilot, lambda: saved_rows(app) == ["Markets 4/5"])


async def test_saved_search_renamed_moved_and_deleted_in_the_sidebar(folder: Path) -> None:
    app_store_names = lambda app: [s.name for s in app.store.saved_searches()]  # noqa: E731
    async with open_app(folder, size=WIDE) as (app, pilot):
        await save(app, pilot, "market", "Markets")
        await save(app, pilot, "oil", "Oil")
        assert app_store_names(app) == ["Markets", "Oil"]
        bar = sidebar(app)
        app.set_focus(bar)
        bar.select_key(Key("saved", "Oil"))
        await pilot.press("K")  # up
        await settle(pilot)
        assert app_store_names(app) == ["Oil", "Markets"]
        assert bar.highlighted_key == Key("saved", "Oil")
        await pilot.press("J")
        await settle(pilot)
        assert app_store_names(app) == ["Markets", "Oil"]
        await pilot.press("R")
        await pilot.pause()
        await pilot.press(*"Crude", "enter")  # the old name is selected: replaced
        await settle(pilot)
        assert app_store_names(app) == ["Markets", "Crude"]
        assert [r.split()[0] for r in saved_rows(app)] == ["Markets", "Crude"]
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # asked first: no
        assert app_store_names(app) == ["Markets", "Crude"]
        await pilot.press("d", "y")
        await settle(pilot)
        assert app_store_names(app) == ["Markets"]
        assert "Deleted 'Crude'" in notifications(app)


async def test_save_with_no_query_says_so_and_a_taken_name_is_refused(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        await pilot.press("S")
        assert any("type a search first" in n for n in notifications(app))
        await save(app, pilot, "market", "Markets")
        await save(app, pilot, "oil", "Markets")  # the same name: replaces its query
        assert [(s.name, s.query) for s in app.store.saved_searches()] == [("Markets", "oil")]


async def test_palette_save_search_as(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        await pilot.press("slash", *"oil", "down")
        await settle(pilot)
        await pilot.press("ctrl+p", *"Save search as")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press(*"Oil news", "enter")
        await settle(pilot)
        assert [(s.name, s.query) for s in app.store.saved_searches()] == [("Oil news", "oil")]


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbour Gazette</title><link>https://gazette.example/</link>
<item><title>Lighthouse keeper retires</title><link>https://gazette.example/lighthouse</link>
<guid>lighthouse-1</guid><pubDate>Tue, 02 Apr 2024 09:00:00 GMT</pubDate>
<description>The lighthouse keeper retired today.</description></item>
</channel></rss>
"""


async def test_a_fetch_adds_its_feed_and_folder_rows_and_counts_a_saved_search(
    folder: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "gazette.rss"
    feed.write_text(RSS, encoding="utf-8")
    write_settings(f'feeds = ["{feed}"]\n')
    async with open_app(folder, size=WIDE) as (app, pilot):
        await save(app, pilot, "lighthouse", "Lights")
        assert await wait_until(pilot, lambda: saved_rows(app) == ["Lights 0/0"])
        await pilot.press("escape", "F")
        await settle(pilot)
        assert await wait_until(pilot, lambda: row(app, "All") == "All 7/7")
        assert "Harbour Gazette 1/1" in rows(app)  # the feed, as a source
        assert "harbour-gazette 1/1" in rows(app)  # and its folder
        assert await wait_until(pilot, lambda: saved_rows(app) == ["Lights 1/1"])
        await choose(app, pilot, Key("folder", "harbour-gazette"))
        assert titles(app) == ["Lighthouse keeper retires"]


async def test_a_row_that_is_gone_after_a_reload_falls_back_to_all(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        await choose(app, pilot, Key("folder", "business"))
        for path in (folder / "business").iterdir():
            path.unlink()
        await pilot.press("r")
        await settle(pilot)
        assert await wait_until(pilot, lambda: len(titles(app)) == 4)
        assert "in " not in status_text(app)


async def test_hostile_folder_source_and_tag_names_are_shown_as_text(tmp_path: Path) -> None:
    root = tmp_path / "articles"
    bad = root / "[@click=app.quit]x\x1b[31mred"
    bad.mkdir(parents=True)
    (bad / "a.md").write_text(
        '---\ntitle: Hostile\nsource: "[bold]Src[/bold]\\u001b]0;pwned\\u0007"\n'
        'tags: ["[@click=app.quit]t"]\n---\nBody.\n',
        encoding="utf-8",
    )
    async with open_app(root, size=WIDE) as (app, pilot):
        lines = rows(app)
        assert any(r.startswith("[bold]Src[/bold]") for r in lines), lines  # literal, not bold
        assert any(r.startswith("[@click=app.quit]x") for r in lines), lines
        assert all("\x1b" not in r and "\x07" not in r for r in lines)
        for label in ("[@click=app.quit]t",):
            index = next(i for i, r in enumerate(lines) if r.startswith(label))
            assert await pilot.click("#sidebar", offset=(3, index))
            await settle(pilot)
        assert app.is_running
        assert titles(app) == ["Hostile"]


async def test_tab_and_shift_tab_move_the_focus_through_the_sidebar(folder: Path) -> None:
    async with open_app(folder, size=WIDE) as (app, pilot):
        app.set_focus(app.article_list)
        await pilot.press("shift+tab")
        assert app.focused is sidebar(app)
        await pilot.press("tab")
        assert app.focused is app.article_list
    async with open_app(folder, size=MID) as (app, pilot):  # hidden: tab skips it
        app.set_focus(app.search_box)
        await pilot.press("tab", "tab")  # the search box, the timeline, the list
        assert app.focused is app.article_list
