import Foundation
import HeadwayReport
import HeadwayStore
import Logging

/// The hot standbys reads may go to (`--read-replica`), each with a pool of its own and what the
/// monitor last saw of it. A standby is in rotation while it answers, is still a standby (not
/// promoted), and is no more than `maxLag` behind the primary; it returns once healthy again.
final class ReadReplicas: @unchecked Sendable {
    final class Replica: @unchecked Sendable {
        let name: String
        let pool: DatabasePool
        private let lock = NSLock()
        private var current = State()

        struct State: Sendable {
            var healthy = false
            /// Why it is out of rotation ("not checked yet", "unreachable: …", "promoted", "lagging 42 s").
            var reason: String? = "not checked yet"
            var lagSeconds: Double?
            var replayPosition: String?
            var replayedEventID: Int64?
        }

        init(name: String, pool: DatabasePool) {
            self.name = name
            self.pool = pool
        }

        var state: State { lock.withLock { current } }

        func update(_ state: State) { lock.withLock { current = state } }

        /// A read found it unreachable: out until the monitor sees it answer.
        func markDown(_ why: String) {
            lock.withLock {
                current.healthy = false
                current.reason = "unreachable: \(why)"
            }
        }

        /// A snapshot showed it has replayed only up to `eventID`.
        func noteBehind(_ eventID: Int64) { lock.withLock { current.replayedEventID = min(current.replayedEventID ?? eventID, eventID) } }
    }

    let replicas: [Replica]
    let maxLag: Double
    private let primary: DatabasePool
    private let logger: Logger
    private let lock = NSLock()
    private var turn = 0
    /// The primary's WAL positions the monitor noted, oldest first (a little over --max-replica-lag
    /// of them), and whether it answered the last check.
    private var primaryPositions: [(time: Date, position: UInt64)] = []
    private var primaryReachableNow = true
    var primaryReachable: Bool { lock.withLock { primaryReachableNow } }

    init(urls: [String], poolSize: Int, maxLag: Double, primary: DatabasePool, logger: Logger) {
        replicas = urls.enumerated().map { index, url in
            Replica(name: "replica-\(index + 1)", pool: DatabasePool(url: Self.withConnectTimeout(url), size: poolSize, logger: logger))
        }
        self.maxLag = maxLag
        self.primary = primary
        self.logger = logger
    }

    /// A standby that cannot be reached should not hold up the monitor or a waiting read for
    /// libpq's default (no timeout): 3 s, unless the URL says otherwise.
    static func withConnectTimeout(_ url: String) -> String {
        guard !url.contains("connect_timeout") else { return url }
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else { return url + " connect_timeout=3" }
        return url + (url.contains("?") ? "&" : "?") + "connect_timeout=3"
    }

    var isEmpty: Bool { replicas.isEmpty }
    var anyHealthy: Bool { replicas.contains { $0.state.healthy } }

    /// A healthy standby that has replayed `minimumEventID` (as far as the monitor knows), taken
    /// in turn; nil when there is none.
    func choose(minimumEventID: Int64?) -> Replica? {
        let candidates = replicas.filter { replica in
            let state = replica.state
            return state.healthy && (minimumEventID.map { state.replayedEventID ?? .min >= $0 } ?? true)
        }
        guard !candidates.isEmpty else { return nil }
        return lock.withLock {
            turn &+= 1
            return candidates[turn % candidates.count]
        }
    }

    /// Checks the standbys now: a read waiting for one to replay an event. Reads waiting at once
    /// share the checks: at most one round each 25 ms.
    func refresh() async {
        let due = lock.withLock { () -> Bool in
            guard Date().timeIntervalSince(lastRefresh) >= 0.025 else { return false }
            lastRefresh = Date()
            return true
        }
        guard due else { return }
        for replica in replicas { await check(replica) }
    }

    private var lastRefresh = Date.distantPast

    /// Checks the primary and every standby once a second until cancelled.
    func monitor() async {
        guard !isEmpty else { return }
        while !Task.isCancelled {
            await checkAll()
            try? await Task.sleep(for: .seconds(1))
        }
    }

    func checkAll() async {
        let primaryState = try? await primary.withWorkspace { try $0.replicationState() }
        lock.withLock {
            primaryReachableNow = primaryState != nil
            if let position = Self.position(primaryState?.walPosition) {
                let now = Date()
                primaryPositions.append((now, position))
                primaryPositions.removeAll { now.timeIntervalSince($0.time) > maxLag + 5 }
            }
        }
        for replica in replicas { await check(replica) }
    }

