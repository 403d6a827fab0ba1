-- Headway's measurement model (DESIGN.md, "The measurement model").
-- The database enforces the model itself, so a write from any SQL client cannot corrupt it:
-- keys, foreign keys, CHECKs on kinds, qualifiers and periods; observations are never updated
-- or deleted (a changed figure is a new revision); definitions keep every earlier version.
-- Shipped migrations are never edited: add a new numbered file instead.

CREATE SCHEMA IF NOT EXISTS headway;

-- A key is a readable identifier: not empty, no surrounding spaces, no control characters.
CREATE DOMAIN headway.key AS text
    CHECK (VALUE <> '' AND VALUE = btrim(VALUE) AND VALUE !~ '[[:cntrl:]]');

CREATE TABLE headway.sources (
    key          headway.key PRIMARY KEY,
    title        text NOT NULL CHECK (title <> ''),
    publisher    text,
    url          text,
    published_on date,
    version      integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE headway.metrics (
    key         headway.key PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    unit        text NOT NULL CHECK (unit <> ''),
    kind        text NOT NULL CHECK (kind IN ('additive', 'level')),
    version     integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Every published figure, every revision. Distributable by metric (Citus): the metric leads
-- every index. Kept lean for bulk loads: one unique index, and the metric and source checked
-- once per statement (below) rather than by per-row foreign-key triggers, which would triple
-- the cost of loading a million rows. Metrics and sources are never deleted and their keys
-- never change, so a check at insert time is enough to keep every reference valid.
CREATE TABLE headway.observations (
    metric       text NOT NULL,  -- a defined metric's key (checked below)
    kind         text NOT NULL,
    period_start date,
    period_end   date NOT NULL,
    revision     integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
    value        numeric NOT NULL CHECK (abs(value) < 1e100),  -- also rejects NaN and infinities
    qualifier    text NOT NULL DEFAULT 'exact' CHECK (qualifier IN ('exact', 'about', 'at_least', 'at_most')),
    source       text,           -- a defined source's key (checked below)
    published_on date NOT NULL,
    note         text,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    -- Additive amounts cover [period_start, period_end]; levels are read at period_end.
    CONSTRAINT observations_period_matches_kind CHECK ((kind = 'level') = (period_start IS NULL)),
    CONSTRAINT observations_period_in_order CHECK (period_start <= period_end)
);

-- One row per revision of a figure; the identity is (metric, period_start, period_end).
CREATE UNIQUE INDEX observations_identity_revision
    ON headway.observations (metric, (coalesce(period_start, '-infinity'::date)), period_end, revision);

-- Every inserted observation names a defined metric of its kind, and a defined source if any.
CREATE FUNCTION headway.check_observation_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.metric, n.kind INTO bad FROM (SELECT DISTINCT metric, kind FROM inserted) n
    WHERE NOT EXISTS (SELECT 1 FROM headway.metrics m WHERE m.key = n.metric AND m.kind = n.kind) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'observation of metric "%" (kind %) does not match a defined metric', bad.metric, bad.kind
            USING ERRCODE = 'foreign_key_violation', TABLE = 'observations', CONSTRAINT = 'observations_metric_defined';
    END IF;
    SELECT n.source INTO bad FROM (SELECT DISTINCT source FROM inserted WHERE source IS NOT NULL) n
    WHERE NOT EXISTS (SELECT 1 FROM headway.sources s WHERE s.key = n.source) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'observation source "%" is not defined', bad.source
            USING ERRCODE = 'foreign_key_violation', TABLE = 'observations', CONSTRAINT = 'observations_source_defined';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER observations_references AFTER INSERT ON headway.observations
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION headway.check_observation_references();

-- A metric's kind cannot change under its data.
CREATE FUNCTION headway.keep_metric_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM headway.observations WHERE metric = OLD.key) THEN
        RAISE EXCEPTION 'metric "%" has observations, so its kind cannot change from % to %', OLD.key, OLD.kind, NEW.kind
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER metrics_kind BEFORE UPDATE OF kind ON headway.metrics
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION headway.keep_metric_kind();

CREATE TABLE headway.commitments (
    key                   headway.key PRIMARY KEY,
    title                 text NOT NULL CHECK (title <> ''),
    metric                headway.key NOT NULL REFERENCES headway.metrics (key),
    made_by               text,
    made_on               date,
    source                headway.key REFERENCES headway.sources (key),
    baseline_date         date NOT NULL,
    -- For level metrics; NULL means "the level observed at or just before baseline_date".
    baseline_value        numeric CHECK (abs(baseline_value) < 1e100),
    -- Exactly one way of stating the target.
    target_value          numeric CHECK (abs(target_value) < 1e100),
    target_change         numeric CHECK (abs(target_change) < 1e100),
    target_change_percent numeric CHECK (abs(target_change_percent) < 1e100),
    -- NULL: decided from the direction of the target.
    comparison            text CHECK (comparison IN ('at_least', 'at_most')),
    deadline              date NOT NULL,
    deadline_precision    text NOT NULL DEFAULT 'day'
        CHECK (deadline_precision IN ('day', 'month', 'quarter', 'year', 'financial_year')),
    -- Interim points of the planned trajectory: [{"date": "2024-03-31", "value": "1000"}, ...]
    milestones            jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(milestones) = 'array'),
    extends               headway.key REFERENCES headway.commitments (key),
    tags                  text[] NOT NULL DEFAULT '{}',
    version               integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    recorded_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commitments_one_target CHECK (num_nonnulls(target_value, target_change, target_change_percent) = 1),
    CONSTRAINT commitments_deadline_after_baseline CHECK (deadline > baseline_date),
    CONSTRAINT commitments_extends_another CHECK (extends <> key)
);

