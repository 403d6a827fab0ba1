-- Pledges made per period (docs/METHODS.md, section 12): a commitment's target may be counted
-- `over` the period itself ("400,000 homes in 2022") or as the total over a trailing year,
-- quarter or month ("300,000 homes a year"). NULL: progress accumulates from the baseline.
ALTER TABLE headway.commitments ADD COLUMN target_over text
    CHECK (target_over IN ('period', 'year', 'quarter', 'month'));

-- The state and the view carry it as the assessment said it (its `target.over`), appended last:
-- a replaced view may only gain columns at the end; its readers and grants stay.
ALTER TABLE headway.commitment_state ADD COLUMN target_over text;

CREATE OR REPLACE FUNCTION headway.take_present_assessments(keys text[], ids bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE headway.commitment_state l
    SET (assessment_id, commitment_version, method_version, assessed_at, as_of, status,
         baseline_date, baseline_value, target_value, target_progress, comparison, deadline,
         latest_date, latest_value, latest_qualifier, progress, percent_complete, percent_time_elapsed, achieved_on, days_early,
         average_per_day, recent_per_day, required_per_day, required_from_now_per_day,
         projection_method, value_at_deadline, value_at_deadline_low, value_at_deadline_high,
         completion_date, completion_date_low, completion_date_high, schedule_variance_days, probability_met, target_over)
      = (s.id, s.commitment_version, s.method_version, s.assessed_at, s.as_of, s.status,
         b.date, b.value, t.value, t.progress, t.comparison, r.deadline,
         n.date, n.value, n.qualifier, r.progress, r.percent_complete, r.percent_time_elapsed, r.achieved_on, r.days_early,
         p.average_per_day, p.recent_per_day, p.required_per_day, p.required_from_now_per_day,
         j.method, j.value_at_deadline, j.value_at_deadline_low, j.value_at_deadline_high,
         j.completion_date, j.completion_date_low, j.completion_date_high, r.schedule_variance_days, r.probability_met, t.over)
    FROM unnest(keys, ids) AS g(commitment_key, id)
         JOIN headway.assessments s ON s.commitment_key = g.commitment_key AND s.id = g.id,
         jsonb_to_record(s.result) AS r(deadline date, progress numeric, percent_complete float8,
             percent_time_elapsed float8, achieved_on date, days_early integer, schedule_variance_days integer, probability_met float8,
             baseline jsonb, target jsonb, latest jsonb, pace jsonb, projection jsonb),
         jsonb_to_record(coalesce(r.baseline, '{}')) AS b(date date, value numeric),
         jsonb_to_record(coalesce(r.target, '{}')) AS t(value numeric, progress numeric, comparison text, over text),
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
REVOKE EXECUTE ON FUNCTION headway.take_present_assessments(text[], bigint[]) FROM PUBLIC;

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
       l.probability_met, l.target_over
FROM headway.commitment_state l
JOIN headway.metrics m ON m.key = l.metric
LEFT JOIN headway.metric_activity a ON a.metric = l.metric;
