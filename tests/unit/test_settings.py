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
