import ArgumentParser
import Foundation
import HeadwayStore

/// How a command finds its database, shared by every command that needs one.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL or conninfo (default: HEADWAY_DATABASE_URL, DATABASE_URL, else the embedded cluster).",
            valueName: "url"))
    var databaseURL: String?

    /// The configured URL, or nil when the embedded cluster is to be used.
    var configuredURL: String? {
        let environment = ProcessInfo.processInfo.environment
        for candidate in [databaseURL, environment["HEADWAY_DATABASE_URL"], environment["DATABASE_URL"]] {
            if let candidate, !candidate.isEmpty { return candidate }
        }
        return nil
    }

    /// The passwords of every database URL the command line or environment gives, parsed as
    /// libpq parses them, so that messages mask them in whatever spelling they appear.
    static func configuredPasswords(arguments: [String]) -> [String] {
        let environment = ProcessInfo.processInfo.environment
        var urls = [environment["HEADWAY_DATABASE_URL"], environment["DATABASE_URL"]].compactMap { $0 }
        for (index, argument) in arguments.enumerated() {
            if argument == "--database-url", index + 1 < arguments.count { urls.append(arguments[index + 1]) }
            if argument.hasPrefix("--database-url=") { urls.append(String(argument.dropFirst("--database-url=".count))) }
        }
        return urls.compactMap(DatabaseAddress.password)
    }

    /// The URL to connect to, starting the embedded cluster first if that is the one.
    func resolvedURL() throws -> String { try DatabaseAddress.resolve(configured: configuredURL) }

    /// Connects (to `url` when the caller has already resolved it); with `migrating`, applies
    /// pending migrations first, so every command sees the current schema.
    ///
    /// The embedded cluster is usually serving already: then connecting is all it takes, where
    /// making sure (`EmbeddedCluster.start`) forks `pg_config`, `runuser` and `pg_ctl` and opens
    /// a second connection, most of a small load's time. Only when connecting fails is it started.
    func workspace(url: String? = nil, migrating: Bool = true) throws -> Workspace {
        if let url = url ?? configuredURL { return try Workspace(url: url, migrating: migrating) }
        let cluster = EmbeddedCluster(home: EmbeddedCluster.defaultHome())
        if let workspace = try? Workspace(url: cluster.url, migrating: false) {
            if migrating { try workspace.migrate() }
            return workspace
        }
        try cluster.start()
        return try Workspace(url: cluster.url, migrating: migrating)
    }
}
