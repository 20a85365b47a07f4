"""A daily reader's flow (issue 12): the preview that follows the cursor, opening for real
(Enter or a dwell), ``q`` back one level, ``U`` next unread, the reader's position and match
counter, numbered links and the link picker, and the mouse on all of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ui_support import (
    NARROW,
    fill_folder,
    notifications,
    open_app,
    screen_text,
    settle,
    wait_until,
    write_article,
)

from newstui.ui import preview as preview_module
from newstui.ui.app import NewsApp
from newstui.ui.screens.links import LinkPicker
from newstui.ui.widgets import reader as reader_module


def position(app: NewsApp) -> str:
    return app.status.position


def reader_text(app: NewsApp) -> str:
    return "\n".join(app.reader.plain_lines)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    fill_folder(folder, 12)
    return folder


LINKED_BODY = (
    "The [central bank](https://bank.example/rates) raised rates; see the "
    '[minutes](https://bank.example/minutes "Minutes") and <https://bank.example/auto>.\n\n'
    "A [trap](javascript:alert(1)) and mail to <mailto:desk@news.example>.\n\n"
    "Bare: https://stats.example/table-3. Again the [bank](https://bank.example/rates).\n\n"
    "`https://code.example/not-a-link`\n"
)


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "rates.md").write_text(
        "---\ntitle: Rates rise again\ndate: 2024-05-01\nsource: Wire\n---\n" + LINKED_BODY,
        encoding="utf-8",
    )
    write_article(folder, "other.txt", "Other story", "Nothing linked here.", date="2024-04-01")
    return folder


class Browser:
    opened: list[str]

    def open(self, url: str) -> bool:
        Browser.opened.append(url)
        return True


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    Browser.opened = []
    monkeypatch.setattr(reader_module, "find_browser", Browser)
    return Browser.opened


# --- the preview ------------------------------------------------------------------------------
async def test_the_reader_previews_the_highlighted_article_as_j_moves(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        lst = app.article_list
        first = lst.highlighted
        assert first is not None and app.reader.article is first
        assert app.focused is lst  # a preview: the list keeps the keys
        await pilot.press("j")
        await settle(pilot)
        second = lst.highlighted
        assert second is not None and second is not first
        assert app.reader.article is second
        screen = screen_text(app).splitlines()
        list_rows = [n for n, line in enumerate(screen) if second.title in line]
        assert len(list_rows) == 2  # its list row, and the reader's heading below the list
        assert app.focused is lst
        # a preview is not reading: nothing marked read, nothing opened
        assert not app.store.is_read(first.id) and not app.store.is_read(second.id)
        assert app.opened is None


@pytest.mark.parametrize(("size", "at_least"), [((120, 40), 85), (NARROW, 45)])
async def test_titles_get_the_full_width(
    tmp_path: Path, size: tuple[int, int], at_least: int
) -> None:
    """The list above the reader runs the full width: at 120 columns a title shows 89
    characters and the source column (side by side it showed 39, without the source)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    title = " ".join(f"w{n:03d}" for n in range(60))
    write_article(folder, "t.txt", title, "Body.", date="2024-01-01", source="Reuters")
    async with open_app(folder, size=size) as (app, _pilot):
        row = app.article_list.render_line(0).text
        assert "Reuters" in row
        shown = row[row.index("w000") :].split("…")[0].rstrip()
        assert len(shown) >= at_least and title.startswith(shown)
        if size != NARROW:  # and the reader below it, the same width
            assert app.reader.region.y > app.article_list.region.bottom - 1
            assert app.reader.region.width >= app.article_list.region.width - 2


