"""The version of pyverify (pyproject.toml and every generated module name it)."""

__version__ = "0.1.0"
