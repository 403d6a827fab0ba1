import HeadwayReport
import Foundation

/// The overview's sparklines, by commitment key and series fingerprint. A commitment's latest
/// series changes only with a new assessment that changes it (and then its fingerprint), so a
/// line drawn once serves every page that shows it until then. Pages are made again after
/// every write, and most of their lines are the ones drawn before: reading and drawing the
/// series' numbers was most of a page's work. Bounded: when full, it starts again empty.
///
/// Shared by requests on every event loop: guarded by a lock.
final class SparklineMemo: @unchecked Sendable {
    /// About 10 MB of lines at most (a line is some 400 bytes).
    let capacity: Int
    private let lock = NSLock()
    private var lines: [String: (fingerprint: Int64, line: HTML)] = [:]

    init(capacity: Int = 25_000) {
        self.capacity = capacity
    }

    /// The line kept for `key`, if it was drawn from the series with this fingerprint.
    func line(_ key: String, fingerprint: Int64) -> HTML? {
        lock.withLock { lines[key].flatMap { $0.fingerprint == fingerprint ? $0.line : nil } }
    }

    func keep(_ line: HTML, key: String, fingerprint: Int64) {
        lock.withLock {
            if lines.count >= capacity, lines[key] == nil { lines.removeAll(keepingCapacity: true) }
            lines[key] = (fingerprint, line)
        }
    }

    var count: Int { lock.withLock { lines.count } }
}
