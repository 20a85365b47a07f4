"""Settings: a good file is read, a bad one never stops newstui and says what and where."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstui.core import paths
from newstui.core.settings import (
    KNOWN_KEYS,
    READER_WIDTH_MAX,
    READER_WIDTH_MIN,
    Settings,
    SettingsError,
    default_config_path,
    load_settings,
)


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_default_file_gives_defaults() -> None:
    settings, warnings = load_settings()
    assert settings == Settings()
    assert warnings == []
    assert settings.reader_width == 80 and settings.mark_read_on_open is True


def test_default_location_follows_xdg_config_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_config_path() == tmp_path / "newstui" / "config.toml"
    assert default_config_path().parent == paths.config_dir()
    (tmp_path / "newstui").mkdir()
    (tmp_path / "newstui" / "config.toml").write_text('theme = "nord"\n')
    settings, warnings = load_settings()
    assert settings.theme == "nord" and warnings == []


def test_every_setting_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = write(
        tmp_path,
        """
folders = ["~/news", "/srv/articles", "relative"]
theme = "gruvbox"
reader_width = 100
mark_read_on_open = false
feeds = ["https://example.org/rss.xml", "local.xml"]
opml = "~/feeds.opml"

[keymap]
toggle_read = "r"
toggle_star = "s, ctrl+s"
quit = ["q", "ctrl+q"]
""",
    )
    settings, warnings = load_settings(path)
    assert warnings == []
    assert settings.folders == [
        tmp_path / "home" / "news",
        Path("/srv/articles"),
        tmp_path / "relative",
    ]
    assert settings.theme == "gruvbox"
    assert settings.reader_width == 100
    assert settings.mark_read_on_open is False
    assert settings.feeds == ["https://example.org/rss.xml", str(tmp_path / "local.xml")]
    assert settings.opml == tmp_path / "home" / "feeds.opml"
    assert settings.keymap == {
        "toggle_read": "r",
        "toggle_star": "s,ctrl+s",
        "quit": "q,ctrl+q",
    }


def test_dotted_binding_ids_quoted_or_not(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[keymap]\napp.hide_read = "h"\n"app.mark_all_read" = "A"\nlist.cursor_down = 3\n',
    )
    settings, warnings = load_settings(path)
    assert settings.keymap == {"app.hide_read": "h", "app.mark_all_read": "A"}
    (w,) = warnings
    assert "line 4:" in w and "'keymap.list.cursor_down'" in w


def test_odd_paths_never_raise(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'folders = ["~no-such-user-here/news"]\nopml = "a\\u0000b"\n',
    )
    settings, warnings = load_settings(path)
    assert settings.folders == [tmp_path / "~no-such-user-here" / "news"]
    assert settings.opml is None
    (w,) = warnings
    assert "line 2:" in w and "'opml'" in w


def test_wrong_types_keep_defaults_and_name_line_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """theme = "nord"
reader_width = "wide"
mark_read_on_open = 1
folders = [1, 2]
feeds = "https://example.org/feed"
[keymap]
toggle_read = "r"
toggle_star = 5
""",
    )
    settings, warnings = load_settings(path)
    # the good values are kept
    assert settings.theme == "nord"
    assert settings.keymap == {"toggle_read": "r"}
    assert settings.feeds == ["https://example.org/feed"]  # one string is taken as a list
    # the bad ones keep their defaults
    assert settings.reader_width == 80
    assert settings.mark_read_on_open is True
    assert settings.folders == []
    assert len(warnings) == 4
    by_key = {w.split("'")[1]: w for w in warnings}
    assert "line 2:" in by_key["reader_width"] and "'wide'" in by_key["reader_width"]
    assert "line 3:" in by_key["mark_read_on_open"]
    assert "line 4:" in by_key["folders"]
    assert "line 8:" in by_key["keymap.toggle_star"]
    assert all(w.startswith(f"{path}: ") for w in warnings)


@pytest.mark.parametrize("width", [39, 201, -5, 0])
def test_reader_width_out_of_range(tmp_path: Path, width: int) -> None:
    settings, warnings = load_settings(write(tmp_path, f"reader_width = {width}\n"))
    assert settings.reader_width == 80
    (w,) = warnings
    assert "line 1:" in w and "'reader_width'" in w and "40 to 200" in w


def test_boolean_is_not_a_width(tmp_path: Path) -> None:
    settings, warnings = load_settings(write(tmp_path, "reader_width = true\n"))
    assert settings.reader_width == 80
    assert len(warnings) == 1


@pytest.mark.parametrize("width", [40, 200])
def test_reader_width_bounds_are_allowed(tmp_path: Path, width: int) -> None:
    settings, warnings = load_settings(write(tmp_path, f"reader_width = {width}\n"))
    assert settings.reader_width == width and warnings == []


def test_unknown_key_is_a_warning_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\n\nreader_widht = 90\n[colours]\nx = 1\n')
    settings, warnings = load_settings(path)
    assert settings.theme == "nord"
    assert len(warnings) == 2
    assert "line 3:" in warnings[0] and "'reader_widht'" in warnings[0]
    assert "did you mean 'reader_width'" in warnings[0]
    assert "line 4:" in warnings[1] and "'colours'" in warnings[1]


def test_syntax_error_names_line_and_column_and_keeps_other_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'theme = "nord"\nreader_width = 9 0\nfolders = ["/news"]\n',
    )
    settings, warnings = load_settings(path)
    (w,) = warnings
    assert "line 2, column" in w and "'reader_width'" in w and str(path) in w
    assert settings.theme == "nord"
    assert settings.folders == [Path("/news")]
    assert settings.reader_width == 80


def test_unrecoverable_syntax_error_gives_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, 'theme = "nord"\nfolders = ["/a",\n')
    settings, warnings = load_settings(path)
    assert settings == Settings()
    assert len(warnings) == 1 and "invalid TOML" in warnings[0]


def test_not_utf8_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "nord"\ntheme2 = "\xff\xfe"\n')
    settings, warnings = load_settings(path)
    assert settings == Settings()
    (w,) = warnings
    assert "line 2" in w and "UTF-8" in w


def test_explicit_missing_file_is_an_error_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(SettingsError) as info:
        load_settings(missing, must_exist=True)
    assert str(missing) in str(info.value)
    assert "\n" not in str(info.value)
    # without must_exist a missing file just means defaults
    assert load_settings(missing) == (Settings(), [])


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        load_settings(tmp_path, must_exist=True)
    settings, warnings = load_settings(tmp_path)
    assert settings == Settings()
    assert len(warnings) == 1 and "folder" in warnings[0]


def test_settings_file_is_never_modified(tmp_path: Path) -> None:
    text = "reader_width = 500\nunknown = 1\n[keymap]\nx = 1\n"
    path = write(tmp_path, text)
    before = path.stat().st_mtime_ns
    load_settings(path)
    assert path.read_text(encoding="utf-8") == text
    assert path.stat().st_mtime_ns == before


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    settings, warnings = load_settings(fifo)
    assert settings == Settings()
    assert len(warnings) == 1 and "not a regular file" in warnings[0]
    with pytest.raises(SettingsError):
        load_settings(fifo, must_exist=True)


toml_values = st.recursive(
    st.none().map(lambda _: "true")
    | st.booleans().map(lambda b: str(b).lower())
    | st.integers(-(10**6), 10**6).map(str)
    | st.floats(allow_nan=False, allow_infinity=False).map(repr)
    | st.text(max_size=20).map(json.dumps),
    lambda inner: st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            st.sampled_from([*KNOWN_KEYS, "unknown", "keymap.app.quit", "keymap.x"]), toml_values
        ),
        max_size=8,
    ),
    garbage=st.sampled_from(["", "\n= oops", "\n[keymap", "\nreader_width = 9 0"]),
)
def test_any_file_gives_settings_and_never_raises(
    tmp_path_factory: pytest.TempPathFactory, entries: list[tuple[str, str]], garbage: str
) -> None:
    text = "\n".join(f"{k} = {v}" for k, v in dict(entries).items()) + garbage
    path = tmp_path_factory.mktemp("cfg") / "config.toml"
    path.write_text(text, encoding="utf-8")
    result, warnings = load_settings(path)
    assert isinstance(result, Settings)
    assert READER_WIDTH_MIN <= result.reader_width <= READER_WIDTH_MAX
    assert isinstance(result.mark_read_on_open, bool)
    assert all(isinstance(k, str) and isinstance(v, str) and v for k, v in result.keymap.items())
    assert all(isinstance(w, str) and "\n" not in w for w in warnings)


# --- hostile settings (issue 10, items 23 and 28) ------------------------------------------


def _controls(text: str) -> list[str]:
    return [
        repr(ch)
        for ch in text
        if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or 0x202A <= ord(ch) <= 0x202E
    ]


@pytest.mark.parametrize(
    "filler",
    ["[" + " " * 3000, "[" + "\t" * 3000, "[ a" + " " * 3000, "[" + " " * 3000 + "a" * 3000],
    ids=["spaces", "tabs", "word-then-spaces", "spaces-then-word"],
)
def test_finding_a_key_line_is_linear_whatever_a_line_holds(tmp_path: Path, filler: str) -> None:
    """A 3 KB file made every command wait 44 s: the pattern finding a [table] header
    backtracked cubically on "[" + 3,000 spaces, once per warning."""
    import time

    text = f'note = """\n{filler}\n"""\ntheme = 1\nreader_width = "x"\nfolders = 1\n'
    path = write(tmp_path, text)
    start = time.perf_counter()
    settings, warnings = load_settings(path)
    assert time.perf_counter() - start < 0.5
    assert settings == Settings()
    assert [w.split(": ")[1] for w in warnings[1:]] == ["line 4", "line 5", "line 6"]


def test_thousands_of_unknown_keys_cost_little_and_are_counted(tmp_path: Path) -> None:
    import time

    from newstui.core.settings import MAX_WARNINGS

    path = write(tmp_path, "".join(f"unknown_key_{n} = 1\n" for n in range(8000)))
    start = time.perf_counter()
    _, warnings = load_settings(path)
    assert time.perf_counter() - start < 1.0
    assert len(warnings) == MAX_WARNINGS + 1
    assert warnings[0].startswith(f"{path}: line 1: 'unknown_key_0'")
    assert warnings[-1] == f"{path}: and {8000 - MAX_WARNINGS:,} more problems"


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 4500 + "]" * 4500 + "\n",
        "x = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n",
        "[keymap]\n" + "a." * 3000 + 'b = "x"\n',
        "[" + "a." * 3000 + "b]\nx = 1\n",
    ],
    ids=["arrays", "inline-tables", "dotted-keymap-id", "dotted-table"],
)
def test_deep_nesting_is_a_warning_not_a_crash(tmp_path: Path, text: str) -> None:
    settings, warnings = load_settings(write(tmp_path, text))
    assert settings.keymap == {}
    assert 1 <= len(warnings) <= 3
    assert all(len(w) < 400 for w in warnings)


def test_a_file_over_the_size_budget_is_refused_whole(tmp_path: Path) -> None:
    from newstui.core.settings import MAX_SETTINGS_BYTES

    path = write(tmp_path, 'theme = "nord"\n# ' + "x" * MAX_SETTINGS_BYTES + "\n")
    settings, warnings = load_settings(path)
    assert settings == Settings()
    (w,) = warnings
    assert "bigger than" in w and str(path) in w


def test_a_device_is_refused_without_reading_it() -> None:
    settings, warnings = load_settings(Path("/dev/zero"))
    assert settings == Settings()
    assert len(warnings) == 1 and "not a regular file" in warnings[0]
    with pytest.raises(SettingsError):
        load_settings(Path("/dev/zero"), must_exist=True)


def test_a_huge_value_is_quoted_short(tmp_path: Path) -> None:
    path = write(tmp_path, f'reader_width = "{"w" * 100_000}"\nformat = [{"1," * 50_000}]\n')
    settings, warnings = load_settings(path)
    assert settings.reader_width == 80
    assert len(warnings) == 2
    assert all(len(w) < 400 for w in warnings)


def test_control_characters_in_settings_are_refused_and_never_echoed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '"\\u001b]0;pwned\\u0007note" = 1\n'
        'theme = "nord\\u001b[2J"\n'
        'folders = ["/news\\u202e"]\n'
        'feeds = ["https://example.org/\\u009b31m"]\n'
        "[keymap]\n"
        '"app.quit" = "\\u001b[31mq"\n'
        '"app.help" = "question_mark,f1"\n'
        '"\\u001b[2Japp.sort" = "s"\n',
    )
    settings, warnings = load_settings(path)
    assert settings.theme is None
    assert settings.folders == [] and settings.feeds == []
    assert settings.keymap == {"app.help": "question_mark,f1"}
    assert len(warnings) == 6
    assert all(_controls(w) == [] for w in warnings)
    assert any("'keymap.app.quit'" in w and "line 6" in w for w in warnings)


@pytest.mark.parametrize(
    "keys", ['"ctrl+s s"', '"ctrl s"', '","', '""', "[1, 2]", '["a", ""]', '"a;rm -rf"']
)
def test_a_keymap_value_that_is_not_a_key_list_names_the_binding(tmp_path: Path, keys: str) -> None:
    settings, warnings = load_settings(write(tmp_path, f'[keymap]\n"app.sort" = {keys}\n'))
    assert settings.keymap == {}
    (w,) = warnings
    assert "'keymap.app.sort'" in w and "line 2" in w


@pytest.mark.parametrize(
    "keys,expected",
    [('"ctrl+s, s"', "ctrl+s,s"), ('["*", "f1"]', "*,f1"), ('"question_mark"', "question_mark")],
)
def test_good_key_lists_are_kept(tmp_path: Path, keys: str, expected: str) -> None:
    settings, warnings = load_settings(write(tmp_path, f'[keymap]\n"app.sort" = {keys}\n'))
    assert warnings == []
    assert settings.keymap == {"app.sort": expected}


@pytest.mark.parametrize(
    "text",
    [
        "a." * 100_000 + "b = 1\n",
        "[" + "a." * 100_000 + "b]\n",
        "x = {" + "a." * 100_000 + "b = 1}\n",
        'x = "open\n' + "a." * 100_000 + 'b = 1\n"\n',  # found once the bad line is dropped
    ],
    ids=["key", "header", "inline", "after-a-bad-line"],
)
def test_a_key_of_thousands_of_dotted_parts_is_refused_before_parsing(
    tmp_path: Path, text: str
) -> None:
    import time

    path = write(tmp_path, text)
    start = time.perf_counter()
    settings, warnings = load_settings(path)
    assert time.perf_counter() - start < 0.5  # 100,000 parts: minutes and gigabytes before
    assert settings == Settings()
    assert any("dotted parts" in w for w in warnings)


def test_dots_in_values_strings_and_comments_are_not_key_parts(tmp_path: Path) -> None:
    floats = ", ".join(["1.5"] * 200)
    text = (
        f'"{"a." * 100}" = 1\n'  # one quoted key
        f"# {'.' * 100}\n"
        f"widths = [{floats}]\n"
        f'theme = "{"." * 100}"\n'
        f"keymap.{'a.' * 3}b = 'x'\n"
    )
    settings, warnings = load_settings(write(tmp_path, text))
    assert settings.theme == "." * 100
    assert not any("dotted parts" in w for w in warnings)
