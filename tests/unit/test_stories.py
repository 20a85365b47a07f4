"""Stories (issue 14): the grouping rules and their negatives, the story id, incremental
updates, the cache file, related articles and the sentence diff."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from newstui.core.article import Article, make_article_id
from newstui.core.search.index import SearchIndex
from newstui.core.stories import GroupingParams, Stories, diff_versions, group_stories, related
from newstui.core.stories.diff import MAX_SENTENCES, sentences
from newstui.core.stories.sketch import headline_key, sketch_texts
from newstui.core.stories.store import (
    load_stories,
    read_stories,
    stories_file_for,
    write_stories,
)

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
_RNG = random.Random(14)
_SYLLABLES = ["ka", "lo", "mi", "ne", "pu", "ra", "si", "to", "vu", "ze", "an", "or", "el"]
VOCAB = sorted(
    {"".join(_RNG.choice(_SYLLABLES) for _ in range(_RNG.randint(2, 4))) for _ in range(6000)}
)
COMMON = [
    "the",
    "of",
    "to",
    "and",
    "a",
    "in",
    "said",
    "for",
    "on",
    "it",
    "is",
    "that",
    "by",
    "from",
    "at",
    "with",
    "as",
    "was",
]


def sentence(rng: random.Random, names: list[str] | None = None) -> str:
    words = [
        rng.choice(COMMON) if rng.random() < 0.35 else rng.choice(VOCAB)
        for _ in range(rng.randint(10, 18))
    ]
    if names:
        words.insert(rng.randrange(len(words)), rng.choice(names))
    return " ".join(words).capitalize() + "."


def story_text(seed: int, n: int = 14, names: list[str] | None = None) -> list[str]:
    rng = random.Random(seed)
    return [sentence(rng, names) for _ in range(n)]


def body(sents: list[str]) -> str:
    return "\n\n".join(" ".join(sents[i : i + 3]) for i in range(0, len(sents), 3))


def art(
    key: str,
    title: str,
    sents: list[str],
    when: datetime | None = T0,
    source: str = "Wire",
) -> Article:
    return Article(
        id=make_article_id(url=f"test:{key}"),
        title=title,
        body=body(sents),
        format="text",
        source=source,
        published=when,
    )


BASE = story_text(1)
ORIGINAL = art("orig", "Acme Corp to buy Zenith in 2 billion deal", BASE)
CORRECTED = art(
    "corr",
    "Acme Corp to buy Zenith in 2.1 billion deal",
    [*BASE[:5], BASE[5].replace(".", " corrected figure 2.1 billion."), *BASE[6:]],
    T0 + timedelta(hours=3),
)
SYNDICATED = art(
    "synd",
    "Zenith agrees to Acme takeover",
    [sentence(random.Random(99)), *BASE[1:]],  # another lead
    T0 + timedelta(hours=20),
    source="Daily Ledger",
)
UPDATED = art(
    "upd",
    "Acme Corp to buy Zenith; shares jump",
    [*BASE, *story_text(2, 8)],  # two more paragraphs' worth of news
    T0 + timedelta(days=1, hours=2),
)
NAMES = ["Acme", "Zenith", "Acme Corp", "Zenith Inc"]
SAME_COMPANY = [
    art(
        f"other{k}",
        f"Acme Corp story number {k}",
        story_text(100 + k, names=NAMES),
        T0 + timedelta(days=k % 5),
    )
    for k in range(6)
]


def grouped(st: Stories, a: Article, b: Article) -> bool:
    return st.story_of(a.id) == st.story_of(b.id)


# --------------------------------------------------------------------------- grouping rules


def test_versions_of_one_story_are_one_story_and_other_stories_of_the_same_company_are_not() -> (
    None
):
    st = group_stories([ORIGINAL, CORRECTED, SYNDICATED, UPDATED, *SAME_COMPANY])
    sid = st.story_of(ORIGINAL.id)
    assert st.size(sid) == 4
    for version in (CORRECTED, SYNDICATED, UPDATED):
        assert grouped(st, ORIGINAL, version), version.title
    for other in SAME_COMPANY:
        assert not grouped(st, ORIGINAL, other), other.title
        assert st.size(st.story_of(other.id)) == 1
    assert list(st.stories()) == [sid]


def test_story_id_is_the_earliest_member_and_members_are_newest_first() -> None:
    st = group_stories([UPDATED, SYNDICATED, ORIGINAL, CORRECTED])
    sid = st.story_of(UPDATED.id)
    assert sid == ORIGINAL.id  # the earliest version
    assert st.members(sid) == [UPDATED.id, SYNDICATED.id, CORRECTED.id, ORIGINAL.id]
    # The same in any input order, and from an incremental build.
    shuffled = [CORRECTED, UPDATED, ORIGINAL, SYNDICATED]
    assert group_stories(shuffled).members(sid) == st.members(sid)
    inc = Stories()
    for a in shuffled:
        inc.add([a])
    assert inc.story_of(SYNDICATED.id) == sid
    assert inc.members(sid) == st.members(sid)


def test_a_lone_article_is_its_own_story_and_an_unknown_id_has_none() -> None:
    st = group_stories([ORIGINAL, SAME_COMPANY[0]])
    lone = SAME_COMPANY[0].id
    assert st.story_of(lone) == lone
    assert st.members(lone) == [lone]
    assert st.size(lone) == 1
    assert st.size("nope") == 0 and st.members("nope") == []
    assert list(st.stories()) == []
    assert set(st.stories(min_size=1)) == {ORIGINAL.id, lone}


def test_exact_copies_under_other_ids_are_one_story() -> None:
    copy = art("copy", ORIGINAL.title, BASE, T0 + timedelta(hours=1))
    st = group_stories([ORIGINAL, copy])
    assert grouped(st, ORIGINAL, copy)


def test_versions_far_apart_in_time_are_not_one_story() -> None:
    late = art("late", CORRECTED.title, BASE, T0 + timedelta(days=10))
    st = group_stories([ORIGINAL, late])
    assert not grouped(st, ORIGINAL, late)
    # Undated articles are never too far.
    undated = art("undated", ORIGINAL.title, BASE, None)
    assert grouped(group_stories([ORIGINAL, undated]), ORIGINAL, undated)


def test_a_daily_report_repeating_its_text_does_not_chain_into_one_long_story() -> None:
    days = [
        art(f"day{d}", "Central bank adds reserves", BASE, T0 + timedelta(days=d))
        for d in range(10)
    ]
    st = group_stories(days)
    for sid in st.stories():
        dates = [next(a for a in days if a.id == m).published for m in st.members(sid)]
        assert max(dates) - min(dates) <= timedelta(days=GroupingParams().max_days)  # type: ignore[operator]
    assert st.size(st.story_of(days[0].id)) < 10
    assert not grouped(st, days[0], days[9])


def test_short_items_need_near_identical_text() -> None:
    # A two-line wire item whose figure differs is another item (a dividend of another
    # quarter), though most of its few shingles are shared.
    a = art(
        "div1",
        "Alpha Fund sets payout",
        ["Qtly div 10 cts vs 10 cts prior pay April one record March 15 the fund said."],
    )
    b = art(
        "div2",
        "Alpha Fund sets payout",
        ["Qtly div 12 cts vs 10 cts prior pay April one record March 15 the fund said."],
    )
    assert not grouped(group_stories([a, b]), a, b)
    assert grouped(group_stories([a, b], GroupingParams(short_jaccard=0.0)), a, b)  # the rule


def test_a_marked_correction_joins_its_original_on_less_text_similarity() -> None:
    rewritten = [*BASE[:4], *story_text(7, 10)]  # much of the text rewritten
    fix = art(
        "fix", "CORRECTED - Acme Corp to buy Zenith for less", rewritten, T0 + timedelta(hours=5)
    )
    same_unmarked = art(
        "nofix", "Acme Corp to buy Zenith for less", rewritten, T0 + timedelta(hours=5)
    )
    assert headline_key(fix.title) == (True, headline_key(ORIGINAL.title)[1])
    assert grouped(group_stories([ORIGINAL, fix]), ORIGINAL, fix)
    assert not grouped(group_stories([ORIGINAL, same_unmarked]), ORIGINAL, same_unmarked)
    # The mark does not group a different story of the same company.
    other = art("fix2", "CORRECTED - Acme Corp names new chief", story_text(8), T0)
    assert not grouped(group_stories([ORIGINAL, other]), ORIGINAL, other)


def test_headline_key_drops_the_mark_and_tickers() -> None:
    assert headline_key("(CORRECTED) - CRAZY EDDIE <CRZY.O> SETS RIGHTS") == headline_key(
        "CORRECTED-CRAZY EDDIE <CRZY> SETS RIGHTS"
    )
    assert headline_key("UPDATE 2-Crazy Eddie sets rights")[0] is True
    assert headline_key("Crazy Eddie sets rights") == (
        False,
        headline_key("UPDATE 2-Crazy Eddie")[1],
    )
    assert headline_key("")[1] == 0


# --------------------------------------------------------------------------- incremental


def test_add_and_remove_keep_the_grouping_a_cold_build_gives() -> None:
    everything = [ORIGINAL, CORRECTED, SYNDICATED, UPDATED, *SAME_COMPANY]
    st = group_stories([ORIGINAL, *SAME_COMPANY])
    assert st.size(ORIGINAL.id) == 1
    st.add([CORRECTED, SYNDICATED, UPDATED])
    cold = group_stories(everything)
    for a in everything:
        assert st.story_of(a.id) == cold.story_of(a.id)
    st.remove([ORIGINAL.id])
    # The story's id moves to its earliest remaining version; the others stay together.
    sid = st.story_of(CORRECTED.id)
    assert sid == CORRECTED.id
    assert set(st.members(sid)) == {CORRECTED.id, SYNDICATED.id, UPDATED.id}
    assert ORIGINAL.id not in st
    st.remove(["unknown"])  # ignored


def test_adding_an_article_again_with_new_text_regroups_it() -> None:
    st = group_stories([ORIGINAL, CORRECTED])
    changed = art("corr", "Something else entirely", story_text(55), CORRECTED.published)
    assert changed.id == CORRECTED.id
    st.add([changed])
    assert len(st) == 2
    assert not grouped(st, ORIGINAL, changed)


def test_empty_and_wordless_articles_group_with_nothing() -> None:
    e1 = art("e1", "", [])
    e2 = art("e2", "", [])
    st = group_stories([e1, e2, ORIGINAL])
    assert not grouped(st, e1, e2)
    assert group_stories([]).size("x") == 0


def test_sketches_are_stable_and_agree_with_jaccard() -> None:
    text = " ".join(BASE)
    a = sketch_texts([text, text])
    assert np.array_equal(a.sig[0], a.sig[1])
    assert np.array_equal(sketch_texts([text]).sig[0], a.sig[0])  # no state between calls
    half = " ".join(BASE[:7]) + " " + " ".join(story_text(3, 7))
    s = sketch_texts([text, half])
    est = float((s.sig[0] == s.sig[1]).mean())
    assert 0.15 < est < 0.6  # about a third of the shingles are shared


# --------------------------------------------------------------------------- cache


def test_the_cache_round_trips_and_a_corrupt_file_is_rebuilt(tmp_path: Path) -> None:
    arts = [ORIGINAL, CORRECTED, SYNDICATED, *SAME_COMPANY]
    st = load_stories([tmp_path], arts, cache_dir=tmp_path)
    path = stories_file_for([tmp_path], tmp_path)
    assert path.exists()
    back = read_stories(path)
    assert back is not None
    assert back.members(ORIGINAL.id) == st.members(ORIGINAL.id)
    assert read_stories(path, GroupingParams(jaccard=0.9)) is None  # other rules: rebuilt
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF
    path.write_bytes(bytes(data))
    assert read_stories(path) is None
    again = load_stories([tmp_path], arts, cache_dir=tmp_path)
    assert again.members(ORIGINAL.id) == st.members(ORIGINAL.id)
    assert read_stories(path) is not None  # rewritten


def test_load_stories_updates_the_cache_incrementally(tmp_path: Path) -> None:
    load_stories([tmp_path], [ORIGINAL, *SAME_COMPANY], cache_dir=tmp_path)
    st = load_stories([tmp_path], [ORIGINAL, CORRECTED, *SAME_COMPANY[1:]], cache_dir=tmp_path)
    assert grouped(st, ORIGINAL, CORRECTED)
    assert SAME_COMPANY[0].id not in st
    path = stories_file_for([tmp_path], tmp_path)
    before = path.stat().st_mtime_ns
    st2 = load_stories([tmp_path], [ORIGINAL, CORRECTED, *SAME_COMPANY[1:]], cache_dir=tmp_path)
    assert path.stat().st_mtime_ns == before  # nothing changed: not rewritten
    assert st2.members(ORIGINAL.id) == st.members(ORIGINAL.id)


def test_stored_parts_that_do_not_fit_are_refused() -> None:
    st = group_stories([ORIGINAL, CORRECTED])
    with pytest.raises(ValueError):
        Stories.from_parts(
            st.ids,
            st.sig[:1],
            st.shingles,
            st.when,
            st.stamp,
            st.edges,
            st.weights,
            st.head,
            st.marked,
            st.tmask,
        )
    bad_edges = np.array([[0, 5]], np.int32)
    with pytest.raises(ValueError):
        Stories.from_parts(
            st.ids,
            st.sig,
            st.shingles,
            st.when,
            st.stamp,
            bad_edges,
            st.weights[:1],
            st.head,
            st.marked,
            st.tmask,
        )


def test_write_stories_then_read_gives_the_same_arrays(tmp_path: Path) -> None:
    st = group_stories([ORIGINAL, CORRECTED, UPDATED])
    path = tmp_path / "s.bin"
    write_stories(path, st)
    back = read_stories(path)
    assert back is not None
    assert back.ids == st.ids
    assert np.array_equal(back.sig, st.sig) and np.array_equal(back.edges, st.edges)
    assert np.array_equal(back.marked, st.marked) and np.array_equal(back.head, st.head)


def test_a_read_cache_maps_its_arrays_and_stays_usable_after_the_file_is_replaced(
    tmp_path: Path,
) -> None:
    """The sketches are views of the mapped file (not a copy of ~400 MB at a million
    articles), read-only; the stories still take new articles and lose old ones, and a
    rewrite of the file (a new file renamed over it) leaves them intact."""
    path = tmp_path / "s.bin"
    write_stories(path, group_stories([ORIGINAL, CORRECTED, *SAME_COMPANY]))
    back = read_stories(path)
    assert back is not None
    assert not back.sig.flags.writeable and not back.sig.flags.owndata
    sig_before = back.sig.copy()
    write_stories(path, group_stories([UPDATED]))  # replaced under the open stories
    assert np.array_equal(back.sig, sig_before)
    back.add([UPDATED])
    back.remove([SAME_COMPANY[0].id])
    cold = group_stories([ORIGINAL, CORRECTED, *SAME_COMPANY[1:], UPDATED])
    assert back.members(back.story_of(UPDATED.id)) == cold.members(cold.story_of(UPDATED.id))
    assert SAME_COMPANY[0].id not in back


def _groups(st: Stories, arts: list[Article]) -> dict[str, list[str]]:
    return {a.id: st.members(st.story_of(a.id)) for a in arts}


def test_a_warm_start_reads_the_components_and_they_follow_a_lone_article_leaving(
    tmp_path: Path,
) -> None:
    """Each row's component is kept with the parts (a warm start at a million does not
    work them out again): read back, the stories are those the links give, also after a
    lone article left without the stories being published again."""
    lone = art("lone", "Harbour dredging starts", story_text(77))
    arts = [lone, ORIGINAL, CORRECTED, SYNDICATED, UPDATED, *SAME_COMPANY]
    st = group_stories(arts)
    st.remove([lone.id])  # alone: the rows move up, the stories are not published again
    path = tmp_path / "s.bin"
    write_stories(path, st)
    back = read_stories(path)
    assert back is not None
    rest = arts[1:]
    assert _groups(back, rest) == _groups(group_stories(rest), rest)
    assert np.array_equal(back.label, st.label)
    # a labelling that cannot be one (a row pointing past itself) is refused: rebuilt
    parts = (st.ids, st.sig, st.shingles, st.when, st.stamp, st.edges, st.weights)
    more = (st.head, st.marked, st.tmask)
    bad = st.label.copy()
    bad[0] = len(bad) - 1
    with pytest.raises(ValueError):
        Stories.from_parts(*parts, *more, label=bad)


def test_a_lone_article_arriving_keeps_the_stored_stories_readable(tmp_path: Path) -> None:
    """A new article like no other (one fetched file in a big library) changes no story;
    its row still gets its component, or the file written then would not be read back, and
    the next start would group the whole library again (at a million articles: minutes and
    several GB)."""
    arts = [ORIGINAL, CORRECTED, SYNDICATED, *SAME_COMPANY]
    load_stories([tmp_path], arts, cache_dir=tmp_path)
    lone = art("lone", "Harbour dredging starts", story_text(77))
    st = load_stories([tmp_path], [*arts, lone], cache_dir=tmp_path)
    assert st.members(lone.id) == [lone.id]  # alone: no story changed
    back = read_stories(stories_file_for([tmp_path], tmp_path))
    assert back is not None
    assert np.array_equal(back.label, st.label)
    every = [*arts, lone]
    assert _groups(back, every) == _groups(group_stories(every), every)


def test_stamps_of_a_warm_library_are_its_articles_fingerprints(tmp_path: Path) -> None:
    """The stamps a warm start compares are taken from the cache's body offsets at once;
    they are the fingerprints one article at a time gives, and a text changed under the
    same id is noticed (regrouped)."""
    from newstui.core.library.opening import open_library
    from newstui.core.stories.grouping import fingerprint, fingerprints

    folder = tmp_path / "news"
    folder.mkdir()
    for i, a in enumerate([ORIGINAL, CORRECTED, SYNDICATED, *SAME_COMPANY]):
        (folder / f"{i}.md").write_text(f"# {a.title}\n\n{a.body}\n", encoding="utf-8")
    open_library([folder], cache_dir=tmp_path / "cache")
    warm, _index = open_library([folder], cache_dir=tmp_path / "cache")
    arts = warm.articles
    assert type(arts[0]).__name__ == "StoredArticle"  # bodies on disk
    assert fingerprints(arts).tolist() == [fingerprint(a) for a in arts]
    mixed = list(arts)
    mixed[1] = art("x", "Changed", story_text(5))  # an article of another kind among them
    assert fingerprints(mixed).tolist() == [fingerprint(a) for a in mixed]
    first = load_stories([folder], arts, cache_dir=tmp_path / "cache")
    assert first.size(first.story_of(arts[0].id)) >= 2
    # one article's text changes under its id: its stamp differs, it is grouped again
    changed = list(arts)
    victim = changed[0]
    changed[0] = Article(
        id=victim.id, title=victim.title, body=body(story_text(321)), format="markdown"
    )
    again = load_stories([folder], changed, cache_dir=tmp_path / "cache")
    assert again.size(again.story_of(victim.id)) == 1


# --------------------------------------------------------------------------- related


def _topic_articles() -> list[Article]:
    """Three topics of four stories each, each topic with its own words, plus a story's
    second version."""
    out = []
    for topic in range(3):
        rng = random.Random(500 + topic)
        topic_words = rng.sample(VOCAB, 30)
        for k in range(4):
            srng = random.Random(topic * 100 + k)
            sents = [
                sentence(srng, topic_words) + " " + sentence(srng, topic_words) for _ in range(6)
            ]
            out.append(
                art(
                    f"t{topic}-{k}",
                    f"{topic_words[k]} {topic_words[k + 1]} news",
                    sents,
                    T0 + timedelta(days=k),
                )
            )
    return out


def test_related_are_other_stories_of_the_same_topic_one_per_story() -> None:
    arts = _topic_articles()
    first = arts[0]
    version = art("t0-0-v2", first.title, first.body.split("\n\n"), T0 + timedelta(hours=2))
    arts.append(version)
    index = SearchIndex()
    index.add(arts)
    st = group_stories(arts)
    assert grouped(st, first, version)
    hits = related(index, first.id, limit=3, stories=st)
    ids = [h for h, _ in hits]
    assert len(ids) == 3
    assert first.id not in ids and version.id not in ids  # not its own story
    assert set(ids) == {a.id for a in arts[1:4]}  # the same topic
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    # Without stories only the article itself is left out: its version comes first.
    assert related(index, first.id, limit=1)[0][0] == version.id


def test_related_of_an_unknown_id_or_a_library_wrapper() -> None:
    arts = _topic_articles()
    index = SearchIndex()
    index.add(arts)

    class Lib:
        search_index = index

    assert related(index, "missing") == []
    assert related(Lib(), arts[0].id, limit=2) == related(index, arts[0].id, limit=2)
    assert related(index, arts[0].id, limit=0) == []


# --------------------------------------------------------------------------- diff


def test_diff_marks_added_removed_and_kept_sentences() -> None:
    old = "Acme will buy Zenith. The price is 2 billion dollars. Shares rose.\n\nMore later."
    new = "Acme will buy Zenith. The price is 2.1 billion dollars. Shares rose.\n\nMore later. Analysts cheered!"
    runs = diff_versions(old, new)
    assert [(r.kind, r.sentences) for r in runs] == [
        ("kept", ("Acme will buy Zenith.",)),
        ("removed", ("The price is 2 billion dollars.",)),
        ("added", ("The price is 2.1 billion dollars.",)),
        ("kept", ("Shares rose.", "More later.")),
        ("added", ("Analysts cheered!",)),
    ]
    assert diff_versions(old, old) == [diff_versions(old, old)[0]]
    assert diff_versions(old, old)[0].kind == "kept"
    assert diff_versions("", "") == []


def test_diff_ignores_case_and_spacing_and_keeps_quotes_with_their_sentence() -> None:
    runs = diff_versions('He said "yes."  Then  left.', 'HE SAID "YES." Then left.')
    assert [r.kind for r in runs] == ["kept"]
    assert sentences('He said "yes." Then left.') == ['He said "yes."', "Then left."]


def test_diff_is_bounded_on_huge_texts() -> None:
    old = " ".join(f"Sentence number {i}." for i in range(MAX_SENTENCES + 500))
    new = old.replace("Sentence number 7.", "Sentence number seven.")
    runs = diff_versions(old, new)
    assert [r.kind for r in runs] == ["kept", "removed", "added", "kept"]
    assert sum(len(r.sentences) for r in runs if r.kind != "removed") == MAX_SENTENCES + 500


def test_copies_of_one_text_far_apart_in_time_group_with_their_near_copies_only() -> None:
    early = [
        art(f"early{k}", "Bank leaves rate unchanged", BASE[:3], T0 + timedelta(hours=k))
        for k in range(2)
    ]
    late = [
        art(f"late{k}", "Bank leaves rate unchanged", BASE[:3], T0 + timedelta(days=10, hours=k))
        for k in range(2)
    ]
    everything = [early[0], late[0], early[1], late[1]]
    st = group_stories(everything)
    assert grouped(st, early[0], early[1]) and grouped(st, late[0], late[1])
    assert not grouped(st, early[0], late[0])
    inc = group_stories(everything[:2])
    inc.add(everything[2:])
    assert {a.id: inc.story_of(a.id) for a in everything} == {
        a.id: st.story_of(a.id) for a in everything
    }


def _item(title: str, body: str, day: int) -> Article:
    return Article(
        id=f"id-{title}-{day}",
        title=title,
        body=body,
        format="txt",
        source="Wire",
        published=datetime(2024, 3, day, 12, tzinfo=UTC),
    )


def test_a_short_correction_of_numbers_joins_the_item_whose_headline_it_repeats() -> None:
    """Reuters' corrected earnings tables: a few lines whose numbers changed share few
    shingles, but the marked headline's words are all in the original's; a marked item on
    another subject of the same company does not join on the company's name alone."""
    original = _item(
        "NETWORK VIDEO INC <NVID> 3RD QTR FEB 28 NET",
        "Shr 12 cts vs 41 cts\nNet 301,000 vs 1,012,000\nRevs 4,210,000 vs 3,005,000",
        2,
    )
    corrected = _item(
        "CORRECTED-NETWORK VIDEO INC <NVID> 3RD QTR",
        "Shr 21 cts vs 14 cts\nNet 530,000 vs 1,210,000\nRevs 4,120,000 vs 3,500,000",
        3,
    )
    other = _item(
        "CORRECTED-NETWORK VIDEO INC <NVID> NAMES NEW CHAIRMAN",
        "Network Video Inc said it named a new chairman effective at once, replacing "
        "the founder who retires at the end of the month after twenty years.",
        3,
    )
    st = group_stories([original, corrected, other])
    assert st.story_of(corrected.id) == st.story_of(original.id)
    assert st.story_of(other.id) != st.story_of(original.id)


