"""Resource limits checked before allocating: an impossible request fails with one line.

Every command estimates its peak memory before it allocates; above ``memory_limit()`` it
refuses (``--force`` overrides time estimates, never this). The limit is half the machine's
physical memory, or ``PYVERIFY_MEMORY_GB`` gibibytes when that variable is set.
"""

from __future__ import annotations

import os

from pyverify.errors import PyVerifyError

GIB = 1 << 30
MEMORY_ENV = "PYVERIFY_MEMORY_GB"
# Above this estimate (seconds), long work must be asked for with --force (force=True).
MAX_SECONDS_WITHOUT_FORCE = 600.0


def memory_limit() -> int:
    """The largest peak memory (bytes) a command may plan for."""
    value = os.environ.get(MEMORY_ENV)
    if value is not None:
        try:
            gib = float(value)
        except ValueError:
            raise PyVerifyError(f"{MEMORY_ENV} must be a number of GiB, got {value!r}") from None
        if not gib > 0:
            raise PyVerifyError(f"{MEMORY_ENV} must be positive, got {value!r}")
        return int(gib * GIB)
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = 16 * GIB
    return physical // 2


def require_memory(what: str, nbytes: float) -> None:
    """Refuse, before allocating, work whose peak memory estimate exceeds the limit."""
    limit = memory_limit()
    if nbytes > limit:
        raise PyVerifyError(f"{what} needs about {nbytes / GIB:,.1f} GiB of memory, over the limit of "
                            f"{limit / GIB:,.1f} GiB (set {MEMORY_ENV} to change the limit)")


def require_time(what: str, seconds: float, force: bool) -> None:
    """Refuse work estimated to take longer than MAX_SECONDS_WITHOUT_FORCE unless forced."""
    if seconds > MAX_SECONDS_WITHOUT_FORCE and not force:
        raise PyVerifyError(f"{what} would take about {_duration(seconds)}; pass --force (force=True) "
                            "to run it anyway")


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 3:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:,.0f} days"
