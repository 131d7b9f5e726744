#!/usr/bin/env python3
"""Command line of the simulator: ``python run_sim.py --help``."""

from sim.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
