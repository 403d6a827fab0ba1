import HeadwayModel
import HeadwayPostgres
import HeadwayReport

extension EventLog {
    /// One change of a commitment's present status, as a `status` event announced it (sql/006),
    /// with the stored assessment that made it: the feed's entries.
    public struct StatusChange: Sendable, Equatable {
        /// The event's id: increasing in commit order, never reused.
        public let eventID: Int64
        public let key: String
        public let title: String
        public let status: Assessment.Status
        /// Nil for a commitment's first status.
        public let previousStatus: Assessment.Status?
        public let asOf: CivilDate
        /// When the change was stored, in RFC 3339 (UTC, to the second): "2026-12-07T11:33:57Z".
        public let updated: String
        /// The assessment's reason and probability of meeting the target, when it is still kept.
        public let reason: String?
        public let probabilityMet: Double?
    }

    /// The latest status changes still in the log, newest first, at most `limit`: of commitment
    /// `commitment` only, or of those tagged `tag`, when given. Events are pruned after their
    /// retention (sql/006), so these are the changes of the retained log.
    ///
    /// The assessment is the commitment's latest of that as-of date and status stored by the
    /// change's commit (an assessment and the event it causes share the transaction's `now()`).
    public func statusChanges(tag: String?, commitment: String?, limit: Int) throws -> [StatusChange] {
        try connection.query(
            """
            SELECT e.id, k.key, s.title, e.payload ->> 'status' AS status, e.payload ->> 'previous_status' AS previous_status,
                   (e.payload ->> 'as_of')::date AS as_of,
                   to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated,
                   a.result ->> 'reason' AS reason, (a.result ->> 'probability_met')::double precision AS probability_met
            FROM headway.events e
            CROSS JOIN LATERAL jsonb_array_elements_text(e.payload -> 'commitments') AS k(key)
            JOIN headway.commitment_state s ON s.commitment_key = k.key
            LEFT JOIN LATERAL (
                SELECT result FROM headway.assessments a
                WHERE a.commitment_key = k.key AND a.as_of = (e.payload ->> 'as_of')::date AND a.status = e.payload ->> 'status'
                  AND a.assessed_at <= e.created_at
                ORDER BY a.assessed_at DESC, a.id DESC LIMIT 1
            ) a ON true
            WHERE e.type = 'status'
              AND (\(commitment)::text IS NULL OR k.key = \(commitment))
              AND (\(tag)::text IS NULL OR \(tag) = ANY(s.tags))
            ORDER BY e.id DESC, k.key
            LIMIT \(limit)
            """
        ).map { row in
            StatusChange(
                eventID: try row.decode(column: "id"), key: try row.decode(column: "key"), title: try row.decode(column: "title"),
                status: try row.decode(Assessment.Status.self, column: "status"),
                previousStatus: try row.decode(Assessment.Status?.self, column: "previous_status"),
                asOf: try row.decode(column: "as_of"), updated: try row.decode(column: "updated"),
                reason: try row.decode(String?.self, column: "reason"), probabilityMet: try row.decode(Double?.self, column: "probability_met"))
        }
    }

    /// Whether there is a commitment with the key `key`.
    public func commitmentExists(_ key: String) throws -> Bool {
        try metric(ofCommitment: key) != nil
    }
}
