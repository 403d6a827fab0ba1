-- What SQL clients (psql, Grafana, Metabase, pandas) read, and who may read or write.
-- docs/SQL.md documents every view and column below; their names and types are stable.

-- When each metric last received data, so a stored assessment can tell it has gone stale
-- without scanning observations. Kept by the observations insert trigger (below).
CREATE TABLE headway.metric_activity (
    metric           text PRIMARY KEY,
    last_recorded_at timestamptz NOT NULL
);

INSERT INTO headway.metric_activity (metric, last_recorded_at)
SELECT metric, max(recorded_at) FROM headway.observations GROUP BY metric;

-- The references check of 001, now also noting each metric's arrival time, in one pass over the
-- inserted rows (a million of them, in a bulk load) instead of two. clock_timestamp(), not
-- now(): an assessment that waited for this load's lock must count as older than its data only
-- if it read before the data was there (see AssessmentStore).
CREATE OR REPLACE FUNCTION headway.check_observation_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    WITH arrived AS MATERIALIZED (SELECT DISTINCT metric, kind, source FROM inserted),
    noted AS (
        INSERT INTO headway.metric_activity AS a (metric, last_recorded_at)
        SELECT metric, clock_timestamp() FROM (SELECT DISTINCT metric FROM arrived) AS d
        ON CONFLICT (metric) DO UPDATE SET last_recorded_at = excluded.last_recorded_at
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM noted) AS noted,
           m.metric, m.kind, (SELECT n.source FROM arrived n
                              WHERE n.source IS NOT NULL AND NOT EXISTS (SELECT 1 FROM headway.sources s WHERE s.key = n.source)
                              LIMIT 1) AS source
    INTO bad
    FROM (SELECT NULL) AS one
    LEFT JOIN LATERAL (SELECT a.metric, a.kind FROM arrived a
                       WHERE NOT EXISTS (SELECT 1 FROM headway.metrics m WHERE m.key = a.metric AND m.kind = a.kind)
                       LIMIT 1) AS m ON true;
    IF bad.metric IS NOT NULL THEN
        RAISE EXCEPTION 'observation of metric "%" (kind %) does not match a defined metric', bad.metric, bad.kind
            USING ERRCODE = 'foreign_key_violation', TABLE = 'observations', CONSTRAINT = 'observations_metric_defined';
    END IF;
    IF bad.source IS NOT NULL THEN
        RAISE EXCEPTION 'observation source "%" is not defined', bad.source
            USING ERRCODE = 'foreign_key_violation', TABLE = 'observations', CONSTRAINT = 'observations_source_defined';
    END IF;
    RETURN NULL;
END
$$;

-- One row per commitment, always: its definition's key, title, metric, tags and version (kept
-- by the trigger below), and its latest stored assessment, the JSON fields in typed columns
-- (taken from `result` by AssessmentStore in the statement that stores it; NULL until the first).
-- A cache of headway.commitments and headway.assessments, so that reading every commitment's
-- status is one table scan; the history stays in headway.assessments.
CREATE TABLE headway.commitment_state (
    commitment_key            headway.key PRIMARY KEY REFERENCES headway.commitments (key),
    title                     text NOT NULL,
    metric                    text NOT NULL,
    tags                      text[] NOT NULL,
    definition_version        integer NOT NULL,
    assessment_id             bigint,
    commitment_version        integer,
    method_version            text,
    assessed_at               timestamptz,
    as_of                     date,
    status                    text,
    baseline_date             date,
    baseline_value            numeric,
    target_value              numeric,
    target_progress           numeric,
    comparison                text,
    deadline                  date,
    latest_date               date,
    latest_value              numeric,
    latest_qualifier          text,
    progress                  numeric,
    percent_complete          double precision,
    percent_time_elapsed      double precision,
    achieved_on               date,
    days_early                integer,
    average_per_day           double precision,
    recent_per_day            double precision,
    required_per_day          double precision,
    required_from_now_per_day double precision,
    projection_method         text,
    value_at_deadline         double precision,
    value_at_deadline_low     double precision,
    value_at_deadline_high    double precision,
    completion_date           date,
    completion_date_low       date,
    completion_date_high      date,
    schedule_variance_days    integer
);

INSERT INTO headway.commitment_state (commitment_key, title, metric, tags, definition_version)
SELECT key, title, metric, tags, version FROM headway.commitments;

CREATE FUNCTION headway.keep_commitment_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO headway.commitment_state (commitment_key, title, metric, tags, definition_version)
        VALUES (NEW.key, NEW.title, NEW.metric, NEW.tags, NEW.version);
    ELSE
        UPDATE headway.commitment_state
        SET title = NEW.title, metric = NEW.metric, tags = NEW.tags, definition_version = NEW.version
        WHERE commitment_key = NEW.key;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER commitments_state AFTER INSERT OR UPDATE ON headway.commitments
    FOR EACH ROW EXECUTE FUNCTION headway.keep_commitment_state();

-- The series of each commitment's latest assessment, as parallel arrays: one narrow row per
-- commitment keeps reading one series cheap, and a series that did not change is not rewritten.
CREATE TABLE headway.latest_series (
    commitment_key headway.key PRIMARY KEY REFERENCES headway.commitments (key),
    dates          date[] NOT NULL,
    progress       numeric[] NOT NULL,
    qualifiers     text[] NOT NULL,
    trajectory     double precision[] NOT NULL,
    -- A hash of the series Headway computed, so an unchanged series need not be sent again.
    fingerprint    bigint NOT NULL
);

