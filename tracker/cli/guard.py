"""What the process prints, and what the environment can do to it.

* Text stored from PubMed may hold terminal escape sequences (ESC, and the C1
  controls, legal in XML and MEDLINE text): printed raw, a record could retitle,
  clear or rewrite the user's terminal. stdout and stderr are wrapped so every such
  character is written as a visible `\\u001b` escape, whatever command prints it (find,
  sql, search, export to stdout, JSON: inside a JSON string the escape is valid JSON
  and decodes to the same character). Tab, newline and carriage return pass.
* The environment (a read-only folder, a terminal that cannot encode the text, a
  closed pipe) ends in one line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Callable
from typing import Any

from tracker.unattended.lock import LockUnavailable

EXIT_USAGE = 2
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def neutralise(text: str) -> str:
    """`text` with every control character but tab, newline and CR made visible."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class _SafeText(io.TextIOWrapper):
    def write(self, text: str) -> int:
        super().write(neutralise(text))
        return len(text)


def _wrapped(stream: Any) -> Any:
    if not isinstance(stream, io.TextIOWrapper) or isinstance(stream, _SafeText):
        return stream
    stream.flush()
    safe = _SafeText(
        stream.buffer,
        encoding=stream.encoding,
        errors=stream.errors,
        newline=None,
        line_buffering=stream.line_buffering,
        write_through=True,
    )
    stream.detach()
    return safe


def install_safe_output() -> None:
    sys.stdout = _wrapped(sys.stdout)
    sys.stderr = _wrapped(sys.stderr)


def run_guarded(main: Callable[[], Any]) -> None:
    """Run the command line; the environment's failures become one line."""
    try:
        main()
    except UnicodeEncodeError as exc:
        _die(
            f"the output holds {exc.object[exc.start : exc.end]!a}, which this terminal's "
            f"encoding ({exc.encoding}) cannot show; set PYTHONIOENCODING=utf-8 (or a UTF-8 "
            "LANG), or write to a file with --out"
        )
    except BrokenPipeError:  # `tracker find x | head`: the reader left; not an error
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the final flush
        raise SystemExit(0) from None
    except LockUnavailable as exc:
        _die(str(exc))
    except PermissionError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        _die(f"permission denied:{where} ({exc.strerror}); run from a folder you can write "
             "to, or set --db/--reports to one")  # fmt: skip
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _die(f"{where}{exc.strerror or exc}")


def _die(message: str) -> None:
    try:
        sys.stderr.write(f"tracker: error: {message}\n")
        sys.stderr.flush()
    except (OSError, UnicodeEncodeError):
        pass
    raise SystemExit(EXIT_USAGE)
