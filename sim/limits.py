"""The documented bounds on what a command accepts, in one place (README, "Errors")."""

MAX_REPS = 1_000_000
"""The most replications any command runs per scenario or per sweep point (a model holds every
replica in memory at once; a million take a few hundred MB)."""

MAX_SEED = 2**32 - 1
"""Seeds are whole numbers from 0 to 2**32 - 1 (what SALib's samplers accept too)."""

MAX_WORKERS = 512
"""The most local worker processes a sweep starts."""

MAX_FILE_BYTES = 1_000_000
"""The largest scenario or sweep-spec file read (the shipped ones are under 10 kB)."""

MAX_DEPTH = 32
"""The deepest nesting of mappings and lists in a YAML file."""

MAX_NODES = 100_000
"""The most values a YAML file may hold once its aliases are expanded."""

MAX_NUMBER = 1e9
"""The largest magnitude of a number in a scenario, a what-if or a sweep spec."""
