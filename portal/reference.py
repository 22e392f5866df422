"""Reference data every database needs, created by the migrations and restorable here."""

from portal.complaints.service import ensure_complaint_routes
from portal.holidays.service import ensure_calendar
from portal.loans.service import ensure_loan_reference_data
from portal.plans.service import ensure_plan_rules
from portal.promises.service import ensure_promise_rules


def ensure_reference_data() -> None:
    """The default stage ladder, contact rules, plan rules, complaint routes and business
    calendar, if missing."""
    ensure_loan_reference_data()
    ensure_plan_rules()
    ensure_complaint_routes()
    ensure_calendar()
    ensure_promise_rules()
