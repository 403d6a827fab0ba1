import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

@Suite struct MigratorTests {
    let sqlDirectory = ResourceLocator.sourceRoot.appendingPathComponent("sql")

    @Test func appliesInOrderOnceAndRecordsChecksums() throws {
        let connection = try TestDatabase.connect(migrated: false)
        let migrator = try Migrator(directory: sqlDirectory)
        #expect(migrator.migrations.first?.name == "measurement_model")
        #expect(migrator.migrations.map(\.version) == migrator.migrations.map(\.version).sorted())
        #expect(try migrator.pending(connection).count == migrator.migrations.count)

        let applied = try migrator.migrate(connection)
        #expect(applied.map(\.version) == migrator.migrations.map(\.version))
        #expect(try migrator.migrate(connection).isEmpty)
        #expect(try migrator.pending(connection).isEmpty)
        let recorded = try migrator.appliedMigrations(connection)
        #expect(recorded.count == migrator.migrations.count)
        #expect(recorded.allSatisfy { $0.checksum.count == 64 })
    }

    @Test func refusesWhenAnAppliedFileWasEdited() throws {
        let connection = try TestDatabase.connect(migrated: false)
        let original = try Migrator(directory: sqlDirectory)
        try original.migrate(connection)
        var edited = original.migrations
        edited[0] = Migration(version: edited[0].version, name: edited[0].name, sql: edited[0].sql + "\n-- an edit\n")
        let error = #expect(throws: HeadwayError.self) { try Migrator(migrations: edited).migrate(connection) }
        #expect(error?.message.contains("001_measurement_model.sql was edited after it was applied") == true)
        #expect(error?.message.contains("new numbered migration") == true)
        #expect(throws: HeadwayError.self) { try Migrator(migrations: edited).pending(connection) }
    }

    @Test func aFailingMigrationLeavesNothingBehind() throws {
        let connection = try TestDatabase.connect(migrated: false)
        let base = try Migrator(directory: sqlDirectory).migrations
        let broken = Migration(version: 999, name: "broken", sql: "CREATE TABLE headway.half (id int); SELECT 1/0;")
        #expect(throws: PostgresError.self) { try Migrator(migrations: base + [broken]).migrate(connection) }
        #expect(try connection.query("SELECT to_regclass('headway.half') IS NULL")[0].decode(Bool.self, at: 0))
        // The good ones before it stay applied; the broken one is still pending.
        #expect(try Migrator(migrations: base + [broken]).pending(connection).map(\.version) == [999])
    }

    @Test func refusesADatabaseFromANewerHeadway() throws {
        let connection = try TestDatabase.connect(migrated: false)
        let base = try Migrator(directory: sqlDirectory).migrations
        try Migrator(migrations: base + [Migration(version: 500, name: "future", sql: "SELECT 1")]).migrate(connection)
        let error = #expect(throws: HeadwayError.self) { try Migrator(migrations: base).migrate(connection) }
        #expect(error?.message.contains("does not know") == true)
    }

