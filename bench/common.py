"""Helpers shared by the benchmarks: child processes with peak memory, the machine, the report."""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
REPORT = ROOT / "docs" / "performance.md"


@dataclass(frozen=True)
class Run:
    """One measured run: wall time and the peak memory of the process that did the work."""

    label: str
    seconds: float
    peak_mb: float
    detail: dict[str, object]


def run_child(label: str, code: str, *args: str) -> Run:
    """Run `code` in a fresh Python process; its last stdout line is a JSON detail object.

    Each contender runs in its own process so that its peak memory (ru_maxrss) is its own.
    """
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{label} failed:\n{proc.stderr[-3000:]}")
    # the engine may draw progress bars on stdout, the last one on the detail's line: the
    # detail is the JSON object that ends the last line holding one
    lines = [ln[ln.index("{") :] for ln in proc.stdout.splitlines() if "{" in ln]
    detail = json.loads(lines[-1]) if lines else {}
    peak_kb = float(detail.pop("peak_kb", 0))
    seconds = float(detail.pop("seconds", seconds))
    return Run(label, seconds, peak_kb / 1024, detail)


# The child's own peak resident memory, in kB: the high-water mark of its address space
# (VmHWM), which starts anew at exec. Linux carries `ru_maxrss` over from the parent that
# started the child, so a parent that built a store first made every child report its peak.
PEAK = """
def _peak():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""


def machine() -> str:
    """One line describing this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = re.findall(r"model name\s*:\s*(.*)", f.read())
        if names:
            cpu = names[0].strip()
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def load() -> str:
    """The machine's load average over 1, 5 and 15 minutes (other work running beside)."""
    try:
        with open("/proc/loadavg") as f:
            return ", ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def now() -> str:
    """The date and time of the run, UTC."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def record(section: str, body: str) -> None:
    """Replace (or add) one section of docs/performance.md, between its markers."""
    start, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Performance\n"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(text, encoding="utf-8")


def self_peak_kb() -> int:
    """Peak resident memory of this process, in KiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