def test_a_snapshot_of_every_version_is_the_one_built_a_story_at_a_time() -> None:
    """The app's snapshot of the stories: taken from the core's groups as they are when
    the library holds every version (a warm start), built a story at a time otherwise;
    either way the same stories, members, ranks and count."""
    from newstui.ui.stories import StorySnapshot

    arts = [ORIGINAL, CORRECTED, SYNDICATED, UPDATED, *SAME_COMPANY]
    st = group_stories(arts)

    class Plain:  # the core's stories without their groups: built a story at a time
        story_of = st.story_of
        members = st.members
        size = st.size
        stories = st.stories

    for ids in ([a.id for a in arts], [a.id for a in arts if a is not CORRECTED]):
        fast, slow = StorySnapshot.of(st, ids), StorySnapshot.of(Plain(), ids)
        assert fast.story_of == slow.story_of and fast.members == slow.members
        assert fast.rank == slow.rank and fast.count == slow.count
        assert any(len(m) >= 3 for m in fast.members.values())
    assert StorySnapshot.of(st, [a.id for a in arts]).story_of is st.groups()[0]


def _versions_corpus() -> list[Article]:
    """Forty stories of two to four versions (edits, cut leads, added paragraphs, marked
    corrections), short wire items, wordless ones, and lone articles, in no order."""
    rng = random.Random(2026)
    out: list[Article] = []
    for k in range(40):
        sents = story_text(500 + k)
        when = T0 + timedelta(days=k % 9, hours=k)
        title = f"Story {k}: {' '.join(sents[0].split()[:5])}"
        out.append(art(f"s{k}", title, sents, when))
        for v in range(rng.randint(1, 3)):
            kind = rng.choice(["edit", "cut", "more", "mark"])
            if kind == "edit":
                body_ = [*sents[:4], sentence(rng), *sents[5:]]
            elif kind == "cut":
                body_ = sents[2:]
            elif kind == "more":
                body_ = [*sents, *story_text(900 + k, 4)]
            else:
                body_ = [*sents[:7], sentence(rng), *sents[8:]]
            mark = "CORRECTED - " if kind == "mark" else ""
            out.append(art(f"s{k}v{v}", f"{mark}{title}", body_, when + timedelta(hours=v + 1)))
    for k in range(12):
        out.append(art(f"short{k}", f"Wire brief {k % 4}", [f"Prices at {k % 4} said."], T0))
    out += [art(f"empty{k}", "", []) for k in range(3)]
    out += [art(f"lone{k}", f"Lone item {k}", story_text(3000 + k), T0) for k in range(10)]
    rng.shuffle(out)
    # and last (the articles a test adds later), echoes: a few sentences of an earlier story
    # in other text, which share a band or two with it at most (candidates, rarely linked)
    for k in range(8):
        echo = [*story_text(500 + k)[: 2 + k % 3], *story_text(7000 + k, 10)]
        out.append(art(f"echo{k}", f"Echo {k}", echo, T0 + timedelta(days=k % 9)))
    out.append(art("empty-new", "", []))  # wordless: pairs with no other wordless one
    return out


