"""The command line: `cli.app` declares it, with one module per command beside it."""
