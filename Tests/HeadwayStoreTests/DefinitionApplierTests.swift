import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

@Suite struct DefinitionApplierTests {
    static let seeds = ResourceLocator.sourceRoot.appendingPathComponent("seeds/written-answer-2024-04-05.yaml").path

    private func apply(_ connection: PostgresConnection, _ text: String, dryRun: Bool = false) throws -> [DefinitionApplier.Change] {
        try DefinitionApplier(connection: connection).apply(try DefinitionsReader.read(text: text, fileName: "defs.yaml"), dryRun: dryRun)
    }

    @Test func applyingTheSameFileTwiceChangesNothing() throws {
        let connection = try TestDatabase.connect()
        let definitions = try DefinitionsReader.read(path: Self.seeds)
        let first = try DefinitionApplier(connection: connection).apply(definitions)
        #expect(first.allSatisfy { $0.action == .created })
        #expect(first.count == 12)
        let second = try DefinitionApplier(connection: connection).apply(definitions)
        #expect(second.allSatisfy { $0.action == .unchanged })
        #expect(try connection.query("SELECT count(*) FROM headway.definition_history")[0].decode(Int.self, at: 0) == 0)
        let stored = try connection.query(
            """
            SELECT baseline_date::text, target_value::text, comparison, deadline::text, deadline_precision, extends, tags::text
            FROM headway.commitments WHERE key = 'county-lines-3000-closures-by-august-2024'
            """)[0]
        #expect(stored.values == ["2022-04-01", "3000", "at_least", "2024-08-31", "month", "drugs-strategy-2000-closures", "{drugs-strategy,county-lines}"])
    }

    static let pledge = """
        sources:
          - { key: s, title: A source, published_on: 2024-01-01 }
        metrics:
          - { key: police, name: Police officers, unit: officers, kind: level }
        commitments:
          - key: uplift
            title: Recruit 20,000 extra police officers by March 2023
            metric: police
            baseline: { date: 2019-09-30, value: 123171 }
            target: { change: "+20000" }
            deadline: 2023-03
            milestones:
              - { date: 2021-03, value: 6000 }
              - { date: 2022-03, value: 12000 }
            tags: [police]
        """

