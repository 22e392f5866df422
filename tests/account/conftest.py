from tests.payments.conftest import fake_gateway, owing  # noqa: F401  (shared fixtures)
