import Foundation
import HeadwayPostgres

/// The webhooks of this database (sql/014): what `headway webhook` and `/api/v1/webhooks` manage,
/// and `headway serve` delivers (see `WebhookOutbox`). A hook's secret is returned by `add` and
/// `rotateSecret` only; it is stored because every delivery is signed with it.
public struct Webhooks {
    /// What a hook may ask for: the types of `headway.events`.
    public enum EventType: String, Sendable, CaseIterable {
        case status, assessment, observations, definitions
    }

    /// A hook to add: where to, which events, and for which commitments.
    public struct NewHook: Sendable {
        public var url: String
        /// Empty: status changes only.
        public var events: [EventType]
        public var tag: String?
        public var commitment: String?
        public var description: String?
        /// Whether loopback and private-network receivers are allowed.
        public var allowPrivate: Bool

        public init(url: String, events: [EventType] = [], tag: String? = nil, commitment: String? = nil, description: String? = nil, allowPrivate: Bool = false) {
            self.url = url
            self.events = events
            self.tag = tag
            self.commitment = commitment
            self.description = description
            self.allowPrivate = allowPrivate
        }
    }

    /// A hook as `list` shows it: never its secret.
    public struct Hook: Sendable, Equatable {
        public let id: Int64
        public let url: String
        public let events: [EventType]
        public let tag: String?
        public let commitment: String?
        public let description: String?
        public let allowPrivate: Bool
        /// UTC times, `2026-11-30T08:14:23Z`.
        public let createdAt: String
        public let disabledAt: String?
        public let disabledReason: String?
        /// Messages waiting to go out (being retried, or behind one that is).
        public let pending: Int
        public let lastDeliveredAt: String?
    }

    /// One message to one hook and how its delivery went.
    public struct Delivery: Sendable, Equatable {
        public enum State: String, Sendable { case delivered, pending, failed }
        public let hook: Int64
        /// The `webhook-id` header.
        public let messageID: String
        public let eventID: Int64
        public let type: String
        public let commitment: String?
        public let state: State
        public let attempts: Int
        public let lastAttemptAt: String?
        /// The receiver's HTTP status at the last attempt; nil when none was had.
        public let lastStatus: Int?
        public let lastError: String?
        /// When it will be tried next (pending only).
        public let nextAttemptAt: String?
        public let deliveredAt: String?
    }

    let connection: PostgresConnection

    init(connection: PostgresConnection) { self.connection = connection }

    /// Adds a hook that receives the events stored from now on, and returns it with its secret.
    /// - Throws: `HeadwayError` (input) for a URL that is not http(s), a private receiver
    ///   without `allowPrivate`, or an unknown commitment.
    public func add(_ new: NewHook) throws -> (hook: Hook, secret: String) {
        let url = try WebhookAddress.validated(new.url, allowPrivate: new.allowPrivate)
        let events = new.events.isEmpty ? [EventType.status] : new.events
        let secret = WebhookSecret.generate()
        let id: Int64
        do {
            id = try connection.query(
                """
                INSERT INTO headway.webhooks (url, events, tag, commitment, description, allow_private, secret, cursor_event_id)
                VALUES (\(url), \(Self.arrayLiteral(events.map(\.rawValue)))::text[], \(new.tag.flatMap { $0.isEmpty ? nil : $0 }),
                        \(new.commitment), \(new.description), \(new.allowPrivate), \(secret),
                        (SELECT coalesce(max(id), 0) FROM headway.events))
                RETURNING id
                """)[0].decode(Int64.self, at: 0)
        } catch let error as PostgresError where error.sqlState == .foreignKeyViolation {
            throw HeadwayError("no commitment \(String(reflecting: new.commitment ?? "")): --commitment names the key of a commitment applied already", kind: .input)
        }
        return (try hook(id), secret)
    }

    /// Every hook, disabled ones too, by id.
    public func list() throws -> [Hook] {
        try connection.query(
            """
            SELECT w.id, w.url, array_to_string(w.events, ','), w.tag, w.commitment, w.description, w.allow_private,
                   \(unsafeSQL: Self.utc("w.created_at")), \(unsafeSQL: Self.utc("w.disabled_at")), w.disabled_reason,
                   (SELECT count(*) FROM headway.webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_at IS NULL AND d.failed_at IS NULL),
                   (SELECT \(unsafeSQL: Self.utc("max(d.delivered_at)")) FROM headway.webhook_deliveries d WHERE d.webhook_id = w.id)
            FROM headway.webhooks w ORDER BY w.id
            """
        ).map(Self.hook)
    }

