from tests.loans.test_pages import overdue_borrower  # noqa: F401  (shared fixture)
from tests.payments.conftest import fake_gateway, owing  # noqa: F401  (shared fixtures)
