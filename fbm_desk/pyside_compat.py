"""Work around a PySide6 6.12 reference-count bug on CPython 3.11 (call once, before Qt is used).

PySide6 6.12 returns ``None`` from C++ methods without a return value (``setText``, ``beginResetModel``,
``processEvents``, ...) and from Python ``data()`` overrides returning ``None`` without taking a new
reference: every call drops one reference of ``None``. On CPython ≥ 3.12 ``None`` is immortal (PEP 683), so
this is harmless there; on 3.11 the count reaches zero after some ten thousand calls and the interpreter
aborts with "Fatal Python error: none_dealloc: deallocating None" — a GUI session dies within minutes.

``protect_none_refcount`` gives ``None`` the effect of immortality on older CPythons by adding 2**56
references (``None`` is never freed anyway). It is a no-op on 3.12+, on other interpreters and with a
PySide6 older than 6.12 (pyproject.toml pins ``<6.12``; 6.12 also leaks ``True`` per ``Signal.emit``, which
this does not cover — the pin is the real fix, this guard only keeps a stray 6.12 install from aborting).
"""

from __future__ import annotations

import sys

_EXTRA_REFERENCES = 1 << 56
_done = False


def _affected_pyside() -> bool:
    from importlib import metadata

    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
        parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
        return parts >= (6, 12)
    return False


def protect_none_refcount() -> bool:
    """Returns True when the protection was applied (now or before)."""
    global _done
    if _done:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython" or not _affected_pyside():
        return False
    import ctypes

    # ob_refcnt is the first field of every PyObject (a Py_ssize_t) in release builds.
    ctypes.c_ssize_t.from_address(id(None)).value += _EXTRA_REFERENCES
    _done = True
    return True
