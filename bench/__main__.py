"""`python -m bench [NAME ...]`: run the benchmarks (all by default) and record them.

`python -m bench web --after-write [--large]`: the dashboard's routes asked right after a write
(see `bench.web_after_write`), on the 10M store (and the 50M one with `--large`)."""

from __future__ import annotations

import sys

from bench import (
    demo_bench,
    engines_bench,
    forecast_bench,
    import_bench,
    rollups_bench,
    scorecard_bench,
    web_after_write,
    web_bench,
)

BENCHES = {
    "demo": demo_bench.run,
    "import": import_bench.run,
    "import-rejects": import_bench.run_rejects,
    "scorecard": scorecard_bench.run,
    "engines": engines_bench.run,
    "forecast": forecast_bench.run,
    "web": web_bench.run,
    "rollups": rollups_bench.run,
}


def main(argv: list[str]) -> None:
    """Run the named benchmarks, or all of them."""
    if argv[:2] == ["web", "--after-write"]:
        rest = argv[2:]
        if rest not in ([], ["--large"]):
            raise SystemExit("usage: python -m bench web --after-write [--large]")
        web_after_write.run(large=bool(rest))
        print("Figures recorded in docs/performance.md")
        return
    names = argv or list(BENCHES)
    for name in names:
        if name not in BENCHES:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
        print(f"== {name}")
        BENCHES[name]()
    print("Figures recorded in docs/performance.md")


if __name__ == "__main__":
    main(sys.argv[1:])
