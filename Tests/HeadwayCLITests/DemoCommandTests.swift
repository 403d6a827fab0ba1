import ArgumentParser
import HeadwayPostgres
import TestSupport
import Testing

@testable import HeadwayCLI

/// The main job end to end on a fresh database: the seeds apply and load, twice harmlessly.
@Suite struct DemoCommandTests {
    @Test func seedsLoadIdempotently() throws {
        let url = try TestDatabase.create(migrated: false)
        for _ in 0..<2 {
            var demo = try HeadwayCommand.parseAsRoot(["demo", "--database-url", url])
            try demo.run()
        }
        let connection = try PostgresConnection(url: url)
        let counts = try connection.query(
            """
            SELECT (SELECT count(*) FROM headway.commitments), (SELECT count(*) FROM headway.observations),
                   (SELECT count(*) FROM headway.definition_history),
                   (SELECT count(*) FROM headway.observations WHERE qualifier = 'at_least'),
                   (SELECT count(*) FROM headway.observations WHERE qualifier = 'about')
            """)[0]
        #expect(counts.values == ["4", "7", "0", "4", "1"])
        let closures = try connection.query(
            """
            SELECT period_start::text, period_end::text, value::text FROM headway.observation_current
            WHERE metric = 'county-lines-closures' ORDER BY period_start
            """)
        #expect(closures.map(\.values) == [["2019-01-01", "2024-03-31", "5600"], ["2022-04-01", "2024-03-31", "2500"]])
    }
}
