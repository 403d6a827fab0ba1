-- The present stays present (docs/SQL.md, "What is current"): the views' latest state comes only
-- from assessments of the present, kept whole by the database, and status_history holds changes.
-- And Headway gives back what an earlier form of 002 took from other roles of a shared database.

-- An assessment is of the present when its as-of date is the day (UTC) on which it read its
-- figures: `headway report` without --as-of, and the re-assessments of `load` and `apply`.
-- A report --as-of another date is history, never the current state.
CREATE FUNCTION headway.is_present(as_of date, assessed_at timestamptz) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT as_of = (assessed_at AT TIME ZONE 'UTC')::date $$;

-- Makes the given assessments (by key and id, at most one per commitment) the latest state of
-- their commitments, each where it is of the present and did not read its figures earlier than
-- the state it would replace. The one place where the JSON fields of `result` become the typed
-- columns of commitment_state.
CREATE FUNCTION headway.take_present_assessments(keys text[], ids bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE headway.commitment_state l
    SET (assessment_id, commitment_version, method_version, assessed_at, as_of, status,
         baseline_date, baseline_value, target_value, target_progress, comparison, deadline,
         latest_date, latest_value, latest_qualifier, progress, percent_complete, percent_time_elapsed, achieved_on, days_early,
         average_per_day, recent_per_day, required_per_day, required_from_now_per_day,
         projection_method, value_at_deadline, value_at_deadline_low, value_at_deadline_high,
         completion_date, completion_date_low, completion_date_high, schedule_variance_days, probability_met)
      = (s.id, s.commitment_version, s.method_version, s.assessed_at, s.as_of, s.status,
         b.date, b.value, t.value, t.progress, t.comparison, r.deadline,
         n.date, n.value, n.qualifier, r.progress, r.percent_complete, r.percent_time_elapsed, r.achieved_on, r.days_early,
         p.average_per_day, p.recent_per_day, p.required_per_day, p.required_from_now_per_day,
         j.method, j.value_at_deadline, j.value_at_deadline_low, j.value_at_deadline_high,
         j.completion_date, j.completion_date_low, j.completion_date_high, r.schedule_variance_days, r.probability_met)
    FROM unnest(keys, ids) AS g(commitment_key, id)
         JOIN headway.assessments s ON s.commitment_key = g.commitment_key AND s.id = g.id,
         jsonb_to_record(s.result) AS r(deadline date, progress numeric, percent_complete float8,
             percent_time_elapsed float8, achieved_on date, days_early integer, schedule_variance_days integer, probability_met float8,
             baseline jsonb, target jsonb, latest jsonb, pace jsonb, projection jsonb),
         jsonb_to_record(coalesce(r.baseline, '{}')) AS b(date date, value numeric),
         jsonb_to_record(coalesce(r.target, '{}')) AS t(value numeric, progress numeric, comparison text),
         jsonb_to_record(coalesce(r.latest, '{}')) AS n(date date, value numeric, qualifier text),
         jsonb_to_record(coalesce(r.pace, '{}')) AS p(average_per_day float8, recent_per_day float8, required_per_day float8,
             required_from_now_per_day float8),
         jsonb_to_record(coalesce(r.projection, '{}')) AS j(method text, value_at_deadline float8, value_at_deadline_low float8,
             value_at_deadline_high float8, completion_date date, completion_date_low date, completion_date_high date)
    WHERE l.commitment_key = s.commitment_key
      AND headway.is_present(s.as_of, s.assessed_at)
      -- An assessment that read its figures earlier never replaces a later one.
      AND (l.assessed_at IS NULL OR l.assessed_at <= s.assessed_at);
END
$$;

-- Of the inserted assessments of the present, the latest of each commitment becomes its state.
CREATE FUNCTION headway.keep_present_state() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM headway.take_present_assessments(array_agg(commitment_key), array_agg(id))
    FROM (SELECT DISTINCT ON (i.commitment_key) i.commitment_key, i.id
          FROM inserted i
          WHERE headway.is_present(i.as_of, i.assessed_at)
          ORDER BY i.commitment_key, i.assessed_at DESC, i.id DESC) AS latest
    HAVING count(*) > 0;
    RETURN NULL;
END
$$;

-- Whoever inserts an assessment (headway, or a writer login with plain SQL) keeps the views right.
CREATE TRIGGER assessments_state AFTER INSERT ON headway.assessments
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION headway.keep_present_state();

-- Only the database writes commitment_state now: its triggers run as the owner, and the writer
-- may no longer change the cache by hand.
ALTER FUNCTION headway.keep_commitment_state() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
REVOKE INSERT, UPDATE ON headway.commitment_state FROM headway_writer;
REVOKE EXECUTE ON FUNCTION headway.take_present_assessments(text[], bigint[]), headway.keep_present_state() FROM PUBLIC;

-- Rebuild the state from the present only: until now a report --as-of a past date could have
-- replaced it. A series drawn by such a report is dropped; the next report draws it again.
DELETE FROM headway.latest_series ls
USING (SELECT DISTINCT ON (commitment_key) commitment_key, as_of, assessed_at FROM headway.assessments
       ORDER BY commitment_key, assessed_at DESC, id DESC) AS last
WHERE last.commitment_key = ls.commitment_key AND NOT headway.is_present(last.as_of, last.assessed_at);
DELETE FROM headway.commitment_state;
INSERT INTO headway.commitment_state (commitment_key, title, metric, tags, definition_version)
SELECT key, title, metric, tags, version FROM headway.commitments;
SELECT headway.take_present_assessments(array_agg(commitment_key), array_agg(id))
FROM (SELECT DISTINCT ON (a.commitment_key) a.commitment_key, a.id FROM headway.assessments a
      WHERE headway.is_present(a.as_of, a.assessed_at)
      ORDER BY a.commitment_key, a.assessed_at DESC, a.id DESC) AS latest;

-- The history of each commitment's status as changes along the as-of timeline: for each as-of
-- date the latest assessment made for it (what is best known about that day), and of those only
-- the ones whose status differs from the day before. Re-running a report adds no row; a report
-- --as-of a past date takes its place in time; an as-of after the day it was made is not history.
-- `time` is the as-of date (midnight UTC): "when did this go off track?" has one answer per change.
CREATE OR REPLACE VIEW headway.status_history AS
WITH per_day AS (
    SELECT DISTINCT ON (a.commitment_key, a.as_of) a.*
    FROM headway.assessments a
    WHERE a.as_of <= (a.assessed_at AT TIME ZONE 'UTC')::date  -- not a forecast
    ORDER BY a.commitment_key, a.as_of, a.assessed_at DESC, a.id DESC
), marked AS (
    SELECT d.*, lag(d.status) OVER (PARTITION BY d.commitment_key ORDER BY d.as_of) AS previous_status
    FROM per_day d
)
SELECT (m.as_of::timestamp AT TIME ZONE 'UTC') AS "time", m.commitment_key, m.as_of, m.status, m.previous_status,
       (m.result->>'progress')::numeric AS progress,
       (m.result->>'percent_complete')::double precision AS percent_complete,
       m.commitment_version, m.method_version, m.assessed_at
FROM marked m
WHERE m.status IS DISTINCT FROM m.previous_status;

-- A tag is one line of plain text, as `headway apply` requires, whoever writes it (rows from
-- before are not checked again: NOT VALID).
ALTER TABLE headway.commitments ADD CONSTRAINT commitments_tags_plain
    CHECK (array_position(tags, NULL) IS NULL AND array_to_string(tags, '') !~ '[[:cntrl:]]') NOT VALID;

-- Shared databases (docs/SQL.md): the first form of 002 revoked TEMPORARY on the database, CREATE
-- on schema public and EXECUTE on the large-object functions from PUBLIC, breaking other
-- applications' users. Where that form was applied (its checksum is in the ledger; Migrator
-- accepts it as an earlier form of 002), give back what PostgreSQL grants PUBLIC by default:
-- TEMPORARY and the client-side large-object functions always (not lo_import, which reads the
-- server's files and PostgreSQL never grants PUBLIC), CREATE on public only before PostgreSQL 15,
-- where it was the default (from 15 on, 002 took nothing there). Grants a non-owner cannot make
-- are warnings.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM headway.schema_migrations
               WHERE version = 2 AND checksum = 'cdf19a7ce7e9d0ac28beb30fa0b245e0401aaee62d7b050c8ca7cea6cedc9ee5') THEN
        EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
        GRANT EXECUTE ON FUNCTION lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea) TO PUBLIC;
        IF to_regnamespace('public') IS NOT NULL AND current_setting('server_version_num')::integer < 150000 THEN
            GRANT CREATE ON SCHEMA public TO PUBLIC;
        END IF;
    END IF;
END
$$;
