-- Methods version 2 (docs/METHODS.md): the projection's range is a prediction interval, each
-- assessment says how likely the target is to be met, and a passed deadline with no figure
-- reaching it is `awaiting_data` rather than `missed`.

ALTER TABLE headway.assessments DROP CONSTRAINT assessments_status_check;
ALTER TABLE headway.assessments ADD CONSTRAINT assessments_status_check CHECK (status IN (
    'achieved', 'achieved_late', 'missed', 'awaiting_data', 'on_track', 'at_risk', 'off_track', 'not_started',
    'insufficient_data'));

ALTER TABLE headway.commitment_state ADD COLUMN probability_met double precision;

-- The same view with the probability added as its last column (a replaced view may only gain
-- columns at the end; its readers and grants stay).
CREATE OR REPLACE VIEW headway.commitment_status AS
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
        OR coalesce(a.last_recorded_at > l.assessed_at, false)) AS stale,
       l.probability_met
FROM headway.commitment_state l
JOIN headway.metrics m ON m.key = l.metric
LEFT JOIN headway.metric_activity a ON a.metric = l.metric;
