"""One module per command of the command line; see ``sim/cli.py``."""
