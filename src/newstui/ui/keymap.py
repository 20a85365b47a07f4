"""The bindings a ``[keymap]`` in the settings may remap, and checking such a keymap.

A keymap comes from the user's settings file: untrusted. An entry whose keys are not key
names (an escape sequence, control characters, spaces) would reach the footer and the help
screen as it is, and an entry naming no binding would silently do nothing: both are left
out with one warning each.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence

from textual.binding import Binding, BindingType

from newstui.ui.safe import one_line, visible
from newstui.ui.screens.confirm import ConfirmScreen
from newstui.ui.screens.help import BindingGroup, HelpScreen
from newstui.ui.screens.links import LinkPicker
from newstui.ui.screens.name_input import NameScreen
from newstui.ui.screens.problems import ProblemsScreen
from newstui.ui.screens.related import RelatedScreen
from newstui.ui.screens.versions import DiffScreen
from newstui.ui.widgets.article_list import ArticleList
from newstui.ui.widgets.reader import Reader
from newstui.ui.widgets.search_box import SearchBox
from newstui.ui.widgets.sidebar import Sidebar
from newstui.ui.widgets.story_list import StoryList
from newstui.ui.widgets.story_reader import StoryReader
from newstui.ui.widgets.timeline import Timeline

#: The panes' bindings, in the help screen's order (after the app's own, "Everywhere").
PANES: tuple[BindingGroup, ...] = (
    BindingGroup("Search box", SearchBox.BINDINGS),
    BindingGroup("Article list", (*ArticleList.BINDINGS, *StoryList.BINDINGS)),
    BindingGroup("Reader", (*Reader.BINDINGS, *StoryReader.BINDINGS)),
    BindingGroup("Timeline", Timeline.BINDINGS),
    BindingGroup("Sidebar", Sidebar.BINDINGS),
)
#: The modal screens' bindings (not in the help screen: each says its own keys).
SCREENS: tuple[Sequence[BindingType], ...] = (
    HelpScreen.BINDINGS,
    ProblemsScreen.BINDINGS,
    ConfirmScreen.BINDINGS,
    DiffScreen.BINDINGS,
    RelatedScreen.BINDINGS,
    NameScreen.BINDINGS,
    LinkPicker.BINDINGS,
)


def bindings_with_ids(app_bindings: Iterable[BindingType]) -> list[Binding]:
    """Every binding with an id: the app's (``app_bindings``), the panes', the screens'."""
    groups = [app_bindings, *(pane.bindings for pane in PANES), *SCREENS]
    return [b for group in groups for b in group if isinstance(b, Binding) and b.id]


def binding_ids(app_bindings: Iterable[BindingType]) -> list[str]:
    """Every binding id a ``[keymap]`` in the settings can remap."""
    return [b.id for b in bindings_with_ids(app_bindings) if b.id]


def safe_keymap(keymap: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The entries whose keys are key names (printable, no spaces), and one warning per
    entry left out."""
    kept: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, keys in keymap.items():
        names = [k.strip() for k in str(keys).split(",")]
        if (
            all(n and n.isprintable() and " " not in n for n in names)
            and str(binding_id).isprintable()
        ):
            kept[binding_id] = keys
        else:
            warnings.append(
                f"[keymap] {visible(str(binding_id))} = {visible(str(keys))!r}: "
                "not a list of key names; ignored"
            )
    return kept, warnings


def unknown_keymap_ids(keymap: Mapping[str, str], app_bindings: Iterable[BindingType]) -> list[str]:
    """One warning per entry that names no binding (it would do nothing), with a guess."""
    bindings = bindings_with_ids(app_bindings)
    known = [b.id for b in bindings if b.id]
    # "reader.next_article" (pane + action name) is a likely guess for "reader.next"
    by_action = {f"{b.id.partition('.')[0]}.{b.action}": b.id for b in bindings if b.id}
    warnings = []
    for binding_id in keymap:
        if binding_id in known:
            continue
        guess = by_action.get(binding_id)
        close = [guess] if guess else difflib.get_close_matches(binding_id, known, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(known)})"
        warnings.append(f"[keymap] {one_line(binding_id)}: no such binding; ignored{hint}")
    return warnings


def check_keymap(
    keymap: Mapping[str, str], app_bindings: Iterable[BindingType]
) -> tuple[dict[str, str], list[str]]:
    """The entries to apply, and one warning per entry left out or naming no binding."""
    kept, warnings = safe_keymap(keymap)
    return kept, warnings + unknown_keymap_ids(kept, app_bindings)