    private func check(_ replica: Replica) async {
        let state = try? await replica.pool.withWorkspace { try $0.replicationState() }
        replica.update(judge(state))
    }

    /// What a standby's state means for the rotation. Its lag is how long ago the primary's WAL
    /// was where the standby's replay is now (from the primary's positions the monitor noted
    /// each second): not the age of the last transaction it replayed, which after a quiet hour
    /// would be an hour however current it is, and not events alone, since a token's revocation
    /// writes none.
    private func judge(_ state: Workspace.ReplicationState?) -> Replica.State {
        guard let state else { return Replica.State(healthy: false, reason: "unreachable") }
        guard state.isStandby else {
            return Replica.State(healthy: false, reason: "promoted: no longer a standby of the primary", replayPosition: state.walPosition, replayedEventID: state.lastEventID)
        }
        let (samples, reachable) = lock.withLock { (primaryPositions, primaryReachableNow) }
        var lag: Double? = nil
        if reachable, let latest = samples.last, let replayed = Self.position(state.walPosition) {
            if replayed >= latest.position {
                lag = 0
            } else {
                let since = samples.last { $0.position <= replayed }?.time ?? samples.first!.time
                lag = max(0, Date().timeIntervalSince(since))
            }
        }
        // With the primary down, nothing says how far behind a standby is: it serves the reads.
        let healthy = (lag ?? 0) <= maxLag
        return Replica.State(
            healthy: healthy,
            reason: healthy ? nil : "lagging \(Int((lag ?? 0).rounded())) s behind the primary (more than --max-replica-lag \(Int(maxLag)) s)",
            lagSeconds: lag, replayPosition: state.walPosition, replayedEventID: state.lastEventID)
    }

    /// A WAL position, `16/B374D848`, as a number.
    static func position(_ text: String?) -> UInt64? {
        guard let parts = text?.split(separator: "/"), parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16) else {
            return nil
        }
        return high << 32 | low
    }

    /// For `/readyz`: the primary's state and each standby's, when there are standbys.
    var readiness: [(String, JSONValue)] {
        guard !isEmpty else { return [] }
        return [
            ("primary", .string(primaryReachable ? "reachable" : "unreachable")),
            (
                "replicas",
                .array(
                    replicas.map { replica in
                        let state = replica.state
                        return .object([
                            ("name", .string(replica.name)), ("in_rotation", .bool(state.healthy)), ("reason", state.reason.map(JSONValue.string) ?? .null),
                            ("lag_seconds", state.lagSeconds.map { .number(String(format: "%.3f", $0)) } ?? .null),
                            ("replay_lsn", state.replayPosition.map(JSONValue.string) ?? .null),
                            ("replayed_event_id", state.replayedEventID.map { .number(String($0)) } ?? .null),
                        ])
                    })
            ),
        ]
    }

    /// For `/metrics`: each standby's state, lag and replayed event.
    var metricsText: String {
        guard !isEmpty else { return "" }
        var lines = [
            "# HELP headway_replica_in_rotation Whether reads go to the standby (1) or it is out of rotation (0).",
            "# TYPE headway_replica_in_rotation gauge",
        ]
        for replica in replicas { lines.append("headway_replica_in_rotation{replica=\"\(replica.name)\"} \(replica.state.healthy ? 1 : 0)") }
        lines += ["# HELP headway_replica_lag_seconds How far the standby's replay is behind the primary.", "# TYPE headway_replica_lag_seconds gauge"]
        for replica in replicas { if let lag = replica.state.lagSeconds { lines.append("headway_replica_lag_seconds{replica=\"\(replica.name)\"} \(lag)") } }
        lines += ["# HELP headway_replica_replayed_event_id The last event the standby has replayed.", "# TYPE headway_replica_replayed_event_id gauge"]
        for replica in replicas {
            if let id = replica.state.replayedEventID { lines.append("headway_replica_replayed_event_id{replica=\"\(replica.name)\"} \(id)") }
        }
        lines += ["# HELP headway_primary_up Whether the primary answered its last check.", "# TYPE headway_primary_up gauge", "headway_primary_up \(primaryReachable ? 1 : 0)"]
        return lines.joined(separator: "\n") + "\n"
    }

    func shutdown() async {
        for replica in replicas { try? await replica.pool.shutdown() }
    }
}
