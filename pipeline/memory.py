"""Memory that follows what is live, for the build's processes and the app's server.

Arrow's default allocator (mimalloc) keeps what it frees, and glibc's malloc raises its mmap
threshold to the largest block freed so far (up to 32 MB), so the arrays one stage (or one rerun)
frees stay in heaps the next only partly reuses. Each process calls `return_freed_memory` with the
threshold that suits it; `trim_heap` hands back the free pages left between live blocks.
"""
from __future__ import annotations

import ctypes
import os
import platform

import pyarrow as pa

_M_MMAP_THRESHOLD = -3  # malloc.h


def return_freed_memory(mmap_threshold: int) -> None:
    """The system allocator for Arrow (here, and through ARROW_DEFAULT_MEMORY_POOL in the processes started
    afterwards, read when they import pyarrow), and glibc's mmap threshold fixed at `mmap_threshold` bytes:
    blocks from that size are mapped on their own and go back to the system when freed. No effect off glibc."""
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    pa.set_memory_pool(pa.system_memory_pool())
    if platform.libc_ver()[0] == "glibc":
        ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, mmap_threshold)


def trim_heap() -> None:
    """Hand the free pages inside glibc's heaps back to the system (malloc_trim(3)); nothing off glibc.

    Blocks under the mmap threshold that a stage leaves free sit between live ones, where malloc
    cannot return them by itself."""
    if platform.libc_ver()[0] == "glibc":
        ctypes.CDLL("libc.so.6").malloc_trim(0)