    /// The hook numbered `id`.
    /// - Throws: `HeadwayError` (input) when there is none.
    public func hook(_ id: Int64) throws -> Hook {
        guard let hook = try list().first(where: { $0.id == id }) else { throw Self.noSuchHook(id) }
        return hook
    }

    /// Removes the hook numbered `id`, with its record of deliveries.
    /// - Throws: `HeadwayError` (input) when there is none.
    public func remove(id: Int64) throws {
        guard try connection.execute("DELETE FROM headway.webhooks WHERE id = \(id)") == 1 else { throw Self.noSuchHook(id) }
    }

    /// Gives the hook a new secret and returns it; the old one signs nothing from now on.
    /// - Throws: `HeadwayError` (input) when there is no such hook.
    public func rotateSecret(id: Int64) throws -> String {
        let secret = WebhookSecret.generate()
        guard try connection.execute("UPDATE headway.webhooks SET secret = \(secret) WHERE id = \(id)") == 1 else { throw Self.noSuchHook(id) }
        return secret
    }

    /// The latest deliveries, newest first: of hook `id` (else of every hook), and with `failedOnly`
    /// only those not delivered after at least one attempt (being retried, or given up).
    /// - Throws: `HeadwayError` (input) for an unknown hook.
    public func deliveries(hook id: Int64?, failedOnly: Bool = false, limit: Int = 100) throws -> [Delivery] {
        if let id { _ = try hook(id) }
        return try connection.query(
            """
            SELECT webhook_id, message_id, event_id, type, commitment_key,
                   CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN failed_at IS NOT NULL THEN 'failed' ELSE 'pending' END,
                   attempts, \(unsafeSQL: Self.utc("last_attempt_at")), last_status, last_error,
                   CASE WHEN delivered_at IS NULL AND failed_at IS NULL THEN \(unsafeSQL: Self.utc("next_attempt_at")) END,
                   \(unsafeSQL: Self.utc("delivered_at"))
            FROM headway.webhook_deliveries
            WHERE (\(id)::bigint IS NULL OR webhook_id = \(id)::bigint)
              AND (NOT \(failedOnly)::boolean OR (delivered_at IS NULL AND attempts > 0))
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map { row in
            guard let state = Delivery.State(rawValue: try row.decode(String.self, at: 5)) else { throw HeadwayError("delivery state unknown to this build") }
            return Delivery(
                hook: try row.decode(at: 0), messageID: try row.decode(at: 1), eventID: try row.decode(at: 2), type: try row.decode(at: 3),
                commitment: try row.decode(String?.self, at: 4), state: state, attempts: try row.decode(at: 6),
                lastAttemptAt: try row.decode(String?.self, at: 7), lastStatus: try row.decode(Int?.self, at: 8),
                lastError: try row.decode(String?.self, at: 9), nextAttemptAt: try row.decode(String?.self, at: 10),
                deliveredAt: try row.decode(String?.self, at: 11))
        }
    }

    private static func hook(_ row: PostgresRow) throws -> Hook {
        let events = try row.decode(String.self, at: 2).split(separator: ",").map { name in
            guard let type = EventType(rawValue: String(name)) else { throw HeadwayError("event type \(name) unknown to this build") }
            return type
        }
        return Hook(
            id: try row.decode(at: 0), url: try row.decode(at: 1), events: events, tag: try row.decode(String?.self, at: 3),
            commitment: try row.decode(String?.self, at: 4), description: try row.decode(String?.self, at: 5),
            allowPrivate: try row.decode(at: 6), createdAt: try row.decode(at: 7), disabledAt: try row.decode(String?.self, at: 8),
            disabledReason: try row.decode(String?.self, at: 9), pending: try row.decode(at: 10), lastDeliveredAt: try row.decode(String?.self, at: 11))
    }

    static func noSuchHook(_ id: Int64) -> HeadwayError {
        HeadwayError("no webhook \(id) (headway webhook list shows them)", kind: .input)
    }

    /// A PostgreSQL array literal of plain words (the event types), for a `text[]` parameter.
    private static func arrayLiteral(_ words: [String]) -> String { "{" + words.joined(separator: ",") + "}" }

    private static func utc(_ column: String) -> String { APITokens.utc(column) }
}

extension Workspace {
    /// The webhooks of this database.
    public var webhooks: Webhooks { Webhooks(connection: connection) }
}
