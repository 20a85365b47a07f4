"""Stories: the versions of one story grouped (corrections, updates, syndicated copies),
related articles, and what changed between two versions.

- :mod:`.sketch` word shingles and their one-permutation MinHash sketches;
- :mod:`.grouping` :class:`Stories` (``story_of``, ``members``, ``size``, ``stories``,
  incremental ``add``/``remove``) and :func:`group_stories`;
- :mod:`.related` :func:`related`, more-like-this over the search index;
- :mod:`.diff` :func:`diff_versions`, sentence runs kept / added / removed;
- :mod:`.store` the stories' warm-start cache file and :func:`load_stories`.

Pure Python and numpy (no Textual): the app runs these in worker threads.
"""

from __future__ import annotations

from newstui.core.stories.diff import DiffRun, diff_versions
from newstui.core.stories.grouping import GroupingParams, Stories, group_stories
from newstui.core.stories.related import related

__all__ = ["DiffRun", "GroupingParams", "Stories", "diff_versions", "group_stories", "related"]
