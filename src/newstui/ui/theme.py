"""The default theme: xterm-256 palette colours, so it looks the same in 256-colour
terminals; with ``NO_COLOR`` Textual drops the colours and the layout still reads."""

from __future__ import annotations

from textual.theme import Theme

DEFAULT_THEME = "newstui"

NEWSTUI_THEME = Theme(
    name="newstui",
    primary="#5f87af",
    secondary="#87afaf",
    accent="#d7af5f",
    warning="#d7af5f",
    error="#d75f5f",
    success="#87af87",
    foreground="#d0d0d0",
    background="#1c1c1c",
    surface="#262626",
    panel="#303030",
    dark=True,
    variables={
        "footer-key-foreground": "#d7af5f",
        "block-cursor-background": "#3a3a3a",
        "block-cursor-foreground": "#eeeeee",
        "input-selection-background": "#5f87af 40%",
    },
)
