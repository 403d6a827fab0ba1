-- Periods as statistics offices publish them (docs/FORMATS.md): a deadline may also be given as
-- an ISO week, a half year or a third of a year, and keeps that precision.
ALTER TABLE headway.commitments DROP CONSTRAINT commitments_deadline_precision_check;
ALTER TABLE headway.commitments ADD CONSTRAINT commitments_deadline_precision_check
    CHECK (deadline_precision IN ('day', 'month', 'quarter', 'year', 'financial_year', 'week', 'half', 'third'));
