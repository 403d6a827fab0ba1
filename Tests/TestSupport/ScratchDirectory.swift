import Foundation

/// A folder in the temporary directory for one test's files, removed with everything in it when
/// the last reference goes, whether the test passed, failed or threw.
public final class ScratchDirectory: @unchecked Sendable {
    public let url: URL

    /// `prefix` names the folder after its test (`crash-…`, `hostile-…`).
    public init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to the file `name` and returns its path.
    public func file(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: false, encoding: .utf8)
        return path(name)
    }

    public func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() }
}