def test_a_few_new_articles_pair_by_scanning_the_bands_as_the_band_index_pairs_them() -> None:
    """A handful of new articles in a big library are paired by scanning each band (no
    sorted index of every row's keys: seconds and GBs at a million): the same candidate
    pairs as the index gives, and the stories a cold build gives."""
    from newstui.core.stories import grouping

    arts = _versions_corpus()
    first, later = arts[:-20], arts[-20:]
    st = group_stories(first)
    for batch in (later[:1], later[1:8], later[8:20]):
        assert len(batch) <= grouping.FEW_NEW
        scanned = group_stories(first)  # the same state, paired the other way
        st.add(batch)
        # the index's way, on the same rows
        scanned._bands = None
        indexed = group_stories(first)
        indexed._band_index(len(first))  # built: the index path is taken
        for s in (scanned, indexed):
            s.add(batch)
        first = [*first, *batch]
        for s in (st, scanned, indexed):
            assert _groups(s, first) == _groups(group_stories(first), first)
    n0 = len(arts) - 20
    fresh = group_stories(arts[:n0])
    fresh.add(later[8:])  # (grouped again to compare the pairs themselves)
    probe = group_stories(arts[:n0])
    probe.ids.extend(a.id for a in later[8:])
    sk = grouping._sketch(later[8:], None)
    probe.sig = np.concatenate([probe.sig, sk.sig])
    probe.when = np.concatenate([probe.when, [a.published.timestamp() for a in later[8:]]])
    by_scan = probe._scanned_pairs(n0)
    probe._bands = None
    probe._band_index(n0)
    by_index = probe._incremental_pairs(n0)
    assert len(by_scan) and np.array_equal(by_scan, by_index)


