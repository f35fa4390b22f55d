"""The one exception type pyverify raises for bad input or impossible requests."""


class PyVerifyError(Exception):
    """A user-facing error: the message is one clear line, printed by the CLI without a traceback."""