async def test_holding_j_previews_only_where_the_cursor_stops(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    async with open_app(folder) as (app, pilot):
        show = app.reader.show

        def counting(article: object, *args: object, **kw: object) -> None:
            shown.append(getattr(article, "title", ""))
            show(article, *args, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(app.reader, "show", counting)
        for _ in range(6):
            app.article_list.action_cursor_down()  # six moves within one debounce
        await settle(pilot)
        assert shown == [app.article_list.articles[6].title]


async def test_enter_opens_for_real_and_marks_read(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("j")
        await settle(pilot)
        article = app.article_list.highlighted
        assert article is not None and not app.store.is_read(article.id)
        await pilot.press("enter")
        await settle(pilot)
        assert app.opened is article and app.focused is app.reader
        assert app.store.is_read(article.id)


async def test_resting_on_a_preview_marks_it_read(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview_module, "DWELL_SECONDS", 0.3)
    async with open_app(folder) as (app, pilot):
        start = app.article_list.highlighted
        assert start is not None and app.reader.article is start
        await pilot.pause(0.6)
        assert not app.store.is_read(start.id)  # the list started there: nobody chose it
        await pilot.press("j")
        await settle(pilot)
        article = app.article_list.highlighted
        assert article is not None and app.reader.article is article
        assert not app.store.is_read(article.id)  # not yet: a glance is not a read
        assert await wait_until(pilot, lambda: app.store.is_read(article.id), 5)
        await pilot.press("j")  # moved on before the dwell: stays unread
        await settle(pilot)
        passed_by = app.article_list.highlighted
        assert passed_by is not None
        await pilot.press("j")
        await pilot.pause(0.5)
        assert not app.store.is_read(passed_by.id)


async def test_a_preview_does_not_overwrite_the_reading_position(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for n, topic in enumerate(("harbour", "orchard", "glacier")):
        # three different texts (the same text would be one story of three versions)
        body = "\n\n".join(f"Paragraph {k} on the {topic} {topic}{k}." for k in range(60))
        write_article(folder, f"long{n}.txt", f"Long story {n}", body, date=f"2024-01-0{n + 1}")
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter", "j", "j", "j", "escape")
        await settle(pilot)
        first = app.article_list.highlighted
        assert first is not None and app.store.get_position(first.id) == 3
        await pilot.press("j")
        await settle(pilot)
        await pilot.press("k")  # previewed again, from the top
        await settle(pilot)
        assert app.reader.article is first and app.reader.scroll_y == 0
        await pilot.press("j")
        await settle(pilot)
        assert app.store.get_position(first.id) == 3
        await pilot.press("k", "enter")  # opening for real resumes where it was left
        await settle(pilot)
        assert app.reader.scroll_y == 3


async def test_a_preview_or_dwell_due_as_the_app_closes_does_nothing(folder: Path) -> None:
    async with open_app(folder) as (app, _pilot):
        article = app.article_list.articles[3]
    # the timers may fire after the last screen is gone (seen in a full run)
    app._preview_show(article)  # no exception (there is no reader any more)
    app._preview_dwelt(article)
    assert not app.previewing and not app.store.is_read(article.id)


async def test_no_preview_at_80_columns(folder: Path) -> None:
    async with open_app(folder, size=NARROW) as (app, pilot):
        await pilot.press("j")
        await settle(pilot)
        assert app.reader.article is None
        assert not app.reader.display or not app.reader.region.area


# --- q and U ----------------------------------------------------------------------------------
async def test_q_in_the_reader_goes_back_to_the_list_then_quits(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        assert app.focused is app.reader
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running and app.focused is app.article_list
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0


async def test_q_in_the_narrow_reader_shows_the_list_again(folder: Path) -> None:
    async with open_app(folder, size=NARROW) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        first = app.article_list.articles[0].title
        assert first not in [line for line in screen_text(app).splitlines() if "report" in line][1:]
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running and app.focused is app.article_list
        assert app.article_list.region.area > 0 and app.reader.region.area == 0


async def test_next_unread_in_the_list_skips_read_ones_and_wraps(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        lst = app.article_list
        ids = [a.id for a in lst.articles]
        for article_id in (ids[1], ids[2], ids[4]):
            app.store.set_read(article_id, True)
        await pilot.press("U")
        assert lst.cursor == 3
        await pilot.press("U")
        assert lst.cursor == 5
        assert app.opened is None  # the list had the focus: highlighted, not opened
        await pilot.press("end", "U")
        await settle(pilot)
        assert lst.cursor == 0
        assert any("Wrapped to the top" in m for m in notifications(app))


async def test_next_unread_from_the_reader_opens_it(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        lst = app.article_list
        app.store.set_read(lst.articles[1].id, True)
        await pilot.press("enter", "U")
        await settle(pilot)
        target = lst.articles[2]
        assert lst.cursor == 2 and app.opened is target and app.focused is app.reader
        assert app.store.is_read(target.id)


async def test_next_unread_says_when_there_is_none(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        app.store.set_read_many([a.id for a in app.article_list.articles], True)
        await pilot.press("U")
        assert app.article_list.cursor == 0
        assert any("No unread article" in m for m in notifications(app))


# --- position and matches ------------------------------------------------------------------------
async def test_the_status_line_shows_where_the_reader_is(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "long.txt", "A long story", "\n\n".join(f"Line {n}." for n in range(100)))
    async with open_app(folder) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        total = app.reader.line_count
        assert f"line 1/{total}" in position(app)
        assert position(app) in screen_text(app).splitlines()[-2]  # the status line
        await pilot.press("G")
        assert "100%" in position(app)
        assert f"line {int(app.reader.max_scroll_y) + 1}/{total}" in position(app)


async def test_match_counter_and_n_says_it_wrapped(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    body = "\n\n".join("The comet passed." if n % 10 == 0 else "Filler." for n in range(40))
    write_article(folder, "comet.txt", "Comet story", body)
    async with open_app(folder) as (app, pilot):
        await pilot.press("slash", *"comet", "enter")
        await settle(pilot)
        count = len(app.reader.matches)
        assert count == 5  # the title and four lines
        assert f"{count} matches" in position(app)
        await pilot.press("n")
        assert "match 1/5" in position(app)
        await pilot.press("n", "n", "n", "n")
        assert "match 5/5" in position(app)
        assert not any("wrapped" in m for m in notifications(app))
        await pilot.press("n")
        assert "match 1/5" in position(app)
        assert any("wrapped to the top: match 1/5" in m for m in notifications(app))
        await pilot.press("N")
        assert "match 5/5" in position(app)
        assert any("wrapped to the bottom" in m for m in notifications(app))


# --- links ------------------------------------------------------------------------------------
async def test_links_are_numbered_in_the_text_and_listed_at_the_end(linked: Path) -> None:
    async with open_app(linked) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        text = reader_text(app)
        assert "central bank [1]" in text and "minutes [2]" in text
        assert "https://bank.example/auto [3]" in text
        assert "desk@news.example [4]" in text
        assert "https://stats.example/table-3 [5]." in text
        assert "the bank [1]" in text  # the same address: the same number
        assert "trap" in text and "javascript" not in text.split("Links")[-1]
        listed = text.split("Links")[-1]
        assert "[1] https://bank.example/rates" in listed
        assert "[4] mailto:desk@news.example" in listed
        assert "[5] https://stats.example/table-3\n" in listed + "\n"
        assert "code.example" not in listed
        assert "[6]" not in listed


async def test_l_opens_the_picker_digits_pick_enter_opens_y_copies(
    linked: Path, browser: list[str]
) -> None:
    async with open_app(linked) as (app, pilot):
        await pilot.press("enter", "l")
        await settle(pilot)
        assert isinstance(app.screen, LinkPicker)
        assert "[2] https://bank.example/minutes" in screen_text(app)
        await pilot.press("2", "enter")
        await settle(pilot)
        assert browser == ["https://bank.example/minutes"]
        assert not isinstance(app.screen, LinkPicker)
        await pilot.press("l", "5", "y")
        await settle(pilot)
        assert app.clipboard == "https://stats.example/table-3"
        assert any("Copied https://stats.example/table-3" in m for m in notifications(app))
        await pilot.press("l", "escape")
        assert not isinstance(app.screen, LinkPicker) and browser == [
            "https://bank.example/minutes"
        ]


async def test_l_without_links_says_so(linked: Path) -> None:
    async with open_app(linked) as (app, pilot):
        await pilot.press("end", "enter", "l")
        await settle(pilot)
        assert not isinstance(app.screen, LinkPicker)
        assert any("no links" in m for m in notifications(app))


# --- the mouse --------------------------------------------------------------------------------
async def test_clicking_a_row_previews_it_and_a_second_click_opens_it(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        lst = app.article_list
        target = lst.articles[3]
        assert await pilot.click(lst, offset=(20, 3))
        await settle(pilot)
        assert lst.highlighted is target and app.reader.article is target
        assert app.opened is None and not app.store.is_read(target.id)
        assert await pilot.click(lst, offset=(20, 3))
        await settle(pilot)
        assert app.opened is target and app.store.is_read(target.id)


async def test_clicking_a_link_number_opens_the_picker_on_it_and_a_click_opens_it(
    linked: Path, browser: list[str]
) -> None:
    async with open_app(linked) as (app, pilot):
        await pilot.press("enter")
        await settle(pilot)
        reader = app.reader
        row = next(n for n, line in enumerate(reader.plain_lines) if "minutes [2]" in line)
        line = reader.plain_lines[row]
        pad = max(0, (reader.scrollable_content_region.width - reader._rendered_width) // 2)
        column = pad + line.index("[2]") + 1
        assert await pilot.click(reader, offset=(column + 1, row - int(reader.scroll_y)))
        await settle(pilot)
        assert isinstance(app.screen, LinkPicker)
        picker = app.screen
        assert picker.highlighted_url == "https://bank.example/minutes"
        assert await pilot.click("#links-list", offset=(8, 0))  # the first link's row
        await settle(pilot)
        assert browser == ["https://bank.example/rates"]


# --- help and README ----------------------------------------------------------------------------
async def test_the_help_lists_the_new_keys(folder: Path) -> None:
    async with open_app(folder) as (app, pilot):
        await pilot.press("question_mark")
        await settle(pilot)
        help_text = screen_text(app)
        await pilot.press("end")
        await settle(pilot)
        help_text += screen_text(app)
        assert "U Next unread" in help_text
        assert "l Links" in help_text
        assert "esc q Back" in help_text


def test_the_readme_names_the_new_binding_ids_and_keys() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for binding_id in ("app.next_unread", "reader.links", "links.copy", "links.close"):
        assert f"`{binding_id}`" in readme
    keys = readme.split("## Keys", 1)[1].split("### Search syntax", 1)[0]
    assert "| `U` |" in keys and "| `l` |" in keys and "| `Esc` `q` |" in keys
