"""User settings from a TOML file (``$XDG_CONFIG_HOME/newstui/config.toml`` or ``--config``).

Example::

    folders = ["~/news", "/srv/articles"]   # several article folders
    theme = "nord"
    reader_width = 88                         # 40..200 columns
    mark_read_on_open = true
    feeds = ["https://example.org/rss.xml"]
    opml = "~/feeds.opml"
    fetch_timeout = 30                        # seconds a feed may take, retries included
    save_folder = "~/notes/news"              # where the reader's w saves Markdown
    story_read_all = true                     # m/M on a story marks all its versions

    [keymap]                                  # binding id = "keys" (Textual keymaps)
    app.toggle_read = "r"                     # dotted ids may be quoted or not
    "app.toggle_star" = "s,ctrl+s"

An invalid file never stops newstui: each problem becomes one warning naming the file, the
line and the key, and the setting keeps its default. Relative paths are relative to the
folder of the settings file.

The file is untrusted input with a budget: only a regular file is read, at most
:data:`MAX_SETTINGS_BYTES` of it (bigger is refused, whole), TOML nested too deeply is refused,
at most :data:`MAX_WARNINGS` problems are reported and then "and N more", and every value is
type- and range-checked. No string with a control character or escape sequence is taken
(a theme, a folder, a key of the keymap); messages quote names through the display
sanitiser. Finding a key's line is one linear pass over the file, whatever the file holds.

Two jobs, two modules: :mod:`.read` reads the file (budget, UTF-8, tolerant TOML through
:mod:`.toml_text`), :mod:`.validate` checks each value into :class:`Settings`.
"""

from newstui.core.settings.read import (
    CONFIG_FILENAME,
    MAX_KEY_PARTS,
    MAX_SETTINGS_BYTES,
    SettingsError,
    default_config_path,
    load_settings,
)
from newstui.core.settings.validate import (
    FETCH_TIMEOUT_MAX,
    KNOWN_KEYS,
    MAX_BINDINGS,
    MAX_ITEMS,
    MAX_VALUE_CHARS,
    MAX_WARNINGS,
    READER_WIDTH_MAX,
    READER_WIDTH_MIN,
    LoadedSettings,
    Settings,
    parse_settings,
    save_folder,
)

__all__ = [
    "CONFIG_FILENAME",
    "FETCH_TIMEOUT_MAX",
    "KNOWN_KEYS",
    "MAX_BINDINGS",
    "MAX_ITEMS",
    "MAX_KEY_PARTS",
    "MAX_SETTINGS_BYTES",
    "MAX_VALUE_CHARS",
    "MAX_WARNINGS",
    "READER_WIDTH_MAX",
    "READER_WIDTH_MIN",
    "LoadedSettings",
    "Settings",
    "SettingsError",
    "default_config_path",
    "load_settings",
    "parse_settings",
    "save_folder",
]
