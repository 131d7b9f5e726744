"""The one exception type that ends a command with a one-line message and exit status 2."""


class UserError(Exception):
    """Bad input from the user: a scenario, a what-if, a flag. Told in one line."""


def printable(text: str) -> str:
    """``text`` with line breaks and other unprintable characters escaped, so it stays one line."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
