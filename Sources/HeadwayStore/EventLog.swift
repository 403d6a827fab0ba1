import Foundation
import HeadwayPostgres

/// One row of `headway.events` (sql/006): what changed, announced by the database.
public struct StoredEvent: Sendable, Equatable {
    /// Increasing, in commit order.
    public let id: Int64
    /// `assessment`, `status`, `observations` or `definitions`.
    public let type: String
    /// The payload as compact JSON on one line: `{"commitments":[…],"metrics":[…],…}`.
    public let data: String
    public let commitments: [String]
    public let metrics: [String]

    public static let types = ["assessment", "status", "observations", "definitions"]
    /// The channel the database notifies, with the last event's id, when events are stored.
    public static let channel = "headway_events"
}

/// Reads the events the database stored (sql/006_events.sql).
public struct EventLog {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// The id of the last stored event; 0 when there is none.
    public func lastID() throws -> Int64 {
        try connection.query("SELECT coalesce(max(id), 0) FROM headway.events")[0].decode(Int64.self, at: 0)
    }

    /// Events after `id`, in id order, at most `limit` of them.
    public func events(after id: Int64, limit: Int) throws -> [StoredEvent] {
        try connection.query("SELECT id, type, payload::text FROM headway.events WHERE id > \(id) ORDER BY id LIMIT \(limit)").map { row in
            try Self.event(id: row.decode(Int64.self, at: 0), type: row.decode(String.self, at: 1), payload: row.decode(String.self, at: 2))
        }
    }

    /// The metric of commitment `key`; nil when there is no such commitment.
    public func metric(ofCommitment key: String) throws -> String? {
        try connection.query("SELECT metric FROM headway.commitments WHERE key = \(key)").first?.decode(String.self, at: 0)
    }

    /// The payload re-written compactly (PostgreSQL writes jsonb with spaces), keys sorted.
    static func event(id: Int64, type: String, payload: String) throws -> StoredEvent {
        guard let object = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any] else {
            throw HeadwayError("event \(id) has a payload that is not a JSON object")
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return StoredEvent(
            id: id, type: type, data: String(decoding: data, as: UTF8.self),
            commitments: object["commitments"] as? [String] ?? [], metrics: object["metrics"] as? [String] ?? [])
    }
}
