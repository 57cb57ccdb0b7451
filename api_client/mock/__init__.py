"""The mock registry server: the same contract as the national API, with synthetic people.

In process through `httpx.ASGITransport` (`vaxterm --mock`, tests) or over uvicorn
(`vaxterm mock-server`, a training room).
"""

from api_client.mock.app import create_app
from api_client.mock.clock import IST, FixedClock, SystemClock
from api_client.mock.registry import MockConfig, Registry

__all__ = ["IST", "FixedClock", "MockConfig", "Registry", "SystemClock", "create_app"]
