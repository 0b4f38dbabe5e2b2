"""`python -m salesperf` runs the command line."""

from salesperf.cli.app import main

main()