CREATE INDEX commitments_metric ON headway.commitments (metric);

-- Earlier versions of sources, metrics and commitments, written by the trigger below.
CREATE TABLE headway.definition_history (
    table_name    text NOT NULL CHECK (table_name IN ('sources', 'metrics', 'commitments')),
    key           headway.key NOT NULL,
    version       integer NOT NULL,
    definition    jsonb NOT NULL,
    superseded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (table_name, key, version)
);

-- On UPDATE of a definition: keep the old row in definition_history and bump the version.
-- An UPDATE that changes nothing is skipped, so re-applying a file leaves versions alone.
CREATE FUNCTION headway.keep_definition_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.key IS DISTINCT FROM OLD.key THEN
        RAISE EXCEPTION 'the key of a % row cannot change (% to %)', TG_TABLE_NAME, OLD.key, NEW.key
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    NEW.version := OLD.version;
    NEW.recorded_at := OLD.recorded_at;
    IF NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NULL;
    END IF;
    INSERT INTO headway.definition_history (table_name, key, version, definition)
    VALUES (TG_TABLE_NAME, OLD.key, OLD.version, to_jsonb(OLD));
    NEW.version := OLD.version + 1;
    NEW.recorded_at := now();
    RETURN NEW;
END
$$;

-- Nothing is deleted or overwritten: history is the product.
CREATE FUNCTION headway.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on headway.% is not allowed: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER sources_history BEFORE UPDATE ON headway.sources
    FOR EACH ROW EXECUTE FUNCTION headway.keep_definition_history();
CREATE TRIGGER metrics_history BEFORE UPDATE ON headway.metrics
    FOR EACH ROW EXECUTE FUNCTION headway.keep_definition_history();
CREATE TRIGGER commitments_history BEFORE UPDATE ON headway.commitments
    FOR EACH ROW EXECUTE FUNCTION headway.keep_definition_history();

CREATE TRIGGER sources_keep BEFORE DELETE OR TRUNCATE ON headway.sources
    FOR EACH STATEMENT EXECUTE FUNCTION headway.refuse_change('definitions keep their history');
CREATE TRIGGER metrics_keep BEFORE DELETE OR TRUNCATE ON headway.metrics
    FOR EACH STATEMENT EXECUTE FUNCTION headway.refuse_change('definitions keep their history');
CREATE TRIGGER commitments_keep BEFORE DELETE OR TRUNCATE ON headway.commitments
    FOR EACH STATEMENT EXECUTE FUNCTION headway.refuse_change('definitions keep their history');
CREATE TRIGGER observations_keep BEFORE UPDATE OR DELETE OR TRUNCATE ON headway.observations
    FOR EACH STATEMENT EXECUTE FUNCTION headway.refuse_change('a changed figure is loaded as a new revision');
CREATE TRIGGER definition_history_keep BEFORE UPDATE OR DELETE OR TRUNCATE ON headway.definition_history
    FOR EACH STATEMENT EXECUTE FUNCTION headway.refuse_change('history is kept');

-- The revision of each figure that is current now: the latest published, then the latest loaded.
-- (Reports "as of" a date apply the same rule to what was published by then.)
CREATE VIEW headway.observation_current AS
SELECT DISTINCT ON (o.metric, o.period_start, o.period_end)
       o.metric, o.period_start, o.period_end, o.value, o.qualifier, o.published_on, o.revision,
       o.source, s.title AS source_title, s.publisher AS source_publisher, s.url AS source_url,
       o.note, o.recorded_at
FROM headway.observations o
LEFT JOIN headway.sources s ON s.key = o.source
ORDER BY o.metric, o.period_start, o.period_end, o.published_on DESC, o.revision DESC;

-- Each evaluation of a commitment, kept: the history of assessments is itself a time series.
CREATE TABLE headway.assessments (
    commitment_key     headway.key NOT NULL REFERENCES headway.commitments (key),
    id                 bigint GENERATED ALWAYS AS IDENTITY,
    commitment_version integer NOT NULL,
    as_of              date NOT NULL,
    assessed_at        timestamptz NOT NULL DEFAULT now(),
    method_version     text NOT NULL,
    status             text NOT NULL CHECK (status IN (
        'achieved', 'achieved_late', 'missed', 'on_track', 'at_risk', 'off_track', 'not_started', 'insufficient_data')),
    -- The assessment's fields, with the same names as the JSON report.
    result             jsonb NOT NULL CHECK (jsonb_typeof(result) = 'object'),
    PRIMARY KEY (commitment_key, id)
);

CREATE INDEX assessments_latest ON headway.assessments (commitment_key, assessed_at DESC);
CREATE TRIGGER assessments_keep BEFORE UPDATE OR DELETE OR TRUNCATE ON headway.assessments
    FOR EACH STATEMENT EXECUTE FUNCTION headway.refuse_change('assessments are a kept history');
