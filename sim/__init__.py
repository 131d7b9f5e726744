"""peninsula: an agent-based simulator of nuclear diplomacy on the Korean peninsula."""

__version__ = "0.1.0"
