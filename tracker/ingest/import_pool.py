"""Parse workers for `tracker import`: pieces of a file in, encoded rows out, in order.

Each worker is `python -m tracker.ingest.import_worker`, fed through its stdin and answering
on its stdout (length-prefixed pickles). Plain pipes rather than multiprocessing: no
semaphores, so no resource-tracker process (~13 MB); the worker imports only what it
needs, not the program that started it; and a worker whose parent dies sees end of
input and exits by itself, so an import killed outright leaves nothing running.

Pieces go round-robin, at most eight per worker in flight (a few MB), and results are read back
in the same order, so batches reach the writer in file order. Each worker has a
feeder thread writing its pieces, so the main thread never blocks writing to a
worker that is itself blocked writing a result nobody reads yet.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from tracker.ingest.import_worker import Encoded, receive, send
from tracker.pubmed.split import Piece
from tracker.pubmed.stream import PubmedParseError

_IN_FLIGHT_PER_WORKER = 8
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])


class WorkerFailed(RuntimeError):
    """A worker died or failed in a way that is not about the file's content."""


class _Worker:
    def __init__(self, label: str, now: str) -> None:
        env = dict(os.environ)
        # the same tracker package as this process, installed or not
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PACKAGE_PARENT, env.get("PYTHONPATH")]))
        try:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "tracker.ingest.import_worker", label, now],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
        except OSError as exc:
            raise WorkerFailed(f"cannot start a parse worker: {exc}") from None
        self._pieces: queue.Queue[Piece | None] = queue.Queue()
        self._feeder = threading.Thread(target=self._feed, name="import-feeder", daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        with contextlib.suppress(OSError):  # a worker gone: reading its result says why
            while (piece := self._pieces.get()) is not None:
                send(stdin, piece)
        with contextlib.suppress(OSError):
            stdin.close()  # end of input: the worker exits

    def submit(self, piece: Piece) -> None:
        self._pieces.put(piece)

    def result(self) -> list[Encoded]:
        assert self.proc.stdout is not None
        try:
            kind, value = receive(self.proc.stdout)
        except EOFError:
            code = self.proc.wait()
            raise WorkerFailed(f"a parse worker stopped unexpectedly (exit code {code})") from None
        if kind == "parse-error":
            raise PubmedParseError(value)
        if kind != "ok":
            raise WorkerFailed(f"a parse worker failed: {value}")
        return value

    def stop(self) -> None:
        self._pieces.put(None)
        if self.proc.stdout is not None:
            self.proc.stdout.close()  # a worker still writing gets EPIPE and exits
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def encode_in_workers(
    pieces: Iterable[Piece], label: str, now: str, workers: int
) -> Iterator[Encoded]:
    """Every piece's batches, in file order, parsed by `workers` processes."""
    pool: list[_Worker] = []
    pending: deque[_Worker] = deque()
    try:
        pool.extend(_Worker(label, now) for _ in range(workers))
        for index, piece in enumerate(pieces):
            if len(pending) >= _IN_FLIGHT_PER_WORKER * workers:
                yield from pending.popleft().result()
            worker = pool[index % workers]
            worker.submit(piece)
            pending.append(worker)
        while pending:
            yield from pending.popleft().result()
    finally:
        for worker in pool:
            worker.stop()
