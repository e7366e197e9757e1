"""The one exception base: an error the user sees as one line and an exit code.

Every user-facing error in the tracker subclasses TrackerError, so the command line
catches one type (tracker/cli/app.py) instead of a list per command. The exit codes are
the README's ("Exit codes"); cron and systemd act on them.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_RUN_FAILED = 1  # NCBI unreachable, the disk, a damaged database
EXIT_USAGE = 2  # a bad saved search, option or setting (also click's own code)
EXIT_LOCKED = 3  # another tracker process holds the database


class TrackerError(Exception):
    """Base of the errors a user sees. ``str(exc)`` is the line; ``exit_code`` the code.

    Subclasses set ``exit_code`` for their kind; one raise site may override it with
    ``TrackerError(message, exit_code=...)``.
    """

    exit_code: int = EXIT_RUN_FAILED

    def __init__(self, *args: object, exit_code: int | None = None) -> None:
        super().__init__(*args)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def line(self) -> str:
        """What the user reads (messages are built as one line; a traceback never shows)."""
        return str(self)


class UsageError(TrackerError):
    """A mistake the user can fix (a saved search, an option, a setting): exit 2."""

    exit_code = EXIT_USAGE


class RunFailure(TrackerError):
    """Something outside the user's control failed (NCBI, the disk): exit 1."""

    exit_code = EXIT_RUN_FAILED


class BusyError(TrackerError):
    """Another tracker process holds the database: exit 3."""

    exit_code = EXIT_LOCKED
