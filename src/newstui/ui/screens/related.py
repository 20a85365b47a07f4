"""Pick one of the related stories to open: a digit opens that one, Enter the highlighted
one, Esc goes back. Titles and sources are untrusted: ``rich.text.Text``, never markup."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from newstui.core.article import Article


class RelatedScreen(ModalScreen["Article | None"]):
    """The related stories, numbered; dismissed with the chosen article (or ``None``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss(None)", "Close", id="related.close"),
        *(
            Binding(str(n), f"pick({n})", f"Open {n}", show=False, id=f"related.pick_{n}")
            for n in range(1, 10)
        ),
    ]

    DEFAULT_CSS = """
    RelatedScreen {
        align: center middle;
        background: $background 60%;
    }
    #related-box {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #related-list {
        height: auto;
        max-height: 20;
    }
    """

    def __init__(self, articles: list[Article]) -> None:
        super().__init__()
        self.articles = articles

    def compose(self) -> ComposeResult:
        from newstui.ui.widgets.story_reader import related_line

        with Vertical(id="related-box"):
            yield Static(Text("Related", style="bold"))
            yield OptionList(
                *(Option(related_line(n, a)) for n, a in enumerate(self.articles, 1)),
                id="related-list",
            )
            yield Static(Text("1-9 or Enter opens · Esc goes back", style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(event.option_index + 1)

    def action_pick(self, n: int) -> None:
        if 1 <= n <= len(self.articles):
            self.dismiss(self.articles[n - 1])