-- One row per commitment: where it stands in its latest assessment, under the JSON report's
-- names flattened, and whether it is stale (data or the definition changed since; never assessed).
CREATE VIEW headway.commitment_status AS
SELECT l.commitment_key AS key, l.title, l.metric, m.unit, m.kind, l.tags,
       l.status, l.as_of,
       l.baseline_date, l.baseline_value, l.target_value, l.target_progress, l.comparison, l.deadline,
       l.latest_date, l.latest_value, l.latest_qualifier,
       l.progress, l.percent_complete, l.percent_time_elapsed, l.achieved_on, l.days_early,
       l.average_per_day, l.recent_per_day, l.required_per_day, l.required_from_now_per_day,
       l.projection_method, l.value_at_deadline, l.value_at_deadline_low, l.value_at_deadline_high,
       l.completion_date, l.completion_date_low, l.completion_date_high, l.schedule_variance_days,
       l.method_version, l.commitment_version, l.assessed_at,
       (l.assessed_at IS NULL OR l.commitment_version <> l.definition_version
        OR coalesce(a.last_recorded_at > l.assessed_at, false)) AS stale
FROM headway.commitment_state l
JOIN headway.metrics m ON m.key = l.metric
LEFT JOIN headway.metric_activity a ON a.metric = l.metric;

-- Each commitment's latest series, one row per date, for time series panels: progress where
-- there is a figure, the planned trajectory everywhere, and the projection from the latest
-- figure to the deadline (with its range at the deadline). Dates become midnight UTC.
CREATE VIEW headway.commitment_series AS
SELECT (s.date::timestamp AT TIME ZONE 'UTC') AS "time", l.commitment_key, s.progress, s.qualifier, s.trajectory,
       CASE WHEN s.date = l.latest_date THEN s.progress WHEN s.date = l.deadline THEN l.value_at_deadline::numeric END AS projection,
       CASE WHEN s.date = l.latest_date THEN s.progress WHEN s.date = l.deadline THEN l.value_at_deadline_low::numeric END AS projection_low,
       CASE WHEN s.date = l.latest_date THEN s.progress WHEN s.date = l.deadline THEN l.value_at_deadline_high::numeric END AS projection_high,
       l.target_progress AS target
FROM headway.commitment_state l
JOIN headway.latest_series ls ON ls.commitment_key = l.commitment_key
CROSS JOIN LATERAL unnest(ls.dates, ls.progress, ls.qualifiers, ls.trajectory) AS s(date, progress, qualifier, trajectory);

-- Every stored assessment, oldest first per commitment, with the status before it:
-- "when did this go off track?"
CREATE VIEW headway.status_history AS
SELECT a.assessed_at AS "time", a.commitment_key, a.as_of, a.status,
       lag(a.status) OVER (PARTITION BY a.commitment_key ORDER BY a.assessed_at, a.id) AS previous_status,
       (a.result->>'progress')::numeric AS progress,
       (a.result->>'percent_complete')::double precision AS percent_complete,
       a.commitment_version, a.method_version
FROM headway.assessments a;

-- How many commitments stand in each status, overall (tag NULL) and per tag.
CREATE VIEW headway.status_counts AS
SELECT t.tag, coalesce(s.status, 'unassessed') AS status, count(*) AS commitments
FROM headway.commitment_status s
CROSS JOIN LATERAL (SELECT NULL::text UNION ALL SELECT unnest(s.tags)) AS t(tag)
GROUP BY t.tag, coalesce(s.status, 'unassessed');

-- Every revision of every figure, with its source: what was published, when.
CREATE VIEW headway.observation_revisions AS
SELECT o.metric, o.period_start, o.period_end, o.revision, o.value, o.qualifier, o.published_on,
       o.source, s.title AS source_title, s.url AS source_url, o.note, o.recorded_at
FROM headway.observations o
LEFT JOIN headway.sources s ON s.key = o.source;

-- Roles. headway_reader reads the views above and nothing else; headway_writer loads, applies
-- and reports. Both are groups (NOLOGIN): `headway db grant-reader NAME` makes logins. Roles
-- belong to the whole cluster, so another database may have made them already.
DO $$
BEGIN
    CREATE ROLE headway_reader NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;
DO $$
BEGIN
    CREATE ROLE headway_writer NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA headway TO headway_reader, headway_writer;
GRANT SELECT ON headway.commitment_status, headway.commitment_series, headway.observation_current,
    headway.status_history, headway.status_counts, headway.observation_revisions TO headway_reader;

-- The writer inserts; definitions are updated in place (their history is kept by trigger).
-- UPDATE on observations is only for the loader's table lock: the refuse_change trigger still
-- refuses every actual UPDATE. commitment_state and latest_series are caches the writer replaces.
GRANT SELECT ON ALL TABLES IN SCHEMA headway TO headway_writer;
GRANT INSERT ON headway.sources, headway.metrics, headway.commitments, headway.observations,
    headway.definition_history, headway.assessments, headway.metric_activity, headway.commitment_state,
    headway.latest_series TO headway_writer;
GRANT UPDATE ON headway.sources, headway.metrics, headway.commitments, headway.observations,
    headway.metric_activity, headway.commitment_state, headway.latest_series TO headway_writer;

-- The writer keeps temporary tables (the loader's staging needs them) whatever the database
-- grants to PUBLIC. Headway changes nothing else outside schema headway and its own roles: an
-- earlier form of this file also took TEMPORARY, CREATE on schema public and the large-object
-- functions from PUBLIC, that is from every role of a shared database. Migrator accepts that
-- form's checksum, and 004 gives back what it took (docs/SQL.md, "Shared databases").
DO $$
BEGIN
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO headway_writer', current_database());
END
$$;
