import Foundation
import HeadwayPostgres

/// One numbered SQL file in `sql/`, such as `001_measurement_model.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies `sql/` migrations in order, each in its own transaction, recording each with a
/// checksum; refuses to go on if an applied file was edited since (shipped migrations are
/// never edited: add a new file; the one exception is `acceptedEarlierChecksums`). Forward only.
public struct Migrator {
    public let migrations: [Migration]

    public init(migrations: [Migration]) { self.migrations = migrations }

    /// Reads every `NNN_name.sql` file of a directory, in version order.
    public init(directory: URL) throws {
        try self.init(files: try ResourceLocator.files(in: directory), origin: directory.path)
    }

    /// The `NNN_name.sql` files of `files` (name, text), in version order; `origin` names where
    /// they came from in errors.
    public init(files: [(name: String, text: String)], origin: String) throws {
        var migrations: [Migration] = []
        for (name, sql) in files where name.hasSuffix(".sql") {
            let stem = name.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw HeadwayError("\(origin)/\(name): a migration file is named NNN_description.sql")
            }
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw HeadwayError("\(origin): two migrations share version \(later.version)")
        }
        self.init(migrations: migrations)
    }

    /// A migration that has been applied, as recorded in the database.
    public struct Applied: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let checksum: String
        public let appliedAt: Date
    }

    /// Applies what is pending and returns it (empty when up to date).
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [Migration] {
        // Up to date: nothing to create, so a role that may only read or write gets through.
        if try ledgerExists(connection), try pending(connection).isEmpty { return [] }
        do {
            return try applyPending(connection)
        } catch let error as PostgresError where error.sqlState == .insufficientPrivilege {
            throw HeadwayError(
                "the database needs migrations this role may not apply (\(error.message)); "
                    + "run `headway db migrate` as the database's owner, with the right to create roles")
        }
    }

    private func applyPending(_ connection: PostgresConnection) throws -> [Migration] {
        try ensureLedger(connection)
        let checksums = try self.checksums(connection)
        var applied: [Migration] = []
        for migration in migrations {
            let didApply = try connection.transaction { connection -> Bool in
                // One migrator at a time; the others wait, then find the work done.
                try connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
                let recorded = try appliedMigrations(connection)
                try verify(recorded, checksums)
                if recorded.contains(where: { $0.version == migration.version }) { return false }
                try connection.executeScript(migration.sql)
                try connection.execute(
                    """
                    INSERT INTO headway.schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(checksums[migration.version]!))
                    """)
                return true
            }
            if didApply { applied.append(migration) }
        }
        return applied
    }

    /// The migrations not yet applied; throws if an applied file was edited.
    public func pending(_ connection: PostgresConnection) throws -> [Migration] {
        let recorded = try ledgerExists(connection) ? try appliedMigrations(connection) : []
        try verify(recorded, try checksums(connection))
        return migrations.filter { migration in !recorded.contains { $0.version == migration.version } }
    }

    public func appliedMigrations(_ connection: PostgresConnection) throws -> [Applied] {
        try connection.query("SELECT version, name, checksum, applied_at FROM headway.schema_migrations ORDER BY version")
            .map {
                Applied(
                    version: try $0.decode(at: 0), name: try $0.decode(at: 1), checksum: try $0.decode(at: 2),
                    appliedAt: try $0.decode(at: 3))
            }
    }

    /// SHA-256 of each file's text, hex, keyed by version (computed by the server's `sha256`).
    public func checksums(_ connection: PostgresConnection) throws -> [Int: String] {
        let rows = try connection.query(
            """
            SELECT encode(sha256(convert_to(sql, 'UTF8')), 'hex')
            FROM unnest(\(PostgresTextArray(migrations.map(\.sql)))::text[]) WITH ORDINALITY AS files(sql, position)
            ORDER BY position
            """)
        var checksums: [Int: String] = [:]
        for (migration, row) in zip(migrations, rows) { checksums[migration.version] = try row.decode(String.self, at: 0) }
        return checksums
    }

    private func verify(_ recorded: [Applied], _ checksums: [Int: String]) throws {
        for record in recorded {
            guard let migration = migrations.first(where: { $0.version == record.version }) else {
                throw HeadwayError(
                    "the database has migration \(record.version) (\(record.name)), which this version of Headway does not know; use a newer headway")
            }
            let current = checksums[migration.version] ?? ""
            guard current == record.checksum || Self.acceptedEarlierChecksums[record.version]?.contains(record.checksum) == true else {
                throw HeadwayError(
                    "migration \(String(format: "%03d", record.version))_\(record.name).sql was edited after it was applied "
                        + "(checksum \(current.prefix(12)) ≠ recorded \(record.checksum.prefix(12))); "
                        + "restore the file and put the change in a new numbered migration")
            }
        }
    }

    private func ledgerExists(_ connection: PostgresConnection) throws -> Bool {
        try connection.query("SELECT to_regclass('headway.schema_migrations') IS NOT NULL")[0].decode(Bool.self, at: 0)
    }

    private func ensureLedger(_ connection: PostgresConnection) throws {
        try connection.transaction { connection in
            try connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
            try connection.executeScript(
                """
                CREATE SCHEMA IF NOT EXISTS headway;
                CREATE TABLE IF NOT EXISTS headway.schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """)
        }
    }

    /// Earlier forms of shipped migrations that a later Headway corrected, by version: the
    /// checksums they were recorded with, still accepted. A correction is rare and comes with a
    /// migration that mends what the earlier form did: 002 once took privileges from PUBLIC on a
    /// whole shared database; the corrected 002 does not, and 004 gives them back where it did.
    static let acceptedEarlierChecksums: [Int: Set<String>] = [
        2: ["cdf19a7ce7e9d0ac28beb30fa0b245e0401aaee62d7b050c8ca7cea6cedc9ee5"]
    ]

    /// An arbitrary constant identifying Headway's migration lock.
    private static let lockKey = 7_303_445_219
}
