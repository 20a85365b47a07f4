"""The list's story rows, versions, "mark read" ids and story counts (ui/stories.py), the
diff runs and the "previous version" rule of the reader, the ``story_read_all`` setting and
the status line's story count — without Pilot."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from newstui.core.article import Article
from newstui.core.search.results import Hit
from newstui.core.settings import load_settings
from newstui.core.stories import DiffRun
from newstui.ui.screens.versions import ADDED, KEPT, REMOVED, Run, runs_of
from newstui.ui.status import Listing, StatusFacts, status_line
from newstui.ui.stories import PLAIN, RowInfo, StoryView
from newstui.ui.widgets.story_list import badge_text
from newstui.ui.widgets.story_reader import previous_version, story_line


def art(name: str, day: int, source: str = "Reuters") -> Article:
    return Article(
        id=name,
        title=f"Title {name}",
        body=f"Body of {name}.",
        format="text",
        path=Path(f"/news/{name}.txt"),
        source=source,
        published=datetime(2024, 3, day, 9, tzinfo=UTC),
    )


class FakeStories:
    """Stories given outright: story id -> members (newest first)."""

    def __init__(self, groups: dict[str, list[str]]) -> None:
        self.groups = groups
        self.of = {m: s for s, ms in groups.items() for m in ms}

    def story_of(self, article_id: str) -> str:
        return self.of.get(article_id, article_id)

    def members(self, story_id: str) -> list[str]:
        return list(self.groups.get(story_id, [story_id]))

    def size(self, story_id: str) -> int:
        return len(self.groups.get(story_id, [story_id]))

    def stories(self, min_size: int = 2) -> list[str]:
        return [s for s, members in self.groups.items() if len(members) >= min_size]


# a story of three (c newest, then b, then a), d alone, e and f a story of two
A, B, C, D, E, F = (
    art("a", 1),
    art("b", 2, "AP"),
    art("c", 3),
    art("d", 4),
    art("e", 5),
    art("f", 6),
)
ALL = [A, B, C, D, E, F]
NEWEST = [F, E, D, C, B, A]


def view() -> StoryView:
    v = StoryView()
    v.set_stories(FakeStories({"s1": ["c", "b", "a"], "s2": ["f", "e"]}), {a.id: a for a in ALL})
    return v


class TestRows:
    def test_before_grouping_every_article_is_a_row(self) -> None:
        rows, versions = StoryView().rows(NEWEST)
        assert rows == NEWEST and not versions
        assert StoryView().info("a") == PLAIN

    def test_one_row_per_story_its_newest_version_where_it_stands(self) -> None:
        v = view()
        rows, versions = v.rows(NEWEST)
        assert [a.id for a in rows] == ["f", "d", "c"] and not versions
        assert [v.info(a.id) for a in rows] == [RowInfo("s2", 1), PLAIN, RowInfo("s1", 2)]

    def test_the_newest_version_stands_for_the_story_in_any_order(self) -> None:
        oldest_first = list(reversed(NEWEST))
        rows, _ = view().rows(oldest_first)
        assert [a.id for a in rows] == ["c", "d", "f"]  # c at the place of the story's first

    def test_only_versions_in_the_list_stand_for_it(self) -> None:
        # c is hidden (read, unread-only): b, the newest left, stands for the story
        v = view()
        rows, _ = v.rows([F, E, D, B, A])
        assert [a.id for a in rows] == ["f", "d", "b"]
        assert v.info("b").others == 2  # the badge still counts every other version

    def test_an_expanded_story_lists_its_other_versions_under_it(self) -> None:
        v = view()
        assert v.toggle("a") == "s1"  # any version expands its story
        rows, versions = v.rows(NEWEST)
        assert [a.id for a in rows] == ["f", "d", "c", "b", "a"]
        assert versions == {3, 4}
        assert v.info("c") == RowInfo("s1", 2, expanded=True)
        assert v.info("b", version=True) == RowInfo("s1", version=True)
        assert v.toggle("c") == "s1"
        assert [a.id for a in v.rows(NEWEST)[0]] == ["f", "d", "c"]

    def test_a_fold_of_the_same_list_is_reused_until_something_changes(self) -> None:
        v = view()
        first = v.rows(NEWEST)
        assert v.rows(NEWEST) is first
        v.toggle("c")
        assert v.rows(NEWEST) is not first
        v.toggle("c")
        again = v.rows(NEWEST)
        v.set_stories(FakeStories({"s1": ["c", "b", "a"]}), {a.id: a for a in ALL})
        assert [a.id for a in v.rows(NEWEST)[0]] == ["f", "e", "d", "c"]  # new stories
        assert again[0] == first[0]
        assert v.toggle("d") is None  # alone: nothing to expand

    def test_hits_keep_a_story_once_at_its_best_ranked_version(self) -> None:
        hits = [Hit(B, 9.0), Hit(D, 8.0), Hit(C, 7.0), Hit(E, 6.0)]
        v = view()
        rows, versions = v.hit_rows(hits)
        assert [h.article.id for h in rows] == ["b", "d", "e"] and not versions
        assert rows[0].score == 9.0
        assert [v.info(h.article.id).others for h in rows] == [2, 0, 1]

    def test_expanded_hits_list_versions_as_hits_without_matches(self) -> None:
        v = view()
        v.toggle("b")
        rows, versions = v.hit_rows([Hit(B, 9.0), Hit(D, 8.0)])
        assert [h.article.id for h in rows] == ["b", "c", "a", "d"]
        assert versions == {1, 2}
        assert rows[1].score == 0.0 and rows[1].snippet == ""

    def test_the_cursor_row_of_a_folded_version_is_its_story_row(self) -> None:
        v = view()
        rows, _ = v.rows(NEWEST)
        assert v.row_of("a", rows) == "c"
        assert v.row_of("c", v.rows([D, B, A])[0]) == "b"  # c hidden: b stands for it
        assert v.row_of("d", rows) == "d"
        assert v.row_of(None, rows) is None

    def test_badges(self) -> None:
        assert badge_text(RowInfo("s", 2)) == " +2 ▸"
        assert badge_text(RowInfo("s", 2, expanded=True)) == " +2 ▾"
        assert badge_text(PLAIN) == "" and badge_text(RowInfo("s", version=True)) == ""


class TestVersionsAndReading:
    def test_versions_newest_first_and_alone(self) -> None:
        v = view()
        assert [a.id for a in v.versions("a")] == ["c", "b", "a"]
        assert [a.id for a in v.versions("d")] == ["d"]

    def test_marking_read_covers_the_story_unless_the_setting_is_off(self) -> None:
        v = view()
        assert sorted(v.read_ids("b", whole_story=True)) == ["a", "b", "c"]
        assert v.read_ids("b", whole_story=False) == ["b"]
        assert v.read_ids("d", whole_story=True) == ["d"]
        assert v.with_versions(["d", "f"], whole_story=True) == ["d", "f", "e"]
        assert v.with_versions(["d", "f"], whole_story=False) == ["d", "f"]

    def test_story_counts_for_the_status_line_and_the_sidebar(self) -> None:
        v = view()
        assert v.story_count == 3
        assert v.count_stories(["a", "b", "d"]) == 2
        assert StoryView().count_stories(["a", "b"]) == 2  # not grouped: each its own

    def test_also_reported_by_names_the_other_sources_once(self) -> None:
        v = view()
        assert story_line(C, v.versions("c")) == "Also reported by: AP, Reuters (3 versions)"
        assert story_line(D, v.versions("d")) == ""

    def test_the_previous_version_prefers_the_same_source(self) -> None:
        v = view()
        assert previous_version(C, v.versions("c")) == (A, C)  # Reuters against Reuters
        assert previous_version(B, v.versions("b")) == (A, B)
        assert previous_version(A, v.versions("a")) == (A, B)  # the oldest: with the next


class TestDiffRuns:
    def test_the_cores_runs_one_sentence_each_cleaned(self) -> None:
        runs = runs_of(
            [
                DiffRun("kept", ("One.", "Two.")),
                DiffRun("removed", ("Three\x1b[31m.",)),
                DiffRun("added", ("Three [bold]new[/bold].",)),
            ]
        )
        assert runs == [
            Run(KEPT, "One."),
            Run(KEPT, "Two."),
            Run(REMOVED, "Three."),
            Run(ADDED, "Three [bold]new[/bold]."),
        ]


def test_story_read_all_setting(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("story_read_all = false\n", encoding="utf-8")
    settings, warnings = load_settings(path)
    assert settings.story_read_all is False and not warnings
    path.write_text('story_read_all = "no"\n', encoding="utf-8")
    settings, warnings = load_settings(path)
    assert settings.story_read_all is True
    assert len(warnings) == 1 and "'story_read_all'" in warnings[0] and "line 1" in warnings[0]


def test_the_status_line_counts_stories_once_grouped() -> None:
    def line(stories: int) -> str:
        facts = StatusFacts(1234, Listing(1234), False, False, "newest", "", "", stories)
        return status_line(facts).plain

    assert line(0) == " 1,234 articles · sort: newest"
    assert line(1100) == " 1,234 articles in 1,100 stories · sort: newest"
    assert line(1234) == " 1,234 articles · sort: newest"  # every article its own story


class TestPrefold:
    """A whole list's fold worked out ahead (in a worker) is what rows() gives."""

    def test_prefold_is_the_fold_and_is_reused(self) -> None:
        v = view()
        expected = v.rows(list(NEWEST))[0]
        listed = list(NEWEST)
        v.prefold(listed)
        rows, versions = v.rows(listed)
        assert rows == expected and not versions
        assert rows is v._prefolds[-1][3]  # taken as it is, not folded again

    def test_for_new_stories_before_they_are_set(self) -> None:
        v = StoryView()
        listed = list(NEWEST)
        by_id = {a.id: a for a in ALL}
        from newstui.ui.stories import StorySnapshot

        snap = StorySnapshot.of(FakeStories({"s1": ["c", "b", "a"], "s2": ["f", "e"]}), by_id)
        v.prefold(listed, snap, by_id)
        v.set_stories(snap, by_id)
        rows, _ = v.rows(listed)
        assert [a.id for a in rows] == ["f", "d", "c"]
        assert rows is v._prefolds[-1][3]

    def test_a_partial_list_folds_ahead_too(self) -> None:
        v = view()
        partial = [F, E, D, B, A]  # c hidden: b stands for its story
        v.prefold(partial)
        rows, _ = v.rows(partial)
        assert [a.id for a in rows] == ["f", "d", "b"]
        assert rows is v._prefolds[-1][3]

    def test_not_used_for_another_list_or_when_expanded(self) -> None:
        v = view()
        listed = list(NEWEST)
        v.prefold(listed)
        assert [a.id for a in v.rows(list(NEWEST))[0]] == ["f", "d", "c"]  # a copy: folded anew
        v.toggle("a")
        rows, versions = v.rows(listed)
        assert [a.id for a in rows] == ["f", "d", "c", "b", "a"]
        assert versions
