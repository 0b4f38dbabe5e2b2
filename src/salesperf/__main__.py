"""`python -m salesperf` runs the command line."""

from salesperf.cli import main

main()
