"""What the API process holds: settings, the database pool, the Temporal client, the mailbox."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from temporalio.client import Client

from notifications.catcher import MailCatcher
from notifications.smtp import SmtpSettings
from regie.service import IncidentService
from regie.settings import Settings
from store.db import Pool, open_pool


@dataclass
class Runtime:
    settings: Settings
    pool: Pool
    temporal: Client
    smtp: SmtpSettings
    # Only under `regie dev` (and in tests): the SMTP catcher whose mail /dev/mail shows.
    mail_catcher: MailCatcher | None = None
    # The service's own connections. A request holds one connection of `pool` while it calls
    # the service, which takes another; from the same pool, as many concurrent requests as
    # the pool has connections would each hold one and wait for a second until PoolTimeout.
    service_pool: Pool | None = None

    @property
    def service(self) -> IncidentService:
        return IncidentService(
            pool=self.service_pool or self.pool,
            temporal=self.temporal,
            task_queue=self.settings.task_queue,
        )


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, mail_catcher: MailCatcher | None = None
) -> AsyncIterator[Runtime]:
    """Connect to the servers the settings name; fail with a message saying which is missing."""
    from regie.temporal import connect

    missing = [
        name
        for name, value in (
            ("DATABASE_URL", settings.database_url),
            ("TEMPORAL_ADDRESS", settings.temporal_address),
            ("SMTP_URL", settings.smtp_url),
        )
        if not value
    ]
    if missing:
        raise RuntimeError(f"set {', '.join(missing)} (or run `regie dev`, which starts them all)")
    assert settings.database_url and settings.temporal_address and settings.smtp_url
    from store import crypto

    crypto.keyring()  # no key configured: fail now, with what to set, not at the first write
    pool = await open_pool(settings.database_url)
    try:
        service_pool = await open_pool(settings.database_url)
        try:
            client = await connect(settings)
            yield Runtime(
                settings=settings,
                pool=pool,
                temporal=client,
                smtp=SmtpSettings.from_url(settings.smtp_url, sender=settings.mail_from),
                mail_catcher=mail_catcher,
                service_pool=service_pool,
            )
        finally:
            await service_pool.close()
    finally:
        await pool.close()
