import Foundation

/// Finds the files Headway ships beside its code: `sql/` migrations and `seeds/`.
///
/// Looked up in order: an environment variable (`HEADWAY_SQL_DIR`, `HEADWAY_SEEDS_DIR`),
/// `<executable>/../share/headway/<name>` (an installed copy, as in the Docker image), then the
/// source checkout this binary was built from.
public enum ResourceLocator {
    public static func sqlDirectory() throws -> URL { try locate("sql", environment: "HEADWAY_SQL_DIR") }
    public static func seedsDirectory() throws -> URL { try locate("seeds", environment: "HEADWAY_SEEDS_DIR") }

    /// The repository root this binary was built from (`Sources/HeadwayStore/..` twice up).
    public static var sourceRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    private static func locate(_ name: String, environment variable: String) throws -> URL {
        var candidates: [URL] = []
        if let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty {
            candidates.append(URL(fileURLWithPath: path))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("../share/headway/\(name)").standardized)
        candidates.append(sourceRoot.appendingPathComponent(name))
        var isDirectory: ObjCBool = false
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return candidate }
        }
        throw HeadwayError(
            "cannot find Headway's \(name)/ directory (looked in \(candidates.map(\.path).joined(separator: ", "))); set \(variable)")
    }
}