def test_a_grouping_stopped_from_its_progress_writes_nothing(tmp_path: Path) -> None:
    """The app stops a long grouping (quitting at a million articles) by raising from the
    progress callback: it stops between steps, the stories file is left as it was, and the
    next load groups as if nothing happened."""
    arts = [ORIGINAL, CORRECTED, SYNDICATED, *SAME_COMPANY]
    load_stories([tmp_path], arts, cache_dir=tmp_path)
    path = stories_file_for([tmp_path], tmp_path)
    before = path.read_bytes()
    calls: list[tuple[int, int]] = []

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        calls.append((done, total))
        raise Stop

    with pytest.raises(Stop):
        load_stories([tmp_path], [*arts, UPDATED], cache_dir=tmp_path, progress=stop)
    assert calls  # asked between steps even for a small grouping
    assert path.read_bytes() == before
    every = [*arts, UPDATED]
    st = load_stories([tmp_path], every, cache_dir=tmp_path)
    assert _groups(st, every) == _groups(group_stories(every), every)


def test_stories_stopped_while_sketching_are_left_as_they_were() -> None:
    from newstui.core.stories import sketch

    st = group_stories([ORIGINAL, CORRECTED])
    before = (list(st.ids), st.sig.copy(), st.label.copy())
    many = [art(f"m{k}", f"Item {k}", story_text(k, 2)) for k in range(sketch.CHUNK + 10)]

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    changed = art("corr", "Something else entirely", story_text(55), CORRECTED.published)
    assert changed.id == CORRECTED.id  # held already: replaced, if the grouping went on
    with pytest.raises(KeyboardInterrupt):
        st.add([*many, changed], progress=stop)
    assert st.ids == before[0]
    assert np.array_equal(st.sig, before[1]) and np.array_equal(st.label, before[2])
    assert grouped(st, ORIGINAL, CORRECTED)


