import Foundation
import HeadwayIngest
import HeadwayPostgres
import HeadwayStore
import TestSupport

/// A migrated database with a source and three metrics defined, and helpers to load text.
struct LoaderFixture {
    let connection: PostgresConnection
    let url: String
    let directory: URL

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
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("headway-load-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try DefinitionApplier(connection: connection).apply(try DefinitionsReader.read(text: Self.definitions, fileName: "defs.yaml"))
    }

    /// Writes `bytes` to a file named `name` in the fixture's directory and returns its path.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }

    @discardableResult
    func load(_ text: String, name: String = "data.csv", options: ObservationLoader.Options = .init()) throws -> ObservationLoader.Summary {
        try ObservationLoader(connection: connection, options: options).load([try file(name, text)])
    }

    func snapshot() throws -> [String] { try TestDatabase.snapshot(connection) }

    func current(_ metric: String) throws -> [[String?]] {
        try connection.query(
            "SELECT period_start::text, period_end::text, value::text, qualifier, revision::text FROM headway.observation_current WHERE metric = \(metric) ORDER BY period_end, period_start"
        ).map(\.values)
    }

    func count() throws -> Int { try connection.query("SELECT count(*) FROM headway.observations")[0].decode(Int.self, at: 0) }
}
