"""A real SMTP server on a free local port (aiosmtpd) that keeps what it receives."""

import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller


class Sink:
    """Keeps every message the SMTP server receives; slow enough that two runs overlap."""

    def __init__(self):
        self.received = []
        self.to = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        time.sleep(0.005)
        with self.lock:
            self.received.append(envelope.content.decode())
            self.to.extend(envelope.rcpt_tos)
        return "250 OK"

    def recipients(self) -> list[str]:
        return list(self.to)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(app):
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False, MAIL_USERNAME=""
    )
    yield handler
    controller.stop()
