import Foundation
import HeadwayPostgres
import HeadwayReport

/// The events of `headway.events` a hook asks for, each as the message it is sent as: a status
/// change becomes one message per commitment, with what a receiver needs to act (key, title,
/// previous and new status, probability_met, as-of date, link); other events carry their payload.
struct WebhookEvents {
    /// One message's content.
    struct Wanted {
        let id: Int64
        let type: String
        /// ISO 8601 in UTC with microseconds: when the event was stored.
        let timestamp: String
        /// The commitment of a status message; nil for other types.
        let commitment: String?
        let title: String?
        let status: String?
        let previousStatus: String?
        let asOf: String?
        /// JSON text: a number or null.
        let probabilityMet: String
        /// JSON text: the event's payload.
        let payload: String

        /// Stable across attempts and unique per hook: the receiver's idempotency key.
        func messageID(hook: Int64) -> String {
            "msg_\(id)_\(hook)" + (commitment.map { "_" + Self.escaped($0) } ?? "")
        }

        /// `{"type": …, "timestamp": …, "data": {…}}`, as Standard Webhooks lays a payload out.
        func body(publicURL: String?) -> String {
            let data: JSONValue
            if type == "status", let commitment {
                data = .object([
                    ("key", .string(commitment)), ("title", title.map(JSONValue.string) ?? .null),
                    ("previous_status", previousStatus.map(JSONValue.string) ?? .null), ("status", status.map(JSONValue.string) ?? .null),
                    ("probability_met", .written(probabilityMet)), ("as_of", asOf.map(JSONValue.string) ?? .null),
                    ("url", .string((publicURL ?? "") + "/commitments/" + Self.escaped(commitment))),
                ])
            } else {
                data = .written(payload)
            }
            return JSONValue.object([("type", .string(type)), ("timestamp", .string(timestamp)), ("data", data)]).compactText
        }

        /// `key` as a path segment: what is not unreserved (RFC 3986) percent-encoded.
        static func escaped(_ key: String) -> String { key.addingPercentEncoding(withAllowedCharacters: plain) ?? key }

        private static let plain = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    }

    let connection: PostgresConnection

    /// The events in (`cursor`, `upTo`] of the types hook `hook` asks for, on its commitment or
    /// tag when it names one, in order. A status or assessment event concerns the commitments it
    /// names; figures and definitions concern also every commitment on the metrics they name.
    func wanted(by hook: Int64, after cursor: Int64, upTo: Int64) throws -> [Wanted] {
        try connection.query(
            """
            WITH hook AS (
                SELECT events, tag, commitment FROM headway.webhooks WHERE id = \(hook)
            ), batch AS (
                SELECT e.id, e.type, e.payload, e.created_at FROM headway.events e, hook
                WHERE e.id > \(cursor) AND e.id <= \(upTo) AND e.type = ANY (hook.events)
            ), status AS (
                SELECT b.id, b.type, b.created_at, c.key, c.title, b.payload ->> 'status' AS status,
                       b.payload ->> 'previous_status' AS previous_status, b.payload ->> 'as_of' AS as_of,
                       coalesce((SELECT a.result -> 'probability_met' FROM headway.assessments a
                                 WHERE a.commitment_key = c.key AND a.assessed_at <= b.created_at
                                   AND headway.is_present(a.as_of, a.assessed_at)
                                 ORDER BY a.assessed_at DESC, a.id DESC LIMIT 1), 'null'::jsonb)::text AS probability_met,
                       b.payload::text AS payload
                FROM batch b, hook, jsonb_array_elements_text(b.payload -> 'commitments') AS k(key)
                JOIN headway.commitments c ON c.key = k.key
                WHERE b.type = 'status' AND (hook.commitment IS NULL OR c.key = hook.commitment)
                  AND (hook.tag IS NULL OR hook.tag = ANY (c.tags))
            ), other AS (
                SELECT b.id, b.type, b.created_at, NULL::text AS key, NULL::text AS title, NULL::text AS status,
                       NULL::text AS previous_status, NULL::text AS as_of, 'null' AS probability_met, b.payload::text AS payload
                FROM batch b, hook
                WHERE b.type <> 'status' AND ((hook.commitment IS NULL AND hook.tag IS NULL) OR EXISTS (
                    SELECT 1 FROM headway.commitments c
                    WHERE (c.key IN (SELECT jsonb_array_elements_text(b.payload -> 'commitments'))
                           OR (b.type IN ('observations', 'definitions') AND c.metric IN (SELECT jsonb_array_elements_text(b.payload -> 'metrics'))))
                      AND (hook.commitment IS NULL OR c.key = hook.commitment) AND (hook.tag IS NULL OR hook.tag = ANY (c.tags))))
            )
            SELECT id, type, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), key, title, status, previous_status, as_of,
                   probability_met, payload
            FROM (SELECT * FROM status UNION ALL SELECT * FROM other) AS wanted
            ORDER BY id, key
            """
        ).map { row in
            Wanted(
                id: try row.decode(at: 0), type: try row.decode(at: 1), timestamp: try row.decode(at: 2), commitment: try row.decode(String?.self, at: 3),
                title: try row.decode(String?.self, at: 4), status: try row.decode(String?.self, at: 5), previousStatus: try row.decode(String?.self, at: 6),
                asOf: try row.decode(String?.self, at: 7), probabilityMet: try row.decode(at: 8), payload: try row.decode(at: 9))
        }
    }
}