    @Test func aChangedDefinitionIsUpdatedAndItsEarlierVersionKept() throws {
        let connection = try TestDatabase.connect()
        _ = try apply(connection, Self.pledge)
        let changed = Self.pledge.replacingOccurrences(of: "by March 2023", with: "by 31 March 2023")
            .replacingOccurrences(of: "deadline: 2023-03", with: "deadline: 2023-03-31")
        let changes = try apply(connection, changed)
        #expect(changes.filter { $0.action == .updated }.map(\.description) == ["updated commitment uplift (deadline_precision, title)"])
        let versions = try connection.query(
            """
            SELECT c.version, c.title, h.version, h.definition->>'title', c.deadline_precision, c.target_change::text, c.milestones::text
            FROM headway.commitments c JOIN headway.definition_history h ON h.key = c.key AND h.table_name = 'commitments'
            """)
        #expect(versions.count == 1)
        #expect(versions[0].values == [
            "2", "Recruit 20,000 extra police officers by 31 March 2023", "1", "Recruit 20,000 extra police officers by March 2023", "day",
            "20000", #"[{"date": "2021-03-31", "value": 6000}, {"date": "2022-03-31", "value": 12000}]"#,
        ])
    }

    @Test func dryRunReportsAndWritesNothing() throws {
        let connection = try TestDatabase.connect()
        let planned = try apply(connection, Self.pledge, dryRun: true)
        #expect(planned.map(\.description) == ["created source s", "created metric police", "created commitment uplift"])
        #expect(try connection.query("SELECT count(*) FROM headway.commitments")[0].decode(Int.self, at: 0) == 0)
        _ = try apply(connection, Self.pledge)
        let update = try apply(connection, Self.pledge.replacingOccurrences(of: "unit: officers", with: "unit: people"), dryRun: true)
        #expect(update.filter { $0.action == .updated }.map(\.description) == ["updated metric police (unit)"])
        #expect(try connection.query("SELECT unit FROM headway.metrics")[0].decode(String.self, at: 0) == "officers")
    }

    @Test func referencesMustBeDefined() throws {
        let connection = try TestDatabase.connect()
        let undefinedMetric = #expect(throws: InputError.self) {
            try apply(connection, Self.pledge.replacingOccurrences(of: "metric: police", with: "metric: polis"))
        }
        #expect(undefinedMetric?.description == "defs.yaml:8: field metric: \"polis\" is not a defined metric")
        let undefinedExtends = #expect(throws: InputError.self) {
            try apply(connection, Self.pledge + "\n    extends: nothing\n")
        }
        #expect(undefinedExtends?.description.hasPrefix("defs.yaml:16: field extends:") == true)
        let percentOnAdditive = #expect(throws: InputError.self) {
            try apply(
                connection,
                Self.pledge.replacingOccurrences(of: "kind: level", with: "kind: additive")
                    .replacingOccurrences(of: "baseline: { date: 2019-09-30, value: 123171 }", with: "baseline: { date: 2019-09-30 }")
                    .replacingOccurrences(of: "\"+20000\"", with: "\"-10%\""))
        }
        #expect(percentOnAdditive?.description.contains("field target: a percentage change target needs a level metric") == true)
        let overOnALevel = #expect(throws: InputError.self) {
            try apply(connection, Self.pledge.replacingOccurrences(of: "target: { change: \"+20000\" }", with: "target: { change: \"+20000\", over: year }"))
        }
        #expect(overOnALevel?.description == "defs.yaml:10: field target.over: over: year applies to additive metrics (amounts over periods); \"police\" is a level")
        #expect(try connection.query("SELECT count(*) FROM headway.metrics")[0].decode(Int.self, at: 0) == 0)
    }

    @Test func extendedCommitmentsAreWrittenFirstAndCyclesRefused() throws {
        let connection = try TestDatabase.connect()
        let renewal = Self.pledge + """

              - key: renewal
                title: Keep the uplift
                metric: police
                baseline: { date: 2023-03-31 }
                target: { value: 149000 }
                deadline: 2024-03
                extends: uplift
            """
        // The renewal comes first in no particular order; it must still be stored after what it extends.
        let reordered = renewal.replacingOccurrences(of: "  - key: uplift", with: "  - key: uplift")
        #expect(try apply(connection, reordered).filter { $0.action == .created }.count == 4)
        let cycle = renewal.replacingOccurrences(of: "    tags: [police]", with: "    tags: [police]\n    extends: renewal")
        let connection2 = try TestDatabase.connect()
        let error = #expect(throws: InputError.self) { try apply(connection2, cycle) }
        #expect(error?.description.contains("cycle") == true)
    }

    /// Bounds: a load refuses figures outside them at their line, writing nothing; bounds that
    /// stored figures break are refused at `apply`, naming the figure.
    @Test func boundsRefuseFiguresAtLoadAndAtApply() throws {
        let fixture = try LoaderFixture()
        let definitions = "metrics:\n  - { key: arrests, name: Arrests, unit: arrests, kind: additive }\n"
        _ = try DefinitionApplier(connection: fixture.connection).apply(try DefinitionsReader.read(text: definitions, fileName: "m.yaml"))
        let header = "metric,period_start,period_end,value,qualifier,source,published_on,note\n"
        try fixture.load(header + "arrests,2024-01,2024-01,-2,,,2024-02-01,a correction\n")
        let bounded = definitions.replacingOccurrences(of: "kind: additive }", with: "kind: additive, min: 0 }")
        let refused = #expect(throws: InputError.self) {
            try DefinitionApplier(connection: fixture.connection).apply(try DefinitionsReader.read(text: bounded, fileName: "m.yaml"))
        }
        #expect(refused?.description == "m.yaml:2: field min: metric \"arrests\" has a figure outside these bounds (-2 for 2024-01-01..2024-01-31)")
        let stops = "metrics:\n  - { key: stops, name: Stops, unit: stops, kind: additive, min: 0 }\n"
        _ = try DefinitionApplier(connection: fixture.connection).apply(try DefinitionsReader.read(text: stops, fileName: "s.yaml"))
        let loadRefused = #expect(throws: (any Error).self) {
            try fixture.load(header + "stops,2024-01,2024-01,5,,,2024-02-01,\nstops,2024-02,2024-02,-1,,,2024-03-01,\n")
        }
        #expect(loadRefused.map { String(describing: $0) }?.contains(":3: column value: -1 is below the metric's min of 0") == true, "\(String(describing: loadRefused))")
        #expect(try fixture.connection.query("SELECT count(*) FROM headway.observations WHERE metric = 'stops'")[0].decode(Int.self, at: 0) == 0)
    }
}
