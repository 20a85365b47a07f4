"""The reader's `w`: the article shown saved as Markdown into the settings' save_folder, with a
notification saying where; a second `w` writes nothing new."""

from __future__ import annotations

from pathlib import Path

import yaml
from test_ui_support import notifications, open_app, settle, write_article


async def test_w_saves_the_article_as_markdown_and_says_where(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(
        folder,
        "cocoa.txt",
        "Cocoa showers: Bahia / <script>",
        "Showers continued [bold]throughout[/bold] the week.",
        date="1987-02-26T15:01:00",
        source="Reuters",
        url="https://news.example/cocoa",
    )
    notes = tmp_path / "my notes"
    config = tmp_path / "config.toml"
    config.write_text(f'save_folder = "{notes}"\n')
    async with open_app(folder, config) as (app, pilot):
        await pilot.press("enter", "w")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        (saved,) = notes.iterdir()
        assert saved.name == "Cocoa showers Bahia script.md"
        assert any(f"Saved to {saved}" in m for m in notifications(app))
        text = saved.read_text()
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta["title"] == "Cocoa showers: Bahia / <script>"
        assert meta["source"] == "Reuters"
        assert meta["url"] == "https://news.example/cocoa"
        assert meta["published"].startswith("1987-02-26T15:01:00")
        assert "Showers continued [bold]throughout[/bold] the week." in text
        await pilot.press("w")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert [p.name for p in notes.iterdir()] == [saved.name]  # nothing replaced or added
        assert any(f"Already saved as {saved}" in m for m in notifications(app))
