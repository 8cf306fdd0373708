"""How far a long step is: the library reports, the CLI draws (or not).

A long step of the library (validating, importing, building) takes an
optional ``progress`` callback, a :data:`Progress`, and calls it with the
number of items done and the total (files checked, records imported, pages
written). The library never draws anything; ``tthc`` draws a progress bar on
a terminal and nothing otherwise (``generator/cli.py:progress_bar``).
"""

from __future__ import annotations

from typing import Callable

#: ``progress(done, total)``: ``done`` of ``total`` items finished (both counts, ``0 <= done <= total``).
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """The callback that reports nothing (the default of every long step)."""
