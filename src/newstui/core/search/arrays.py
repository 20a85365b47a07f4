"""Small array helpers shared by the search modules."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

_G = TypeVar("_G", bound=np.generic)


def sorted_unique(a: npt.NDArray[_G]) -> npt.NDArray[_G]:
    """``np.unique(a)`` for integers, by sorting: numpy 2.4's hashing ``unique`` takes
    ~1.5 ms for 12,000 document ids where a sort takes ~0.1 ms."""
    if len(a) < 2:
        return a.copy()
    out = np.sort(a)
    keep = np.empty(len(out), np.bool_)
    keep[0] = True
    np.not_equal(out[1:], out[:-1], out=keep[1:])
    return out[keep]
