"""What activities need from the outside world, built once per worker."""

from dataclasses import dataclass, field

from notifications.smtp import SmtpConnections, SmtpSettings
from store.db import Pool


@dataclass(frozen=True)
class Deps:
    pool: Pool
    smtp: SmtpSettings
    base_url: str
    secret_key: str
    # The worker's e-mails share a few open connections instead of one each.
    smtp_connections: SmtpConnections = field(default_factory=SmtpConnections)

    def incident_url(self, incident_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/incidents/{incident_id}"
