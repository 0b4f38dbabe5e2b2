"""Excel exports made in the background: each job writes its file in a thread of its own and
counts the rows written, for the exports page to show; only the user who started a job sees
it, and a finished job is forgotten (its file deleted) after a while."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesperf.errors import InputError, NotFound, SalesperfError, log_bug
from salesperf.i18n.messages import t

log = logging.getLogger(__name__)

#: Seconds a finished job (and its file) is kept.
KEEP_SECONDS = 3600.0
#: Jobs one user may have running at once.
RUNNING_PER_USER = 2

#: What a job runs: it writes the file at the path, telling the function the rows written.
Work = Callable[[Path, Callable[[int], None]], None]


@dataclass
class Job:
    """One export being written, or written."""

    id: str
    owner: str  # the user who started it
    file_name: str  # the download's name
    total: int  # rows to write
    path: Path
    written: int = 0
    state: str = "running"  # running, done or failed
    error: str = ""
    finished: float | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def to_json(self) -> dict[str, Any]:
        """The job as the progress route shows it."""
        return {
            "id": self.id,
            "state": self.state,
            "written": self.written,
            "total": self.total,
            "file": self.file_name,
            "download": f"/export/jobs/{self.id}/file" if self.state == "done" else None,
            "error": self.error or None,
        }


class ExportJobs:
    """The server's export jobs, by id, each visible to its owner only."""

    def __init__(
        self,
        folder: Callable[[], Path],
        keep_seconds: float = KEEP_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._folder = folder
        self.keep_seconds = keep_seconds
        self._clock = clock
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, owner: str, file_name: str, total: int, work: Work) -> Job:
        """Start writing a file for `owner` in a thread of its own."""
        self.clean()
        with self._lock:
            running = [j for j in self._jobs.values() if j.owner == owner and not j.done.is_set()]
            if len(running) >= RUNNING_PER_USER:
                raise InputError(
                    f"{len(running)} of your exports are still being written; "
                    "wait for one to finish"
                )
            folder = self._folder() / "exports"
            folder.mkdir(parents=True, exist_ok=True)
            job_id = secrets.token_urlsafe(16)
            job = Job(job_id, owner, file_name, total, folder / f"{job_id}.xlsx")
            self._jobs[job_id] = job
        threading.Thread(target=self._run, args=(job, work), daemon=True).start()
        return job

    def _run(self, job: Job, work: Work) -> None:
        def progress(rows: int) -> None:
            job.written = rows

        try:
            work(job.path, progress)
            job.state = "done"
        except SalesperfError as exc:
            job.state, job.error = "failed", str(exc)
        except Exception as exc:  # a bug: logged with an id the user can quote
            error_id = log_bug(exc, f"export job {job.id}")
            job.state, job.error = "failed", t("error.internal", "en", id=error_id)
        finally:
            job.finished = self._clock()
            job.done.set()

    def get(self, owner: str, job_id: str) -> Job:
        """The job `job_id` of `owner`; NotFound for any other (someone else's is not shown)."""
        self.clean()
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or not secrets.compare_digest(job.owner, owner):
            raise NotFound("there is no such export; it may have expired")
        return job

    def clean(self) -> None:
        """Forget the jobs finished more than `keep_seconds` ago and delete their files."""
        now = self._clock()
        with self._lock:
            old = [
                j for j in self._jobs.values()
                if j.finished is not None and now - j.finished > self.keep_seconds
            ]  # fmt: skip
            for j in old:
                del self._jobs[j.id]
        for j in old:
            j.path.unlink(missing_ok=True)

    def close(self) -> None:
        """Wait for the running jobs and delete every file."""
        with self._lock:
            jobs, self._jobs = list(self._jobs.values()), {}
        for j in jobs:
            j.done.wait()
            j.path.unlink(missing_ok=True)
