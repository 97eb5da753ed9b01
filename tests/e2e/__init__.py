"""End-to-end tests: real venvs, real servers, real Bugsink, the CLI in subprocesses."""
