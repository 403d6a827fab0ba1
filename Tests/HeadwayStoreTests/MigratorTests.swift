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
}
