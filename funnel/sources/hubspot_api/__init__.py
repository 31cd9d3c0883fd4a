"""HubSpot's live API into the same raw tables as the export files (see `sync.sync_hubspot`)."""

from funnel.sources.hubspot_api.client import HubSpotError, RetryPolicy
from funnel.sources.hubspot_api.sync import SyncResult, sync_hubspot

__all__ = ["HubSpotError", "RetryPolicy", "SyncResult", "sync_hubspot"]
