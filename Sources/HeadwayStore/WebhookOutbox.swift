import Foundation
import HeadwayPostgres
import HeadwayReport

/// The database's side of delivering webhooks (sql/014), in short transactions that never span
/// an HTTP request: take hooks with work due (`claim`), turn the events after a hook's cursor
/// into its messages and hand out the next one (`nextMessage`), and note how an attempt went
/// (`record`). Any number of `headway serve` processes may run these on one database: a hook is
/// worked by one of them at a time, so each message goes out once per attempt, in order.
public struct WebhookOutbox {
    /// A hook this session holds the lease of.
    public struct Claim: Sendable {
        public let hook: Int64
        public let url: String
        public let secret: String
        public let allowPrivate: Bool
        /// Names this lease; a record made after the lease was lost changes nothing it should not.
        let token: String
        /// How long the lease lasts from its taking, and from each delivery made under it.
        let leaseSeconds: Int
    }

    /// A message to send: its body is the same at every attempt.
    public struct Message: Sendable {
        let delivery: Int64
        /// The `webhook-id` header.
        public let id: String
        public let body: String
        public let type: String
    }

    /// How an attempt went.
    public enum Outcome: Sendable {
        case delivered(status: Int)
        /// `status` nil: no answer was had (refused, timed out, not allowed).
        case failed(status: Int?, error: String)
    }

    /// What became of the message after `record`.
    public enum Recorded: Sendable, Equatable {
        case delivered
        case retrying(afterSeconds: Double)
        /// The schedule ran out: the hook is disabled for `reason`.
        case disabled(reason: String)
        /// Another process took the hook meanwhile (this one was thought gone): it carries on.
        case leaseLost
    }

    let connection: PostgresConnection

    /// Events read at a time when a hook's cursor is moved on.
    static let scanBatch = 500
    /// Delivered messages are listed (`headway webhook deliveries`) for this long.
    static let kept = "30 days"

    /// Takes up to `limit` enabled hooks that have a message due, or events after their cursor,
    /// and that no live session holds, those waiting longest first. A lease is free when it
    /// expired, or when the session that took it is gone (its `serve` was killed), so a restarted
    /// server carries on at once.
    public func claim(limit: Int, leaseSeconds: Int) throws -> [Claim] {
        try connection.transaction { connection in
            try connection.query(
                """
                WITH due AS (
                    SELECT w.id FROM headway.webhooks w,
                        LATERAL (SELECT coalesce(
                            (SELECT d.next_attempt_at FROM headway.webhook_deliveries d
                             WHERE d.webhook_id = w.id AND d.delivered_at IS NULL AND d.failed_at IS NULL ORDER BY d.id LIMIT 1),
                            (SELECT e.created_at FROM headway.events e WHERE e.id > w.cursor_event_id ORDER BY e.id LIMIT 1)) AS at) AS next
                    WHERE w.disabled_at IS NULL AND next.at <= now()
                      AND (w.lease_until IS NULL OR w.lease_until < now()
                           OR NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = w.lease_pid))
                    ORDER BY next.at, w.id LIMIT \(limit)
                    FOR UPDATE OF w SKIP LOCKED
                )
                UPDATE headway.webhooks w
                SET lease_token = gen_random_uuid(), lease_pid = pg_backend_pid(), lease_until = now() + \(leaseSeconds)::integer * interval '1 second'
                FROM due WHERE w.id = due.id
                RETURNING w.id, w.url, w.secret, w.allow_private, w.lease_token::text
                """
            ).map { row in
                Claim(
                    hook: try row.decode(at: 0), url: try row.decode(at: 1), secret: try row.decode(at: 2), allowPrivate: try row.decode(at: 3),
                    token: try row.decode(at: 4), leaseSeconds: leaseSeconds)
            }
        }
    }

    /// The hook's next message when it is due; events after its cursor become messages first
    /// (in the same transaction that moves the cursor past them). Nil when there is none due,
    /// or the lease was lost.
    /// - Parameter publicURL: the base of the links to commitments' pages; nil: links are paths.
    public func nextMessage(_ claim: Claim, publicURL: String?) throws -> Message? {
        try connection.transaction { connection in
            let held = try connection.query(
                """
                SELECT cursor_event_id FROM headway.webhooks
                WHERE id = \(claim.hook) AND lease_token = \(claim.token)::uuid AND disabled_at IS NULL FOR UPDATE
                """)
            guard var cursor = try held.first?.decode(Int64.self, at: 0) else { return nil }
            while true {
                let head = try connection.query(
                    """
                    SELECT id, message_id, body, type, next_attempt_at <= now() FROM headway.webhook_deliveries
                    WHERE webhook_id = \(claim.hook) AND delivered_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT 1
                    """)
                if let row = head.first {
                    guard try row.decode(Bool.self, at: 4) else { return nil }
                    return Message(delivery: try row.decode(at: 0), id: try row.decode(at: 1), body: try row.decode(at: 2), type: try row.decode(at: 3))
                }
                guard let next = try enqueue(hook: claim.hook, after: cursor, publicURL: publicURL, on: connection) else { return nil }
                cursor = next
            }
        }
    }

