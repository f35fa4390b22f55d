"""pyverify: machine-checked accuracy bounds for max-of-K transformers."""

__version__ = "0.1.0"
