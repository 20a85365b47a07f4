"""The Textual-free core of newstui: model, loaders, library scan, search, state.

Nothing under ``newstui.core`` may import Textual (``tests/unit/test_architecture.py``
enforces it), so the CLI, the TUI, tests and benchmarks can all use it.
"""
