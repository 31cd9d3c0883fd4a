"""A local HubSpot serving a generated company in the API's own shapes, with faults on demand.

The connector's tests and bench/hubspot_api.py run the real client against it. It shares no
code with the connector (not even timestamp parsing), so a parsing bug cannot hide on both sides.
"""

from .portal import Company
from .server import Faults, HubSpotServer

__all__ = ["Company", "Faults", "HubSpotServer"]
