from tests.linking.conftest import site  # noqa: F401  (the live server pointed at the emulator)
