"""What activities need from the outside world, built once per worker."""

from dataclasses import dataclass

from notifications.smtp import SmtpSettings
from store.db import Pool


@dataclass(frozen=True)
class Deps:
    pool: Pool
    smtp: SmtpSettings
    base_url: str
    secret_key: str

    def incident_url(self, incident_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/incidents/{incident_id}"
