"""The cyclic garbage collector and large loads.

Loading a bundle creates millions of long-lived objects (spans, messages, their dicts and lists)
and no reference cycles. While they are being created, each generation-2 collection rescans the
whole growing heap; once they are loaded, every later full collection rescans them again, though
none of them can ever be cyclic garbage. Plain reference counting still frees them either way.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the block with the cyclic GC off (restored as it was: nesting is fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def keep_out_of_collections() -> None:
    """Move every object alive now out of the GC's reach (`gc.freeze`): a loaded bundle is not
    rescanned while it is drafted (at 100k spans a rescan took about 2 s). `release()` undoes it."""
    gc.freeze()


def release() -> None:
    """Hand frozen objects back to the collector (after a bundle is dropped), so any cycle among
    them can be collected again."""
    gc.unfreeze()
