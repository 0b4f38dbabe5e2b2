"""The analysis commands of the command line, one module each; `salesperf.cli` registers them."""
