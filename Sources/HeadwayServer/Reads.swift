import Foundation
import HeadwayStore
import Logging

/// Where reads run: on the hot standbys given with `--read-replica` when one is healthy (taken
/// in turn), else on the primary; each read in one snapshot (docs/SCALING.md).
///
/// A request that names the last event its client saw (`Headway-Min-Event-Id`) is read only where
/// that event has been replayed: a standby that has it, or, after waiting up to
/// `readYourWritesWait` for one to catch up, the primary. Each read notes the version (last event
/// id) of the snapshot it saw in the request's `ReadContext`, so the cache never keeps a lagging
/// standby's answer as current.
final class Reads: Sendable {
    let primary: DatabasePool
    let replicas: ReadReplicas
    /// How long a read that must see an event waits for a standby to replay it before it goes to
    /// the primary.
    let readYourWritesWait: Duration

    /// The last event the server has heard of from the primary (`EventHub.version`).
    let knownVersion: @Sendable () -> Int64?

    init(primary: DatabasePool, replicas: ReadReplicas, readYourWritesWait: Duration = .seconds(2), knownVersion: @escaping @Sendable () -> Int64? = { nil }) {
        self.primary = primary
        self.replicas = replicas
        self.knownVersion = knownVersion
        self.readYourWritesWait = readYourWritesWait
    }

    /// Whether a page may be read ahead now: a pool thread is free, and no standby could have
    /// made it from a state older than the version it would be kept under.
    var mayReadAhead: Bool { replicas.isEmpty && primary.hasIdleThread }

    /// Runs `body` in one snapshot on a standby, or on the primary.
    func withSnapshot<T: Sendable>(_ body: @escaping @Sendable (Workspace) throws -> T) async throws -> T {
        try await withVersionedSnapshot { workspace, _ in try body(workspace) }
    }

    /// Runs `body` in one snapshot, telling it the snapshot's version (its last event's id): what
    /// it keeps by version must be kept by that one, which on a standby may be older than the
    /// server's.
    func withVersionedSnapshot<T: Sendable>(_ body: @escaping @Sendable (Workspace, Int64) throws -> T) async throws -> T {
        let context = ReadContext.current
        let minimum = context?.minimumEventID
        // An event this server has not heard of (a client's guess, or one the primary has not
        // announced yet) is asked of the primary at once, rather than waited for on the standbys.
        if let wanted = minimum, wanted > (knownVersion() ?? .max) { return try await onPrimary(body, context) }
        let deadline = ContinuousClock.now + readYourWritesWait
        while true {
            guard let replica = replicas.choose(minimumEventID: minimum) else {
                // None has the event yet: wait a little for one to replay it, then the primary.
                if minimum != nil, replicas.anyHealthy, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(25))
                    await replicas.refresh()
                    continue
                }
                break
            }
            do {
                let (value, version) = try await replica.pool.withWorkspace { try $0.inSnapshot(body) }
                // The monitor's view was a moment old: the snapshot says what it holds.
                if let minimum, version < minimum {
                    replica.noteBehind(version)
                    continue
                }
                context?.note(version: version, replica: replica.name)
                return value
            } catch let error as DatabaseUnavailable {
                replica.markDown(String(describing: error))
            } catch where HeadwayError.isCancelledForRecovery(error) {
                break  // the standby's replay cancelled the read: the primary answers it
            }
        }
        return try await onPrimary(body, context)
    }

    private func onPrimary<T: Sendable>(_ body: @escaping @Sendable (Workspace, Int64) throws -> T, _ context: ReadContext?) async throws -> T {
        let (value, version) = try await primary.withWorkspace { try $0.inSnapshot(body) }
        context?.note(version: version, replica: nil)
        return value
    }
}

/// What one request's reads saw: the lowest version (last event id) of their snapshots, and the
/// standby that answered, if any. Set for each request by `RevalidationMiddleware`.
final class ReadContext: @unchecked Sendable {
    @TaskLocal static var current: ReadContext?

    /// The client's `Headway-Min-Event-Id`: read only where this event has been replayed.
    let minimumEventID: Int64?
    private let lock = NSLock()
    private var seenVersion: Int64?
    private var seenReplica: String?

    init(minimumEventID: Int64?) { self.minimumEventID = minimumEventID }

    func note(version: Int64, replica: String?) {
        lock.withLock {
            seenVersion = min(seenVersion ?? .max, version)
            if let replica { seenReplica = replica }
        }
    }

    /// The oldest state the request's reads saw; nil when it read nothing.
    var version: Int64? { lock.withLock { seenVersion } }
    var replica: String? { lock.withLock { seenReplica } }
}
