-- Events (docs/SQL.md, "headway.events"): what changed, announced by the database itself, so a
-- load from the command line, a report, an apply or any SQL writer is seen by `headway serve`
-- (GET /api/v1/events) and by anyone who LISTENs on channel headway_events.
--
-- Ids follow commit order. Triggers queue what a statement changed in headway.event_queue; at
-- commit a deferred trigger turns the transaction's queue into events under a lock held until
-- the commit ends, so an event with a higher id never becomes visible before one with a lower
-- id (a reader that remembers the last id it saw misses nothing), and notifies once with the
-- last id. A rolled back transaction leaves no event. The lock is taken at commit only, when a
-- transaction waits for nothing else, so it cannot deadlock with other locks.

CREATE TABLE headway.events (
    id         bigserial PRIMARY KEY,
    type       text NOT NULL CHECK (type IN ('assessment', 'status', 'observations', 'definitions')),
    -- {"commitments": [...], "metrics": [...]} and, for assessment and status, "status" and
    -- "as_of"; for status also "previous_status" (null for a first status).
    payload    jsonb NOT NULL CHECK (jsonb_typeof(payload -> 'commitments') = 'array' AND jsonb_typeof(payload -> 'metrics') = 'array'),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Pruning finds old events by age.
CREATE INDEX events_created_at ON headway.events (created_at);

-- What the statements of open transactions changed, until their commit makes it events. Always
-- empty to other sessions: a transaction sees its own rows only, and removes them at commit.
CREATE TABLE headway.event_queue (
    seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type     text NOT NULL,
    payloads jsonb NOT NULL CHECK (jsonb_typeof(payloads) = 'array')
);

-- An assessment of the present (sql/004) is announced, one event per commitment; a report
-- --as-of another date is history and is not.
CREATE FUNCTION headway.queue_assessment_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO headway.event_queue (type, payloads)
    SELECT 'assessment', jsonb_agg(jsonb_build_object(
               'commitments', jsonb_build_array(i.commitment_key), 'metrics', jsonb_build_array(c.metric),
               'status', i.status, 'as_of', i.as_of) ORDER BY i.commitment_key, i.id)
    FROM inserted i JOIN headway.commitments c ON c.key = i.commitment_key
    WHERE headway.is_present(i.as_of, i.assessed_at)
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

-- Named to fire before assessments_state (triggers fire in name order), whose change of status
-- is then announced after the assessment that made it.
CREATE TRIGGER assessments_announce AFTER INSERT ON headway.assessments
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION headway.queue_assessment_events();

-- A commitment's present status changed (commitment_state is kept by the triggers of sql/004).
CREATE FUNCTION headway.queue_status_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO headway.event_queue (type, payloads)
    SELECT 'status', jsonb_agg(jsonb_build_object(
               'commitments', jsonb_build_array(n.commitment_key), 'metrics', jsonb_build_array(n.metric),
               'status', n.status, 'as_of', n.as_of, 'previous_status', o.status) ORDER BY n.commitment_key)
    FROM new_rows n JOIN old_rows o ON o.commitment_key = n.commitment_key
    WHERE n.status IS DISTINCT FROM o.status
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER commitment_state_announce AFTER UPDATE ON headway.commitment_state
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION headway.queue_status_events();

-- Figures inserted or revised: one event per statement with the metrics' keys, never one per
-- row (a load of a million rows queues one row here).
CREATE FUNCTION headway.queue_observation_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO headway.event_queue (type, payloads)
    SELECT 'observations', jsonb_build_array(jsonb_build_object('commitments', '[]'::jsonb, 'metrics', jsonb_agg(metric ORDER BY metric)))
    FROM (SELECT DISTINCT metric FROM inserted) AS d
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER observations_announce AFTER INSERT ON headway.observations
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION headway.queue_observation_events();

-- Definitions created or changed (an apply that changes nothing announces nothing: the history
-- trigger skips identical rows). Sources count as definitions with no commitment or metric named.
CREATE FUNCTION headway.queue_definition_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO headway.event_queue (type, payloads)
    SELECT 'definitions', jsonb_build_array(jsonb_build_object(
               'commitments', CASE WHEN TG_TABLE_NAME = 'commitments' THEN jsonb_agg(key ORDER BY key) ELSE '[]'::jsonb END,
               'metrics', CASE WHEN TG_TABLE_NAME = 'metrics' THEN jsonb_agg(key ORDER BY key) ELSE '[]'::jsonb END))
    FROM changed
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

CREATE TRIGGER sources_announce_insert AFTER INSERT ON headway.sources
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION headway.queue_definition_events();
CREATE TRIGGER sources_announce_update AFTER UPDATE ON headway.sources
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION headway.queue_definition_events();
CREATE TRIGGER metrics_announce_insert AFTER INSERT ON headway.metrics
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION headway.queue_definition_events();
CREATE TRIGGER metrics_announce_update AFTER UPDATE ON headway.metrics
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION headway.queue_definition_events();
CREATE TRIGGER commitments_announce_insert AFTER INSERT ON headway.commitments
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION headway.queue_definition_events();
CREATE TRIGGER commitments_announce_update AFTER UPDATE ON headway.commitments
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION headway.queue_definition_events();

-- At commit: the transaction's queue becomes events, in the order queued; the figures and the
-- definitions of one transaction are one event each (the union of their keys). Then one
-- notification with the last id, and events older than the retention are pruned:
-- `headway.event_retention` (an interval; ALTER DATABASE … SET headway.event_retention = '7 days'),
-- 30 days when unset.
CREATE FUNCTION headway.publish_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    last_id bigint;
BEGIN
    -- This fires once per queued row; the first firing of a transaction publishes them all.
    IF NOT EXISTS (SELECT 1 FROM headway.event_queue) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(7303445221);
    WITH queued AS (
        DELETE FROM headway.event_queue RETURNING seq, type, payloads
    ), one_each AS (
        SELECT q.seq, e.n, q.type, e.payload
        FROM queued q CROSS JOIN LATERAL jsonb_array_elements(q.payloads) WITH ORDINALITY AS e(payload, n)
        WHERE q.type IN ('assessment', 'status')
    ), merged AS (
        SELECT min(q.seq) AS seq, 0::bigint AS n, q.type,
               jsonb_build_object(
                   'commitments', coalesce((SELECT jsonb_agg(DISTINCT k ORDER BY k) FROM queued r, jsonb_array_elements(r.payloads) p,
                                            jsonb_array_elements_text(p -> 'commitments') k WHERE r.type = q.type), '[]'::jsonb),
                   'metrics', coalesce((SELECT jsonb_agg(DISTINCT k ORDER BY k) FROM queued r, jsonb_array_elements(r.payloads) p,
                                        jsonb_array_elements_text(p -> 'metrics') k WHERE r.type = q.type), '[]'::jsonb)) AS payload
        FROM queued q
        WHERE q.type IN ('observations', 'definitions')
        GROUP BY q.type
    ), published AS (
        INSERT INTO headway.events (type, payload)
        SELECT type, payload FROM (SELECT * FROM one_each UNION ALL SELECT * FROM merged) AS e ORDER BY seq, n
        RETURNING id
    )
    SELECT max(id) INTO last_id FROM published;
    PERFORM pg_notify('headway_events', last_id::text);
    DELETE FROM headway.events
    WHERE created_at < now() - coalesce(nullif(current_setting('headway.event_retention', true), ''), '30 days')::interval;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER event_queue_publish AFTER INSERT ON headway.event_queue
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION headway.publish_events();

REVOKE EXECUTE ON FUNCTION headway.queue_assessment_events(), headway.queue_status_events(), headway.queue_observation_events(),
    headway.queue_definition_events(), headway.publish_events() FROM PUBLIC;

-- The events are no secret: a reader login may follow them too (headway serve may run as one).
GRANT SELECT ON headway.events TO headway_reader, headway_writer;