    @Test func concurrentMigratorsApplyEachFileOnce() async throws {
        let url = try TestDatabase.create(migrated: false)
        let directory = sqlDirectory
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask { try Migrator(directory: directory).migrate(try PostgresConnection(url: url)).count }
            }
            var total = 0
            for try await count in group { total += count }
            #expect(total == (try Migrator(directory: directory)).migrations.count)
        }
    }

    @Test func rejectsBadlyNamedFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1".write(to: directory.appendingPathComponent("init.sql"), atomically: true, encoding: .utf8)
        #expect(throws: HeadwayError.self) { try Migrator(directory: directory) }
    }

    /// Before 004 a report --as-of a past date could replace the present state; migrating puts
    /// the present back (and drops the series that historical report drew).
    @Test func migrating004PutsThePresentBack() throws {
        let admin = try TestDatabase.connect(migrated: false)
        let all = try Migrator(directory: sqlDirectory).migrations
        try Migrator(migrations: all.filter { $0.version < 4 }).migrate(admin)
        try admin.executeScript(
            """
            INSERT INTO headway.metrics (key, name, unit, kind) VALUES ('m', 'M', 'u', 'additive');
            INSERT INTO headway.commitments (key, title, metric, baseline_date, target_value, deadline)
            VALUES ('c', 'C', 'm', '2024-01-01', 10, '2024-12-31'), ('d', 'D', 'm', '2024-01-01', 10, '2024-12-31');
            INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, assessed_at, method_version, status, result) VALUES
                ('c', 1, (now() AT TIME ZONE 'UTC')::date, now() - interval '1 minute', '2', 'achieved', '{"progress": 12, "probability_met": 1}'),
                ('c', 1, '2024-06-30', now(), '2', 'at_risk', '{"progress": 3}'),
                ('d', 1, '2024-06-30', now(), '2', 'at_risk', '{"progress": 3}');
            UPDATE headway.commitment_state SET assessment_id = (SELECT max(id) FROM headway.assessments), status = 'at_risk',
                as_of = '2024-06-30', assessed_at = now(), progress = 3;
            INSERT INTO headway.latest_series (commitment_key, dates, progress, qualifiers, trajectory, fingerprint)
            VALUES ('c', '{2024-06-30}', '{3}', '{exact}', '{5}', 1);
            """)
        try Migrator(directory: sqlDirectory).migrate(admin)
        let rows = try admin.query(
            "SELECT key, status, as_of = (now() AT TIME ZONE 'UTC')::date, progress::text, probability_met::text FROM headway.commitment_status ORDER BY key")
        #expect(rows.map(\.values) == [["c", "achieved", "t", "12", "1"], ["d", nil, nil, nil, nil]])
        #expect(try admin.query("SELECT count(*) FROM headway.latest_series")[0].decode(Int.self, at: 0) == 0)
    }

    /// What PUBLIC, and so every other role of a shared database, may do there outside Headway's schema.
    static let publicPrivileges = """
        SELECT has_database_privilege('public', current_database(), 'TEMPORARY'),
               has_database_privilege('public', current_database(), 'CONNECT'),
               has_schema_privilege('public', 'public', 'CREATE'), has_schema_privilege('public', 'public', 'USAGE'),
               has_function_privilege('public', 'lo_create(oid)', 'EXECUTE'),
               has_function_privilege('public', 'lo_from_bytea(oid, bytea)', 'EXECUTE'),
               has_function_privilege('public', 'lo_import(text)', 'EXECUTE'), has_function_privilege('public', 'lo_import(text, oid)', 'EXECUTE'),
               (SELECT nspacl::text FROM pg_namespace WHERE nspname = 'public')
        """

    /// Migrating changes only what Headway owns: another application's user on the same database
    /// keeps its temporary tables, large objects and schema public as the server grants them.
    @Test func migratingLeavesOtherRolesPrivilegesAlone() throws {
        let url = try TestDatabase.create(migrated: false)
        let admin = try PostgresConnection(url: url)
        let other = "other_app_" + UUID().uuidString.prefix(8).lowercased()
        try admin.execute(SQLQuery("CREATE ROLE \(other) LOGIN", parameters: []))
        let before = try admin.query(SQLQuery(Self.publicPrivileges, parameters: []))[0].values
        #expect(before[0] == "t" && before[4] == "t")  // the server's defaults, which migrating must keep
        try Migrator(directory: sqlDirectory).migrate(admin)
        #expect(try admin.query(SQLQuery(Self.publicPrivileges, parameters: []))[0].values == before)
        let app = try PostgresConnection(url: TestDatabase.url(url, user: other))
        try app.execute("CREATE TEMP TABLE scratch (a int)")
        #expect(try app.query("SELECT lo_unlink(lo_create(0))")[0].decode(Int.self, at: 0) == 1)
    }

    /// The first form of 002 took TEMPORARY and the large-object functions from PUBLIC. A database
    /// it was applied to still migrates (its checksum is an accepted earlier form of 002), and 004
    /// gives back what it took.
    @Test func theEarlierFormOf002IsAcceptedAndWhatItTookIsGivenBack() throws {
        let url = try TestDatabase.create(migrated: false)
        let admin = try PostgresConnection(url: url)
        let before = try admin.query(SQLQuery(Self.publicPrivileges, parameters: []))[0].values
        let current = try Migrator(directory: sqlDirectory).migrations
        let corrected = try #require(current.first { $0.version == 2 })
        let cut = try #require(corrected.sql.range(of: "-- The writer keeps temporary tables"))
        let earlier = Migration(version: 2, name: corrected.name, sql: String(corrected.sql[..<cut.lowerBound]) + Self.earlierTailOf002)
        let old = Migrator(migrations: current.filter { $0.version < 4 }.map { $0.version == 2 ? earlier : $0 })
        #expect(try old.checksums(admin)[2] == "cdf19a7ce7e9d0ac28beb30fa0b245e0401aaee62d7b050c8ca7cea6cedc9ee5")
        try old.migrate(admin)
        #expect(try admin.query(SQLQuery(Self.publicPrivileges, parameters: []))[0].values != before)
        let applied = try Migrator(directory: sqlDirectory).migrate(admin)
        #expect(applied.map(\.version) == current.filter { $0.version >= 4 }.map(\.version))
        #expect(try admin.query(SQLQuery(Self.publicPrivileges, parameters: []))[0].values == before)
        // Only that earlier form: 002 recorded with any other checksum is still refused.
        try admin.execute("UPDATE headway.schema_migrations SET checksum = repeat('0', 64) WHERE version = 2")
        #expect(throws: HeadwayError.self) { try Migrator(directory: sqlDirectory).pending(admin) }
    }

    /// The end of 002 as first shipped, byte for byte.
    static let earlierTailOf002 = #"""
        -- Nobody else writes here: not temporary tables (the loader's staging needs them, so the writer
        -- keeps them), not large objects, not tables in schema public (PostgreSQL 15 and later already
        -- refuse that one by default).
        DO $$
        BEGIN
            EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
            EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO headway_writer', current_database());
            IF to_regnamespace('public') IS NOT NULL THEN
                REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            END IF;
        END
        $$;
        REVOKE EXECUTE ON FUNCTION lo_create(oid), lo_creat(integer), lo_from_bytea(oid, bytea), lo_import(text), lo_import(text, oid)
            FROM PUBLIC;

        """#
}