    /// Turns the next batch of events after `cursor` that the hook asks for into its messages and
    /// moves its cursor past the batch; returns the new cursor, nil when there were no events.
    private func enqueue(hook: Int64, after cursor: Int64, publicURL: String?, on connection: PostgresConnection) throws -> Int64? {
        let last = try connection.query(
            "SELECT max(id) FROM (SELECT id FROM headway.events WHERE id > \(cursor) ORDER BY id LIMIT \(Self.scanBatch)) AS batch")
        guard let upTo = try last[0].decode(Int64?.self, at: 0) else { return nil }
        for event in try WebhookEvents(connection: connection).wanted(by: hook, after: cursor, upTo: upTo) {
            try connection.execute(
                """
                INSERT INTO headway.webhook_deliveries (webhook_id, event_id, message_id, type, commitment_key, body)
                VALUES (\(hook), \(event.id), \(event.messageID(hook: hook)), \(event.type), \(event.commitment), \(event.body(publicURL: publicURL)))
                """)
        }
        try connection.execute("UPDATE headway.webhooks SET cursor_event_id = \(upTo) WHERE id = \(hook)")
        return upTo
    }

    /// Notes how an attempt at `message` went: delivered, to be retried after the schedule's
    /// next delay, or given up (the hook disabled, with the reason). After a failure the lease is
    /// let go; after a delivery it is renewed, for the hook's next message (or `release`).
    public func record(_ outcome: Outcome, of message: Message, for claim: Claim, schedule: WebhookRetrySchedule) throws -> Recorded {
        try connection.transaction { connection in
            let held = try !connection.query(
                "SELECT 1 FROM headway.webhooks WHERE id = \(claim.hook) AND lease_token = \(claim.token)::uuid FOR UPDATE").isEmpty
            let recorded: Recorded
            switch outcome {
            case .delivered(let status):
                // Delivered is delivered, whoever holds the lease now.
                try connection.execute(
                    """
                    UPDATE headway.webhook_deliveries
                    SET attempts = attempts + 1, last_attempt_at = now(), last_status = \(status), last_error = NULL,
                        delivered_at = coalesce(delivered_at, now())
                    WHERE id = \(message.delivery)
                    """)
                try connection.execute(
                    "DELETE FROM headway.webhook_deliveries WHERE webhook_id = \(claim.hook) AND delivered_at < now() - \(Self.kept)::interval")
                recorded = .delivered
            case .failed(let status, let error):
                guard held else { return .leaseLost }
                recorded = try failed(message, status: status, error: error, claim: claim, schedule: schedule, on: connection)
            }
            if held, recorded == .delivered {
                try connection.execute(
                    """
                    UPDATE headway.webhooks SET lease_until = now() + \(claim.leaseSeconds)::integer * interval '1 second'
                    WHERE id = \(claim.hook) AND lease_token = \(claim.token)::uuid
                    """)
            } else if held {
                try release(claim, on: connection)
            }
            return recorded
        }
    }

    private func failed(
        _ message: Message, status: Int?, error: String, claim: Claim, schedule: WebhookRetrySchedule, on connection: PostgresConnection
    ) throws -> Recorded {
        let row = try connection.query(
            """
            UPDATE headway.webhook_deliveries
            SET attempts = attempts + 1, last_attempt_at = now(), last_status = \(status), last_error = \(String(error.prefix(500)))
            WHERE id = \(message.delivery)
            RETURNING attempts, round(extract(epoch FROM now() - created_at))::bigint
            """)[0]
        let attempts = try row.decode(Int.self, at: 0)
        if let delay = schedule.delay(afterAttempt: attempts) {
            try connection.execute(
                "UPDATE headway.webhook_deliveries SET next_attempt_at = now() + \(delay)::float8 * interval '1 second' WHERE id = \(message.delivery)")
            return .retrying(afterSeconds: delay)
        }
        let reason = "gave up on \(message.id) after \(attempts) failed attempts over \(Self.duration(seconds: try row.decode(Int64.self, at: 1))); the last: \(error)"
        try connection.execute("UPDATE headway.webhook_deliveries SET failed_at = now() WHERE id = \(message.delivery)")
        try connection.execute("UPDATE headway.webhooks SET disabled_at = now(), disabled_reason = \(reason) WHERE id = \(claim.hook)")
        return .disabled(reason: reason)
    }

    /// Lets go of the lease: the hook is free for the next claim, by any process.
    public func release(_ claim: Claim) throws {
        try release(claim, on: connection)
    }

    private func release(_ claim: Claim, on connection: PostgresConnection) throws {
        try connection.execute(
            """
            UPDATE headway.webhooks SET lease_token = NULL, lease_pid = NULL, lease_until = NULL
            WHERE id = \(claim.hook) AND lease_token = \(claim.token)::uuid
            """)
    }

    /// `seconds` as people say it: 40 s, 12 min, 27 h.
    static func duration(seconds: Int64) -> String {
        switch seconds {
        case ..<120: "\(seconds) s"
        case ..<7_200: "\(seconds / 60) min"
        default: "\(seconds / 3_600) h"
        }
    }
}

extension Workspace {
    /// What `headway serve` delivers webhooks from.
    public var webhookOutbox: WebhookOutbox { WebhookOutbox(connection: connection) }
}
