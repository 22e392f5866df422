"""The one place that talks to Stripe, with the official `stripe` library.

Checkout Sessions, not Stripe.js: the portal serves no third-party script (no CDN, and the
Content Security Policy allows scripts from this site only), and Stripe's hosted page offers
card, Alipay and WeChat Pay in the borrower's language.
"""

from __future__ import annotations

from dataclasses import dataclass

import stripe

TIMEOUT_SECONDS = 10
# Stripe's hosted pages in the borrower's language.
STRIPE_LOCALES = {"zh_Hans": "zh", "zh_Hant": "zh-HK", "en": "en"}


class GatewayUnavailable(Exception):
    """Stripe did not answer in time or could not be reached: the payment stays pending."""


class GatewayRefused(Exception):
    """Stripe refused the request (a bad key, an unsupported method, ...)."""


@dataclass(frozen=True)
class Checkout:
    session_id: str
    url: str
    payment_intent_id: str | None


@dataclass(frozen=True)
class PaymentState:
    """What Stripe says about a payment now."""

    payment_intent_id: str | None
    status: str  # succeeded, processing, failed, canceled, open
    amount_received: int
    refunded: bool
    method: str | None = None


class StripeGateway:
    def __init__(
        self,
        secret_key: str,
        *,
        api_base: str | None = None,
        payment_methods: tuple[str, ...] = ("card",),
    ):
        addresses = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses=addresses,
            max_network_retries=1,
            http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        )
        self.payment_methods = payment_methods

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except stripe.APIConnectionError as error:
            raise GatewayUnavailable(str(error)) from error
        except stripe.StripeError as error:
            raise GatewayRefused(str(error)) from error

    def create_checkout(
        self,
        *,
        payment_id: int,
        amount: int,
        currency: str,
        description: str,
        language: str,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
    ) -> Checkout:
        """A Checkout Session for one payment; the idempotency key makes retries safe."""
        params = {
            "mode": "payment",
            "payment_method_types": list(self.payment_methods),
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": amount,
                        "product_data": {"name": description},
                    },
                }
            ],
            "locale": STRIPE_LOCALES.get(language, "auto"),
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": str(payment_id),
            "metadata": {"payment_id": str(payment_id)},
            "payment_intent_data": {"metadata": {"payment_id": str(payment_id)}},
        }
        if "wechat_pay" in self.payment_methods:
            params["payment_method_options"] = {"wechat_pay": {"client": "web"}}
        session = self._call(
            self.client.v1.checkout.sessions.create,
            params=params,
            options={"idempotency_key": idempotency_key},
        ).to_dict()
        return Checkout(session["id"], session["url"], _id_of(session.get("payment_intent")))

    def create_confirmed_intent(
        self,
        *,
        payment_id: int,
        amount: int,
        currency: str,
        payment_method: str,
        idempotency_key: str,
    ) -> str:
        """A PaymentIntent confirmed on the server with a saved or test payment method."""
        intent = self._call(
            self.client.v1.payment_intents.create,
            params={
                "amount": amount,
                "currency": currency.lower(),
                "payment_method": payment_method,
                "confirm": True,
                "metadata": {"payment_id": str(payment_id)},
            },
            options={"idempotency_key": idempotency_key},
        )
        return intent.id

    def payment_state(
        self, *, payment_intent_id: str | None = None, checkout_session_id: str | None = None
    ) -> PaymentState:
        """Ask Stripe where a payment stands (by its PaymentIntent, or its Checkout Session)."""
        if payment_intent_id is None and checkout_session_id:
            session = self._call(
                self.client.v1.checkout.sessions.retrieve, checkout_session_id
            ).to_dict()
            payment_intent_id = _id_of(session.get("payment_intent"))
            if payment_intent_id is None:
                status = "canceled" if session.get("status") == "expired" else "open"
                return PaymentState(None, status, 0, False)
        intent = self._call(
            self.client.v1.payment_intents.retrieve,
            payment_intent_id,
            params={"expand": ["payment_method"]},
        )
        return state_of_intent(intent.to_dict())


def state_of_intent(intent) -> PaymentState:
    status = intent.get("status")
    if status == "succeeded":
        state = "succeeded"
    elif status in ("canceled",):
        state = "canceled"
    elif status == "requires_payment_method" and intent.get("last_payment_error"):
        state = "failed"
    elif status == "processing":
        state = "processing"
    else:
        state = "open"
    received = intent.get("amount_received") or (
        intent.get("amount") if state == "succeeded" else 0
    )
    return PaymentState(intent.get("id"), state, int(received or 0), False, method_of(intent))


def method_of(obj) -> str | None:
    """How a PaymentIntent, a Checkout Session or a Charge was paid (card, alipay,
    wechat_pay), when the object says: its expanded payment method, its charge's details, or
    the only method it allowed. None when it does not say."""
    method = obj.get("payment_method")
    if isinstance(method, dict) and method.get("type"):
        return str(method["type"])
    charge = obj.get("latest_charge")
    details = (charge if isinstance(charge, dict) else obj).get("payment_method_details")
    if isinstance(details, dict) and details.get("type"):
        return str(details["type"])
    allowed = obj.get("payment_method_types")
    if isinstance(allowed, list) and len(allowed) == 1:
        return str(allowed[0])
    return None


def _id_of(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.get("id")


def verify_event(payload: bytes, signature: str, secret: str, tolerance: int = 300):
    """The event in a webhook delivery, or ValueError when it is not a genuine, fresh one."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=tolerance)
        return event.to_dict()
    except stripe.SignatureVerificationError as error:
        raise ValueError(f"bad signature: {error}") from error
    except ValueError as error:
        raise ValueError(f"malformed payload: {error}") from error
