"""`python -m bench [NAME ...]`: run the benchmarks (all by default) and record them."""

from __future__ import annotations

import sys

from bench import (
    demo_bench,
    engines_bench,
    forecast_bench,
    import_bench,
    scorecard_bench,
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
}


def main(argv: list[str]) -> None:
    """Run the named benchmarks, or all of them."""
    names = argv or list(BENCHES)
    for name in names:
        if name not in BENCHES:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
        print(f"== {name}")
        BENCHES[name]()
    print("Figures recorded in docs/performance.md")


if __name__ == "__main__":
    main(sys.argv[1:])
