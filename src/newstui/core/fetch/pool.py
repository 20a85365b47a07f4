"""A small thread pool of daemon threads.

``concurrent.futures.ThreadPoolExecutor`` joins its workers at interpreter exit, so a
worker still waiting on a slow server after a cancelled fetch would hold up quitting the
app until its request times out. These workers are daemon threads: an abandoned request
never delays exit (every file write is atomic, and leftover temp files are removed by the
next run).
"""

from __future__ import annotations

import concurrent.futures as cf
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_Item = tuple["cf.Future[Any]", Callable[..., Any], tuple[Any, ...]] | None


class DaemonPool:
    def __init__(self, workers: int, name: str) -> None:
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._threads = [
            threading.Thread(target=self._work, name=f"{name}_{n}", daemon=True)
            for n in range(max(1, workers))
        ]
        for thread in self._threads:
            thread.start()
        self._closed = False

    def submit(self, fn: Callable[..., T], *args: Any) -> cf.Future[T]:
        if self._closed:
            raise RuntimeError("pool is shut down")
        fut: cf.Future[T] = cf.Future()
        self._queue.put((fut, fn, args))
        return fut

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            fut, fn, args = item
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args)
            except BaseException as exc:  # handed to whoever waits on the future
                fut.set_exception(exc)
            else:
                fut.set_result(result)

    def shutdown(self, *, wait: bool, cancel_futures: bool = True) -> None:
        if self._closed:
            return
        self._closed = True
        if cancel_futures:
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[0].cancel()
        for _ in self._threads:
            self._queue.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