def test_stories_in_use_are_kept_as_they_are_when_nothing_changed(tmp_path: Path) -> None:
    """A reload of an unchanged library keeps the stories it has (nothing read, nothing
    written); with a change they are grouped from the file as before, and the ones in use
    are left untouched (the app still shows them meanwhile)."""
    arts = [ORIGINAL, CORRECTED, SYNDICATED, *SAME_COMPANY]
    in_use = load_stories([tmp_path], arts, cache_dir=tmp_path)
    path = stories_file_for([tmp_path], tmp_path)
    path.unlink()  # nothing to read: kept stories do not need it
    assert load_stories([tmp_path], arts, cache_dir=tmp_path, current=in_use) is in_use
    assert not path.exists()  # nor written
    ids, label = list(in_use.ids), in_use.label.copy()
    every = [*arts, UPDATED]
    regrouped = load_stories([tmp_path], every, cache_dir=tmp_path, current=in_use)
    assert regrouped is not in_use
    assert _groups(regrouped, every) == _groups(group_stories(every), every)
    assert in_use.ids == ids and np.array_equal(in_use.label, label)
    edited = art("corr", "Something else entirely", story_text(55), CORRECTED.published)
    changed = [ORIGINAL, edited, SYNDICATED, *SAME_COMPANY]  # same ids, a text changed
    assert load_stories([tmp_path], changed, cache_dir=tmp_path, current=in_use) is not in_use
