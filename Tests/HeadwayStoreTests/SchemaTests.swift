import Foundation
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

/// The database enforces the model itself, whatever client writes to it.
@Suite struct SchemaTests {
    let db: PostgresConnection

    init() throws {
        db = try TestDatabase.connect()
        try db.executeScript(
            """
            INSERT INTO headway.sources (key, title, published_on) VALUES ('answer', 'Written answer', '2024-04-05');
            INSERT INTO headway.metrics (key, name, unit, kind) VALUES
                ('closures', 'County lines closed', 'lines', 'additive'),
                ('officers', 'Officers in post', 'officers', 'level');
            """)
    }

    private func insertObservation(_ metric: String, _ kind: String, _ start: String?, _ end: String, value: String = "1", qualifier: String = "exact") throws {
        try db.execute(
            """
            INSERT INTO headway.observations (metric, kind, period_start, period_end, value, qualifier, source, published_on)
            VALUES (\(metric), \(kind), \(start)::date, \(end)::date, \(value)::numeric, \(qualifier), 'answer', '2024-04-05')
            """)
    }

    private func sqlState(_ body: () throws -> Void) -> SQLState? {
        do {
            try body()
            return nil
        } catch {
            return (error as? PostgresError)?.sqlState
        }
    }

    @Test func observationsMustMatchTheirMetric() throws {
        try insertObservation("closures", "additive", "2022-04-01", "2024-03-31", value: "2500", qualifier: "at_least")
        try insertObservation("officers", "level", nil, "2023-03-31", value: "725")
        #expect(sqlState { try insertObservation("closures", "level", nil, "2024-03-31") } == .foreignKeyViolation)
        #expect(sqlState { try insertObservation("closures", "additive", nil, "2024-03-31") } == .checkViolation)
        #expect(sqlState { try insertObservation("officers", "level", "2023-01-01", "2023-03-31") } == .checkViolation)
        #expect(sqlState { try insertObservation("closures", "additive", "2024-04-01", "2024-03-31") } == .checkViolation)
        #expect(sqlState { try insertObservation("closures", "additive", "2022-04-01", "2024-03-31", qualifier: "over") } == .checkViolation)
        #expect(sqlState { try insertObservation("closures", "additive", "2022-04-01", "2024-03-31", value: "NaN") } == .checkViolation)
        #expect(sqlState { try insertObservation("nothing", "additive", "2022-04-01", "2024-03-31") } == .foreignKeyViolation)
        let undefinedSource = #expect(throws: PostgresError.self) {
            try db.execute(
                """
                INSERT INTO headway.observations (metric, kind, period_end, value, source, published_on)
                VALUES ('officers', 'level', '2020-03-31', 1, 'answer', '2024-04-05'), ('officers', 'level', '2021-03-31', 1, 'rumour', '2024-04-05')
                """)
        }
        #expect(undefinedSource?.sqlState == .foreignKeyViolation && undefinedSource?.message.contains("\"rumour\"") == true)
        // The same identity and revision twice is refused.
        #expect(sqlState { try insertObservation("officers", "level", nil, "2023-03-31", value: "726") } == .uniqueViolation)
    }

    @Test func observationsAreNeverUpdatedOrDeleted() throws {
        try insertObservation("officers", "level", nil, "2023-03-31", value: "725")
        #expect(sqlState { try db.execute("UPDATE headway.observations SET value = 1") } == SQLState("23000"))
        #expect(sqlState { try db.execute("DELETE FROM headway.observations") } == SQLState("23000"))
        #expect(sqlState { try db.execute("TRUNCATE headway.observations") } == SQLState("23000"))
        #expect(sqlState { try db.execute("DELETE FROM headway.metrics") } == SQLState("23000"))
    }

    @Test func aMetricsKindCannotChangeUnderItsData() throws {
        try insertObservation("officers", "level", nil, "2023-03-31", value: "725")
        #expect(sqlState { try db.execute("UPDATE headway.metrics SET kind = 'additive' WHERE key = 'officers'") } == .foreignKeyViolation)
    }

    @Test func theCurrentRevisionIsTheLatestPublished() throws {
        try db.execute(
            """
            INSERT INTO headway.observations (metric, kind, period_end, revision, value, published_on) VALUES
                ('officers', 'level', '2023-03-31', 1, 700, '2023-06-01'),
                ('officers', 'level', '2023-03-31', 2, 725, '2024-04-05'),
                ('officers', 'level', '2023-06-30', 1, 730, '2023-09-01')
            """)
        let rows = try db.query("SELECT period_end::text, value, revision FROM headway.observation_current ORDER BY period_end")
        #expect(rows.map { $0.values } == [["2023-03-31", "725", "2"], ["2023-06-30", "730", "1"]])
    }

    @Test func changedDefinitionsKeepTheirEarlierVersions() throws {
        try db.execute("UPDATE headway.metrics SET name = 'Lines closed' WHERE key = 'closures'")
        try db.execute("UPDATE headway.metrics SET name = 'Lines closed' WHERE key = 'closures'")  // no change: no version
        let metric = try db.query("SELECT name, version FROM headway.metrics WHERE key = 'closures'")[0]
        #expect(metric.values == ["Lines closed", "2"])
        let history = try db.query(
            "SELECT version, definition->>'name' FROM headway.definition_history WHERE table_name = 'metrics' AND key = 'closures'")
        #expect(history.map(\.values) == [["1", "County lines closed"]])
        #expect(sqlState { try db.execute("UPDATE headway.metrics SET key = 'renamed' WHERE key = 'closures'") } == SQLState("23000"))
    }

    @Test func commitmentsStateExactlyOneTargetAfterTheirBaseline() throws {
        func insert(_ columns: String, _ values: String) throws {
            try db.executeScript(
                """
                INSERT INTO headway.commitments (key, title, metric, baseline_date, deadline, \(columns))
                VALUES ('c\(UUID().uuidString.prefix(8))', 'A pledge', 'closures', '2022-04-01', '2025-04-30', \(values))
                """)
        }
        try insert("target_value, comparison", "2000, 'at_least'")
        #expect(sqlState { try insert("target_value, target_change", "2000, 100") } == .checkViolation)
        #expect(sqlState { try insert("comparison", "'at_least'") } == .checkViolation)
        #expect(sqlState { try insert("target_value, comparison", "2000, 'more'") } == .checkViolation)
        #expect(sqlState { try insert("target_value, milestones", "2000, '{}'") } == .checkViolation)
        #expect(sqlState {
            try db.executeScript(
                "INSERT INTO headway.commitments (key, title, metric, baseline_date, deadline, target_value) VALUES ('late', 'x', 'closures', '2025-01-01', '2024-01-01', 1)")
        } == .checkViolation)
        #expect(sqlState {
            try db.executeScript(
                "INSERT INTO headway.commitments (key, title, metric, baseline_date, deadline, target_value) VALUES (' padded', 'x', 'closures', '2022-01-01', '2024-01-01', 1)")
        } == .checkViolation)
    }
}
