import Foundation
import HeadwayIngest
import HeadwayPostgres
import HeadwayStore
import TestSupport
import Testing

/// A migrated database with a source and three metrics defined, and helpers to load text.
/// Its files live in a folder of their own, removed when the fixture goes.
struct LoaderFixture {
    let connection: PostgresConnection
    let url: String
    private let scratch: ScratchDirectory
    var directory: URL { scratch.url }

    static let definitions = """
        sources:
          - key: answer
            title: Written answer
            published_on: 2024-04-05
        metrics:
          - key: closures
            name: County lines closed
            unit: lines
            kind: additive
          - key: officers
            name: Officers in post
            unit: officers
            kind: level
          - key: arrests
            name: Arrests
            unit: arrests
            kind: additive
        """

    init() throws {
        url = try TestDatabase.create()
        connection = try PostgresConnection(url: url)
        scratch = try ScratchDirectory("headway-load")
        _ = try DefinitionApplier(connection: connection).apply(try DefinitionsReader.read(text: Self.definitions, fileName: "defs.yaml"))
    }

    /// Writes `bytes` to a file named `name` in the fixture's directory and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }

    /// Loads `text` and checks the summary accounts for every data line of it.
    @discardableResult
    func load(_ text: String, name: String = "data.csv", options: ObservationLoader.Options = .init()) throws -> ObservationLoader.Summary {
        try load(Array(text.utf8), name: name, options: options)
    }

    @discardableResult
    func load(_ bytes: [UInt8], name: String = "data.csv", options: ObservationLoader.Options = .init()) throws -> ObservationLoader.Summary {
        let summary = try ObservationLoader(connection: connection, options: options).load([try file(name, bytes)])
        Self.expectAccounted(summary, for: [bytes])
        return summary
    }

    /// Loads `paths` within a transaction of the fixture's own, so that the loader's staging table
    /// outlives its load: the summary, how many rows were staged for the merge (0 without a table),
    /// and how many of those were staged without being compared with the stored figures.
    func loadCountingStaged(_ paths: [String], options: ObservationLoader.Options = .init()) throws -> (ObservationLoader.Summary, staged: Int, uncompared: Int) {
        try connection.transaction { connection in
            let summary = try ObservationLoader(connection: connection, options: options).load(paths)
            Self.expectAccounted(summary, for: try paths.map { Array(try Data(contentsOf: URL(fileURLWithPath: $0))) })
            guard try connection.query("SELECT to_regclass('pg_temp.headway_staging') IS NOT NULL")[0].decode(Bool.self, at: 0) else { return (summary, 0, 0) }
            let counts = try connection.query("SELECT count(*), count(*) FILTER (WHERE stored_latest IS NULL) FROM pg_temp.headway_staging")[0]
            return (summary, try counts.decode(Int.self, at: 0), try counts.decode(Int.self, at: 1))
        }
    }

    /// inserted + unchanged + revised + rejected = data lines, for every load.
    static func expectAccounted(_ summary: ObservationLoader.Summary, for files: [[UInt8]], sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = files.map { CSVRecords.dataRecords($0) }.reduce(0, +)
        #expect(
            summary.inserted + summary.unchanged + summary.revised + summary.rejected == lines && summary.rows == lines,
            "\(summary) for \(lines) data lines", sourceLocation: sourceLocation)
    }

    func snapshot() throws -> [String] { try TestDatabase.snapshot(connection) }

    func current(_ metric: String) throws -> [[String?]] {
        try connection.query(
            "SELECT period_start::text, period_end::text, value::text, qualifier, revision::text FROM headway.observation_current WHERE metric = \(metric) ORDER BY period_end, period_start"
        ).map(\.values)
    }

    /// A connection as a new `headway_writer` login: not the owner of the tables.
    func writerConnection() throws -> PostgresConnection {
        let login = "loader_\(UInt32.random(in: 0...UInt32.max))"
        try LoginGrants(connection: connection).grant(.writer, to: login, password: nil)
        return try PostgresConnection(url: TestDatabase.url(url, user: login))
    }

    func count() throws -> Int { try connection.query("SELECT count(*) FROM headway.observations")[0].decode(Int.self, at: 0) }
}
