-- depends: 0004.policy-review
-- Sign-in link requests per client, so the per-IP limit holds across API replicas. The IP is
-- kept only as a keyed hash (an IP address is personal data) and only for the limit's window.

CREATE TABLE sign_in_requests (
    id            bigserial PRIMARY KEY,
    client_hash   text NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_requests_client ON sign_in_requests (client_hash, requested_at);
CREATE INDEX sign_in_requests_at ON sign_in_requests (requested_at);

-- The idle timeout: a session unused for longer than it allows is refused.
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
