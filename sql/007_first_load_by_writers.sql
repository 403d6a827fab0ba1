-- A first load into the empty observations table drops the identity index, copies the rows and
-- builds the index once (docs/BENCHMARKS.md): one sorted build costs a fraction of a million
-- single insertions. Dropping and building an index needs the table's owner; these functions run
-- as the owner, so that a headway_writer login's first load is as fast as the owner's, and only
-- in a safe way:
-- - the index is dropped only while the table is empty, under the table's exclusive lock, so no
--   reader sees the table without it and no other loader adds rows meanwhile;
-- - building it again checks every row, as the index always does;
-- - a transaction that dropped it cannot commit without building it again (a deferred check).

-- One row per drop not yet followed by a build, in the transaction that dropped the index.
CREATE TABLE headway.identity_index_drops (dropped_at timestamptz NOT NULL DEFAULT clock_timestamp());

CREATE FUNCTION headway.require_identity_index() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF to_regclass('headway.observations_identity_revision') IS NULL THEN
        RAISE EXCEPTION 'the identity index of headway.observations was dropped for a bulk load and not built again'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER identity_index_built AFTER INSERT ON headway.identity_index_drops
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION headway.require_identity_index();

-- Drops the identity index if the table is empty; answers whether it did.
CREATE FUNCTION headway.drop_identity_index_if_empty() RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    LOCK TABLE headway.observations IN ACCESS EXCLUSIVE MODE;
    IF to_regclass('headway.observations_identity_revision') IS NULL OR EXISTS (SELECT 1 FROM headway.observations) THEN
        RETURN false;
    END IF;
    DROP INDEX headway.observations_identity_revision;
    INSERT INTO headway.identity_index_drops DEFAULT VALUES;
    RETURN true;
END
$$;

-- Builds the identity index again, as sql/001 defines it, if it is missing.
CREATE FUNCTION headway.build_identity_index() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET maintenance_work_mem = '256MB' AS $$
BEGIN
    IF to_regclass('headway.observations_identity_revision') IS NULL THEN
        CREATE UNIQUE INDEX observations_identity_revision
            ON headway.observations (metric, (coalesce(period_start, '-infinity'::date)), period_end, revision);
    END IF;
    DELETE FROM headway.identity_index_drops;
END
$$;

REVOKE ALL ON FUNCTION headway.drop_identity_index_if_empty(), headway.build_identity_index() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION headway.drop_identity_index_if_empty(), headway.build_identity_index() TO headway_writer;
