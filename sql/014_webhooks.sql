-- Webhooks (docs/API.md, "Webhooks"): receivers that `headway serve` POSTs the events of
-- headway.events to, signed as Standard Webhooks (standardwebhooks.com) defines.
--
-- Each hook follows the event log with a cursor of its own: the last event it has turned into
-- messages (headway.webhook_deliveries, an outbox whose rows keep the exact body, so a retry
-- sends the same bytes under the same webhook-id). Messages go out one at a time per hook, in
-- order; the cursor moves only in the transaction that writes the messages, so an event is never
-- skipped. Events a live hook has not reached yet are kept from pruning (the trigger below):
-- nothing is lost to the retention while a receiver is down; a disabled hook holds nothing back.
--
-- A serve process takes a hook with a short lease (FOR UPDATE SKIP LOCKED, then committed), and
-- sends with no transaction open. The lease names the database session that took it: when that
-- session is gone (its serve killed), the lease is free at once; otherwise when it expires.

CREATE TABLE headway.webhooks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url              text NOT NULL CHECK (url ~ '^https?://[^/?#]+'),
    events           text[] NOT NULL CHECK (cardinality(events) > 0
                         AND events <@ ARRAY['status', 'assessment', 'observations', 'definitions']),
    tag              text CHECK (tag <> ''),
    commitment       headway.key REFERENCES headway.commitments (key),
    description      text,
    -- Loopback and private-network receivers are refused unless the hook allows them (SSRF).
    allow_private    boolean NOT NULL DEFAULT false,
    -- `whsec_` and base64 of the HMAC key: kept because every delivery is signed with it.
    secret           text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/]+={0,2}$'),
    -- The last event turned into messages for this hook; a new hook starts at the newest event.
    cursor_event_id  bigint NOT NULL,
    lease_token      uuid,
    lease_pid        integer,
    lease_until      timestamptz,
    disabled_at      timestamptz,
    disabled_reason  text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((disabled_at IS NULL) = (disabled_reason IS NULL))
);

-- One message to one hook: what was sent (the body, signed anew at each attempt with the
-- attempt's timestamp), how each attempt went, and when it was delivered or given up.
CREATE TABLE headway.webhook_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id       bigint NOT NULL REFERENCES headway.webhooks (id) ON DELETE CASCADE,
    event_id         bigint NOT NULL,
    -- The webhook-id header: the same for every attempt, the receiver's idempotency key.
    message_id       text NOT NULL UNIQUE,
    type             text NOT NULL,
    commitment_key   text,
    body             text NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_attempt_at  timestamptz,
    last_status      integer,
    last_error       text,
    delivered_at     timestamptz,
    failed_at        timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now()
);

-- A hook's next message: its oldest one neither delivered nor given up.
CREATE INDEX webhook_deliveries_pending ON headway.webhook_deliveries (webhook_id, id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_by_hook ON headway.webhook_deliveries (webhook_id, id);

-- Pruning (sql/006's publish_events) passes over an event that an active hook has not turned
-- into messages yet; a disabled hook holds nothing back. A hook's cursor lags only while its
-- receiver fails, at most the retry schedule's 28 hours, so this rarely keeps anything.
CREATE FUNCTION headway.keep_events_for_webhooks() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF OLD.id > (SELECT min(cursor_event_id) FROM headway.webhooks WHERE disabled_at IS NULL) THEN
        RETURN NULL;
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER events_kept_for_webhooks BEFORE DELETE ON headway.events
    FOR EACH ROW EXECUTE FUNCTION headway.keep_events_for_webhooks();

REVOKE EXECUTE ON FUNCTION headway.keep_events_for_webhooks() FROM PUBLIC;

-- The writer's login runs `headway serve` and `headway webhook`; the reader gets nothing here:
-- the secrets and the receivers' addresses are not for SQL clients that only read.
GRANT SELECT, INSERT, UPDATE, DELETE ON headway.webhooks, headway.webhook_deliveries TO headway_writer;
