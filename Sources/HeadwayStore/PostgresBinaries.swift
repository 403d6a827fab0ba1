import Foundation

/// The PostgreSQL server programs (`initdb`, `pg_ctl`) of this machine.
public struct PostgresBinaries: Sendable {
    public let directory: String
    public var initdb: String { directory + "/initdb" }
    public var pgCtl: String { directory + "/pg_ctl" }
    public var pgBasebackup: String { directory + "/pg_basebackup" }

    /// What to tell someone whose machine has no PostgreSQL server.
    public static let installAdvice =
        "PostgreSQL's server programs (initdb, pg_ctl) were not found. Install them: "
        + "`sudo apt-get install postgresql` on Debian/Ubuntu, `brew install postgresql` on macOS; "
        + "or point HEADWAY_PG_BINDIR at their directory, or set HEADWAY_DATABASE_URL to use an existing server."

    /// Finds a directory holding both programs: `HEADWAY_PG_BINDIR`, then PATH, then
    /// `pg_config --bindir`, then the usual install locations (newest version first).
    public static func locate() throws -> PostgresBinaries {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let configured = environment["HEADWAY_PG_BINDIR"], !configured.isEmpty { candidates.append(configured) }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        candidates += pgConfigBindirs(in: candidates)
        candidates += versionedDirectories("/usr/lib/postgresql", suffix: "/bin")
        candidates += versionedDirectories("/opt/homebrew/opt", prefix: "postgresql", suffix: "/bin")
        candidates += versionedDirectories("/usr/local/opt", prefix: "postgresql", suffix: "/bin")
        candidates += ["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"]
        let fileManager = FileManager.default
        for directory in candidates
        where fileManager.isExecutableFile(atPath: directory + "/initdb") && fileManager.isExecutableFile(atPath: directory + "/pg_ctl") {
            // Where initdb really is (a PATH entry may hold a link to it): pg_basebackup is beside it.
            let real = URL(fileURLWithPath: directory + "/initdb").resolvingSymlinksInPath().deletingLastPathComponent().path
            return PostgresBinaries(directory: fileManager.isExecutableFile(atPath: real + "/pg_ctl") ? real : directory)
        }
        throw HeadwayError(installAdvice, kind: .database)
    }

    private static func pgConfigBindirs(in path: [String]) -> [String] {
        for directory in path where FileManager.default.isExecutableFile(atPath: directory + "/pg_config") {
            if let outcome = try? ProcessRunner.run(directory + "/pg_config", ["--bindir"]), outcome.succeeded {
                return [outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)]
            }
        }
        return []
    }

    /// Subdirectories of `parent` whose names start with `prefix`, highest version number first.
    private static func versionedDirectories(_ parent: String, prefix: String = "", suffix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        let version = { (name: String) -> Double in Double(name.dropFirst(prefix.count).filter { $0.isNumber || $0 == "." }) ?? 0 }
        return names.filter { $0.hasPrefix(prefix) }.sorted { version($0) > version($1) }.map { "\(parent)/\($0)\(suffix)" }
    }
}
