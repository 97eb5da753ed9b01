"""The documentation sources; a package only so the tests and mypy can import ``docs.hooks``."""
