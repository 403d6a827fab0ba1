import Foundation
import HeadwayStore

/// The built `headway` executable, run as a separate process: for what only a real process
/// shows (being killed, exit statuses, what reaches stdout and stderr).
public enum HeadwayBinary {
    /// Next to the test bundle (`swift build --build-tests` builds it there).
    public static func path() throws -> String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("headway").path
        for candidate in [beside, ResourceLocator.sourceRoot.appendingPathComponent(".build/debug/headway").path]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw HeadwayError("the headway executable is not built: run `swift build --build-tests` first (scripts/test does)")
    }

    /// Starts `headway ARGUMENTS` on the database at `url` (through HEADWAY_DATABASE_URL, so the
    /// URL is in no argument list), with a private HEADWAY_HOME.
    public static func start(_ arguments: [String], url: String?, environment: [String: String?] = [:], separateErrors: Bool = true) throws -> ChildProcess {
        var changes: [String: String?] = ["HEADWAY_DATABASE_URL": url, "DATABASE_URL": nil, "NO_COLOR": "1"]
        if environment["HEADWAY_HOME"] == nil {
            changes["HEADWAY_HOME"] = FileManager.default.temporaryDirectory.appendingPathComponent("headway-home-\(UUID().uuidString)").path
        }
        changes.merge(environment) { $1 }
        return try ChildProcess([try path()] + arguments, environment: changes, separateErrors: separateErrors)
    }

    /// Runs `headway ARGUMENTS` to completion (see `start`).
    public static func run(_ arguments: [String], url: String?, environment: [String: String?] = [:]) throws -> ChildProcess.Outcome {
        try start(arguments, url: url, environment: environment).wait()
    }
}
