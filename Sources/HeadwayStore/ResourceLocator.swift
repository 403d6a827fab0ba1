import Foundation

/// The files Headway ships: the `sql/` migrations and the demo's `seeds/`.
///
/// They are inside the binary, built in from the source tree's `sql/` and `seeds/` (the
/// EmbedFiles plugin writes them as Swift source at build time; those directories stay the
/// source of truth), so an installed `headway` needs nothing beside it. A developer can point
/// `HEADWAY_SQL_DIR` or `HEADWAY_SEEDS_DIR` at a directory to use instead.
public enum ResourceLocator {
    /// A shipped file: its name (`001_measurement_model.sql`) and its text.
    public typealias File = (name: String, text: String)

    /// The migrations: `$HEADWAY_SQL_DIR`'s files when it is set, else those built in.
    public static func migrations() throws -> [Migration] {
        if let directory = override("HEADWAY_SQL_DIR") { return try Migrator(directory: directory).migrations }
        return try Migrator(files: EmbeddedFiles.sql, origin: "sql (built in)").migrations
    }

    /// The seed files: `$HEADWAY_SEEDS_DIR`'s when it is set, else those built in; by name.
    public static func seeds() throws -> [File] {
        guard let directory = override("HEADWAY_SEEDS_DIR") else { return EmbeddedFiles.seeds }
        return try files(in: directory)
    }

    /// The repository root this binary was built from (`Sources/HeadwayStore/..` twice up), for
    /// tests that read the checkout's files. The binary itself never looks there.
    public static var sourceRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Every regular, non-hidden file of `directory` as UTF-8 text, in name order.
    static func files(in directory: URL) throws -> [File] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw HeadwayError("cannot read the directory \(directory.path): \(error.localizedDescription)")
        }
        return try names.compactMap { name in
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
            return (name, try String(contentsOf: url, encoding: .utf8))
        }
    }

    private static func override(_ variable: String) -> URL? {
        guard let path = ProcessInfo.processInfo.environment[variable], !path.isEmpty else { return nil }
        return URL(fileURLWithPath: path)
    }
}
