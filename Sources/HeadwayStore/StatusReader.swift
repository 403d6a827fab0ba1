import HeadwayPostgres

/// Reads the stored present for the HTTP API: rows of `headway.commitment_status` and
/// `headway.status_counts`. Read-only; each row comes back as PostgreSQL's own JSON of it, so
/// every column of the view reaches the client with its type and nothing is lost in between.
public struct StatusReader {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Which rows of `headway.commitment_status` to list. Nil and empty mean "any".
    public struct Filter: Sendable, Equatable {
        /// Statuses to keep; "unassessed" matches commitments not assessed yet (status NULL).
        public var statuses: [String] = []
        public var tag: String?
        public var metric: String?
        /// A case-insensitive substring of the title or the key.
        public var search: String?
        public var stale: Bool?
        /// Only keys after this one (the cursor: the last key of the previous page).
        public var after: String?
        public var limit: Int = 100

        public init() {}
    }

    /// One page of rows ordered by key, each the JSON text of one row.
    public struct Page: Sendable {
        public let rows: [String]
        /// The cursor for the next page, nil on the last one.
        public let nextCursor: String?
    }

    public func commitments(_ filter: Filter) throws -> Page {
        // One row more than asked tells whether there is a next page.
        let rows = try connection.query(
            """
            SELECT s.key, row_to_json(s)::text
            FROM headway.commitment_status s
            WHERE \(Self.matching(filter))
              AND (\(filter.after)::text IS NULL OR s.key COLLATE "C" > \(filter.after))
            ORDER BY s.key COLLATE "C"
            LIMIT \(filter.limit + 1)
            """)
        let page = rows.prefix(filter.limit)
        return Page(
            rows: try page.map { try $0.decode(String.self, at: 1) },
            nextCursor: rows.count > filter.limit ? try page.last?.decode(String.self, at: 0) : nil)
    }

    /// The condition on a row `s` of `headway.commitment_status` that `filter` asks for (all but the cursor).
    static func matching(_ filter: Filter) -> SQLQuery {
        """
        (cardinality(\(PostgresTextArray(filter.statuses))::text[]) = 0
               OR coalesce(s.status, 'unassessed') = ANY(\(PostgresTextArray(filter.statuses))::text[]))
          AND (\(filter.tag)::text IS NULL OR \(filter.tag) = ANY(s.tags))
          AND (\(filter.metric)::text IS NULL OR s.metric = \(filter.metric))
          AND (\(filter.search)::text IS NULL
               OR strpos(lower(s.title), lower(\(filter.search))) > 0 OR strpos(lower(s.key), lower(\(filter.search))) > 0)
          AND (\(filter.stale)::boolean IS NULL OR s.stale = \(filter.stale))
        """
    }

    public func commitmentExists(key: String) throws -> Bool {
        try connection.query("SELECT EXISTS (SELECT 1 FROM headway.commitments WHERE key = \(key))")[0].decode(Bool.self, at: 0)
    }

    /// How many commitments stand in each status: `tag` nil is the whole portfolio.
    public struct StatusCount: Sendable, Equatable {
        public let tag: String?
        public let status: String
        public let commitments: Int
    }

    public func statusCounts() throws -> [StatusCount] {
        try connection.query("SELECT tag, status, commitments FROM headway.status_counts ORDER BY tag NULLS FIRST, status").map {
            StatusCount(tag: try $0.decode(String?.self, at: 0), status: try $0.decode(at: 1), commitments: try $0.decode(at: 2))
        }
    }
}
