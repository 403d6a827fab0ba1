import HeadwayModel
import HeadwayPostgres
import HeadwayReport

/// Reads the stored present for the HTTP API: rows of `headway.commitment_status` and
/// `headway.status_counts`. Read-only; each row comes back as PostgreSQL's own JSON of it, so
/// every column of the view reaches the client with its type and nothing is lost in between.
public struct StatusReader {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Which rows of `headway.commitment_status` to list. Nil and empty mean "any".
    public struct Filter: Sendable, Hashable {
        /// Statuses to keep; "unassessed" matches commitments not assessed yet (status NULL).
        public var statuses: [String] = []
        public var tag: String?
        public var metric: String?
        /// A case-insensitive substring of the title or the key.
        public var search: String?
        public var stale: Bool?
        public var sort = Sort(field: .key, descending: false)
        /// Only rows after this one in the sort's order (the cursor: the last row of the previous page).
        public var after: Position?
        public var limit: Int = 100

        public init() {}
    }

    /// An order of the list: a field, ascending or descending, rows without a value (null) last
    /// either way, and rows with equal values by key.
    public struct Sort: Sendable, Hashable {
        public enum Field: String, Sendable, CaseIterable {
            case key, deadline, status, probabilityMet = "probability_met", percentComplete = "percent_complete"
            /// When the stored assessment was made (`assessed_at`).
            case updated
        }

        public var field: Field
        public var descending: Bool

        public init(field: Field, descending: Bool) {
            self.field = field
            self.descending = descending
        }

        /// As a client writes it: the field's name, with a leading "-" for descending.
        public var name: String { (descending ? "-" : "") + field.rawValue }

        /// The value sorted by, over row `s`, and its SQL type (to read a cursor's text back).
        var expression: (sql: String, type: String) {
            switch field {
            case .key: return (#"s.key COLLATE "C""#, "text")
            case .deadline: return ("s.deadline", "date")
            // Statuses in the order of Assessment.Status: achieved first, insufficient_data last.
            case .status: return ("array_position('{\(Self.statusOrder.joined(separator: ","))}'::text[], s.status)", "integer")
            case .probabilityMet: return ("s.probability_met", "double precision")
            case .percentComplete: return ("s.percent_complete", "double precision")
            case .updated: return ("s.assessed_at", "timestamptz")
            }
        }

        static let statusOrder = Assessment.Status.allCases.map(\.rawValue)

        /// Whether `value` is a sort value of this field as PostgreSQL writes it (a cursor's, which
        /// a client may have altered): it must read back as the field's type.
        public func accepts(_ value: String) -> Bool {
            switch field {
            case .key: return true
            case .deadline: return (try? CivilDate(parsing: value)) != nil && value.count == 10
            case .status: return Int(value).map { (1...Self.statusOrder.count).contains($0) } ?? false
            case .probabilityMet, .percentComplete: return Double(value)?.isFinite ?? false
            // Sessions run in UTC (PostgresConnection): "2026-11-30 08:14:25.123456+00".
            case .updated: return value.wholeMatch(of: /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00/) != nil
            }
        }
    }

    /// A row's place in a sort: its sort value (PostgreSQL's text of it, nil for null) and key.
    public struct Position: Sendable, Hashable {
        public var value: String?
        public var key: String

        public init(value: String?, key: String) {
            self.value = value
            self.key = key
        }
    }

    /// One page of rows in the filter's order, each in the format asked for.
    public struct Page: Sendable {
        public let rows: FormattedRows
        /// Where the next page starts, nil on the last one.
        public let next: Position?
    }

    public func commitments(_ filter: Filter, format: RowFormat = .json) throws -> Page {
        let (sort, type) = filter.sort.expression
        let direction = filter.sort.descending ? "DESC" : "ASC"
        let after = filter.sort.descending ? "<" : ">"
        let value = filter.after?.value
        // Keyset pagination in the sort's order, nulls last: after a null only nulls with a later
        // key; after a value, later values, equal ones with a later key, and every null.
        // One row more than asked tells whether there is a next page.
        let selection: SQLQuery = """
            FROM headway.commitment_status s
            WHERE \(Self.matching(filter))
              AND (\(filter.after?.key)::text IS NULL
                   OR CASE WHEN \(value)::\(unsafeSQL: type) IS NULL
                           THEN (\(unsafeSQL: sort)) IS NULL AND s.key COLLATE "C" > \(filter.after?.key)
                           ELSE (\(unsafeSQL: sort)) IS NULL OR (\(unsafeSQL: sort)) \(unsafeSQL: after) \(value)::\(unsafeSQL: type)
                                OR ((\(unsafeSQL: sort)) = \(value)::\(unsafeSQL: type) AND s.key COLLATE "C" > \(filter.after?.key)) END)
            ORDER BY \(unsafeSQL: sort) \(unsafeSQL: direction) NULLS LAST, s.key COLLATE "C"
            LIMIT \(filter.limit + 1)
            """
        let rows: [(key: String?, sortValue: String?, row: String)]
        switch format {
        case .json:
            rows = try connection.queryJSONObjects(selection.wrapped(unsafeSQL: "SELECT s.key, (\(sort))::text, s.* ", ""), leading: 2)
                .map { ($0.leading[0], $0.leading[1], $0.object) }
        case .csv:
            rows = try connection.queryCSVRecords(selection.wrapped(unsafeSQL: "SELECT s.key, (\(sort))::text, s.* ", ""), leading: 2)
                .map { ($0.leading[0], $0.leading[1], $0.record) }
        }
        let page = rows.prefix(filter.limit)
        let next = rows.count > filter.limit ? page.last.map { Position(value: $0.sortValue, key: $0.key ?? "") } : nil
        let columns = try format.columns("SELECT * FROM headway.commitment_status", on: connection)
        return Page(rows: FormattedRows(columns: columns, rows: page.map(\.row)), next: next)
    }

    /// The status changes of one commitment, oldest first: its rows of `headway.status_history`.
    /// Nil when no commitment has that key.
    public func history(key: String, format: RowFormat = .json) throws -> FormattedRows? {
        guard try commitmentExists(key: key) else { return nil }
        return try FormattedRows.read(
            "SELECT * FROM headway.status_history WHERE commitment_key = \(key) ORDER BY as_of", format: format, on: connection)
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
