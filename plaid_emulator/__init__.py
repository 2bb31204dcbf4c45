"""A faithful local emulation of Plaid's HTTP API, signed webhooks and Link (see docs/emulator.md).

Standalone: depends on the standard library, PyJWT and cryptography, never on Django.
"""

__all__ = ["EmulatorServer"]


def __getattr__(name):
    # Lazy, so `python -m plaid_emulator` and the pytest plugin import only what they use.
    if name == "EmulatorServer":
        from .server import EmulatorServer

        return EmulatorServer
    raise AttributeError(name)
