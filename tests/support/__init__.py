"""Test-support layer: real wheels, real pip, real virtual environments.

Why: bootguard's job is to read what an installer really left on disk, so its tests
build tiny wheels by hand (:mod:`tests.support.wheels`), install them with real pip into
real throwaway venvs (:mod:`tests.support.venvs`), and share one standard catalogue of
distributions (:mod:`tests.support.wheelhouse`).  Nothing is mocked and nothing touches
the network.
"""

from __future__ import annotations

__all__: list[str] = []
