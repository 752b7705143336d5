"""Logging: one rotating UTF-8 log file per data dir, scrubbed of secrets and buyer PII before it is written.

``setup_logging`` is called once per process by the composition roots (``fbm_desk.app`` for the GUI,
``fbm_desk.cli`` for headless commands). ``RedactingFilter`` / ``redact`` can also be used on their own, e.g.
to scrub text shown in an error dialog or put into a diagnostics export.

What is redacted (anywhere in the message, its ``%`` arguments, the exception traceback and stack info):
- Login with Amazon tokens (``Atza|…``, ``Atzr|…``, ``Atz.sprdt|…``, also URL-encoded as ``Atza%7C…``);
- LWA client secrets (``amzn1.oa2-cs.v1.…``) and values under secret keys (``client_secret``,
  ``refresh_token``, ``access_token``, ``x-amz-access-token``, ``spapi_oauth_code``, ``authorization``,
  ``password``, …) in query/form strings, JSON, Python reprs and headers;
- buyer PII: e-mail addresses, phone numbers, and values under keys naming a person or place (``name``,
  ``address``, ``buyer``, ``phone``, ``email``, ``ship_to``, ``postal``, ``city``, ``street``, …).
Amazon order ids (``123-1234567-1234567``), SKUs, ASINs and dates stay readable: they are needed to debug.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from fbm_desk.foundation.paths import AppPaths

LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUP_COUNT = 5
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s [%(threadName)s] %(message)s"
REDACTED = "[REDACTED]"

_HANDLER_MARK = "_fbm_desk_handler"

# Patterns

_TOKEN_CHARS = r"[A-Za-z0-9\-_+/=.%~]"  # noqa: S105 - a character class
# LWA access/refresh/restricted-data tokens; ``|`` may be URL-encoded as %7C.
_LWA_TOKEN = re.compile(r"Atz(?:[a-z]|\.sprdt)?(?:\||%7[Cc])" + _TOKEN_CHARS + "+")
_CLIENT_SECRET = re.compile(r"amzn1\.oa2-cs\.v1\.[A-Za-z0-9\-_.]+")
_BEARER = re.compile(r"(?i)\b(Bearer|Basic)\s+[A-Za-z0-9\-_+/=.~|%]+")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# Phones: international (+ and 7+ digits) or the common 3-3-4 layout. Amazon order ids (3-7-7) and ISO dates
# do not match because the surrounding characters must not be digits, letters or dashes.
_PHONE = re.compile(
    r"(?<![\w\-+])(?:"
    r"\+\d[\d\s().\-]{5,}\d"
    r"|\(?\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}"
    r")(?:\s*(?:ext\.?|x)\s*\d{1,6})?(?![\w\-])"
)

# Key names, not secrets:
_SECRET_KEYS = (
    r"client[_\-]?secret|refresh[_\-]?token|access[_\-]?token|x-amz-access-token|spapi_oauth_code"  # noqa: S105
    r"|authorization|password|passwd|secret|api[_\-]?key|id[_\-]?token|session[_\-]?token"
)
# Words that, inside a key, mean the value is about a person or where they live.
_PII_WORDS = (
    r"name|address|buyer|phone|email|e-mail|ship[_\-]?to|postal|zip|city|street|county|district|recipient"
)
# Keys containing a PII word that name things, not people (kept readable for debugging).
_PII_KEY_ALLOWLIST = frozenset(
    {
        "store_name",
        "storename",
        "filename",
        "file_name",
        "hostname",
        "host_name",
        "job_name",
        "jobname",
        "table_name",
        "column_name",
        "marketplace_name",
        "app_name",
        "logger_name",
        "thread_name",
        "threadname",
        "product_type_name",
        "warehouse_name",
        "carrier_name",
        "buyer_requested_cancel",
    }
)

_KEY_PREFIX = r"(?<![A-Za-z0-9_\-])(?P<kq>[\"']?)"
_KEY_SEP = r"(?P=kq)\s*[:=]\s*"
# A quoted value: "..." or '...' with backslash escapes.
_QUOTED = r"(?P<q>[\"'])(?P<qv>(?:\\.|(?!(?P=q)).)*)(?P=q)"

_SECRET_KV = re.compile(
    _KEY_PREFIX
    + r"(?P<key>(?i:"
    + _SECRET_KEYS
    + r"))"
    + _KEY_SEP
    + r"(?:"
    + _QUOTED
    + r"|(?P<uv>[^\s&,;\"'}\])]+))"
)
_PII_KV = re.compile(
    _KEY_PREFIX
    + r"(?P<key>(?i:[A-Za-z0-9_\-]*(?:"
    + _PII_WORDS
    + r")[A-Za-z0-9_\-]*))"
    + _KEY_SEP
    + r"(?:"
    + _QUOTED
    # Unquoted PII may hold spaces and commas ("ship_to=1 Main St, Seattle"): take everything up to a
    # delimiter or the next ``key=``.
    + r"|(?P<uv>(?:(?!\s+[A-Za-z_][\w\-]*\s*[=:])[^&;\n\"'{}\[\]()])+))"
)
# OAuth authorization codes travel as ``code=`` in query/form strings only (``?code=`` / ``&code=``).
_FORM_CODE = re.compile(r"(?<=[?&])(?P<key>code)=(?P<uv>[^&\s\"']+)")


def _replace_kv(match: re.Match[str]) -> str:
    key = match.group("key")
    if match.re is _PII_KV and key.lower() in _PII_KEY_ALLOWLIST:
        return match.group(0)
    value = match.group("qv") if match.group("qv") is not None else match.group("uv")
    if not value.strip() or value.startswith(REDACTED[:-1]):  # empty, or already scrubbed by a token pattern
        return match.group(0)
    start, end = match.span("qv") if match.group("qv") is not None else match.span("uv")
    whole_start = match.start()
    text = match.group(0)
    return text[: start - whole_start] + REDACTED + text[end - whole_start :]


def _replace_form_code(match: re.Match[str]) -> str:
    return f"{match.group('key')}={REDACTED}"


def redact(text: str) -> str:
    """Return ``text`` with tokens, secrets and buyer PII replaced by ``[REDACTED]``."""
    if not text:
        return text
    text = _LWA_TOKEN.sub(REDACTED, text)
    text = _CLIENT_SECRET.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _SECRET_KV.sub(_replace_kv, text)
    text = _FORM_CODE.sub(_replace_form_code, text)
    text = _PII_KV.sub(_replace_kv, text)
    text = _EMAIL.sub(REDACTED, text)
    text = _PHONE.sub(REDACTED, text)
    return text


def format_exception(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    """A traceback as text, already redacted (for dialogs and reports)."""
    return redact("".join(traceback.format_exception(*exc_info)).rstrip("\n"))


class RedactingFilter(logging.Filter):
    """Scrubs a record in place: formats message + args, redacts, clears args; same for exception/stack text.

    Attach it to *handlers* (filters on a logger do not see records propagated from child loggers).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record (or leak its args)
            message = f"{record.msg!s} (unformattable log arguments)"
        record.msg = redact(message)
        record.args = None
        # logging.Formatter prints a cached exc_text instead of re-rendering exc_info, so scrub that text.
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _install_excepthooks() -> None:
    """Log uncaught exceptions (main thread and worker threads) as bugs, with their traceback."""
    bug_log = logging.getLogger("fbm_desk.bug")

    def excepthook(
        exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:  # pragma: no cover - exercised through the GUI hook and subprocess runs
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        bug_log.critical("Uncaught exception", exc_info=(exc_type, exc, tb))

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "?"
        bug_log.critical(
            "Uncaught exception in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook


class _LogFileHandler(logging.handlers.RotatingFileHandler):
    """The log file; a write that fails (full disk) is noted once on stderr instead of a traceback per line."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:
        if not self.failed:
            self.failed = True
            sys.stderr.write(
                f"fbm-desk: note: the log file {self.baseFilename} cannot be written (disk full?)\n"
            )


def setup_logging(paths: AppPaths, *, verbose: bool = False, console: bool = False) -> Path | None:
    """Send all logging to ``paths.log_file`` (rotating, 5 × 2 MB, UTF-8), redacted; return the file's path.

    When the log file cannot be opened (read-only or full disk), nothing is logged to a file and the result is
    None (the caller says so). Calling it again (tests, a second data dir) replaces the handlers it installed.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
            handler.close()

    formatter = logging.Formatter(LOG_FORMAT)
    redactor = RedactingFilter()
    handlers: list[logging.Handler] = []
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            _LogFileHandler(
                paths.log_file, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUP_COUNT, encoding="utf-8"
            )
        )
    except OSError:
        pass
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    if not handlers:  # no log file, no console: say nothing (logging's last resort would print on stderr)
        handlers.append(logging.NullHandler())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redactor)
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)

    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Libraries that log request URLs/headers at DEBUG stay quiet unless asked for.
    for noisy in ("urllib3", "requests", "apscheduler", "keyring"):
        logging.getLogger(noisy).setLevel(logging.INFO if verbose else logging.WARNING)
    # peewee logs every SQL statement with its parameters (buyer names, addresses) at DEBUG: never enable it.
    logging.getLogger("peewee").setLevel(logging.INFO)
    _install_excepthooks()
    from fbm_desk import __version__

    if not any(isinstance(handler, _LogFileHandler) for handler in handlers):
        return None
    logging.getLogger(__name__).info("FBM Desk %s logging to %s", __version__, paths.log_file)
    return paths.log_file
