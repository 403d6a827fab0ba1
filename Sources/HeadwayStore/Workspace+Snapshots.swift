import Foundation
import HeadwayPostgres

extension Workspace {
    /// Runs `body` in one snapshot (a `REPEATABLE READ READ ONLY` transaction), so an answer made
    /// of several statements sees one state, and returns with its result that state's version:
    /// the last event's id in the snapshot (on a standby, the last one it has replayed).
    public func inSnapshot<T>(_ body: (Workspace, _ version: Int64) throws -> T) throws -> (value: T, version: Int64) {
        try connection.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") { _ in
            let version = try events.lastID()
            return (try body(self, version), version)
        }
    }

    /// How a server of a replicated cluster stands: whether it is a standby (in recovery), the
    /// WAL it has replayed (a standby) or written (a primary), the age of the last transaction
    /// it replayed, and the last event it holds.
    public struct ReplicationState: Sendable {
        public let isStandby: Bool
        public let walPosition: String?
        public let secondsSinceReplay: Double?
        public let lastEventID: Int64
    }

    public func replicationState() throws -> ReplicationState {
        let row = try connection.query(
            """
            SELECT pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text,
                   extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8,
                   (SELECT coalesce(max(id), 0) FROM headway.events)
            """)[0]
        return ReplicationState(
            isStandby: try row.decode(Bool.self, at: 0), walPosition: try row.decode(String?.self, at: 1),
            secondsSinceReplay: try row.decode(Double?.self, at: 2), lastEventID: try row.decode(Int64.self, at: 3))
    }

    /// Pings the server: a reused connection shows it is broken before a write is run on it.
    public func ping() throws { try connection.executeScript("SELECT 1") }
}
