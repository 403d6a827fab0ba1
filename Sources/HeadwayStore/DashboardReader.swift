import Foundation
import HeadwayModel
import HeadwayPostgres

/// Reads what the web dashboard shows beside an assessment: the stored present as typed rows
/// (sorted, filtered, a page at a time, each with its latest series for a sparkline), every
/// revision of a metric's figures with its source, a commitment's status history and the chain
/// of commitments it extends. Read-only.
public struct DashboardReader {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// What the overview's list may be sorted by: each a fixed SQL expression (never text from
    /// the request), ties broken by key.
    public enum Sort: String, Sendable, CaseIterable {
        case title, status, deadline, progress = "percent_complete", probability = "probability_met", latest = "latest_date"

        var expression: String {
            switch self {
            case .title: "s.title"
            case .status: "coalesce(s.status, 'unassessed')"
            case .deadline: "s.deadline"
            case .progress: "s.percent_complete"
            case .probability: "s.probability_met"
            case .latest: "s.latest_date"
            }
        }
    }

    /// One page of the overview: its filter (as the JSON list's), its order and position.
    public struct OverviewQuery: Sendable, Equatable {
        public var filter = StatusReader.Filter()
        public var sort: Sort = .title
        public var descending = false
        /// The first page is 1.
        public var page = 1
        public var perPage = 100

        public init() {}
    }

    /// A row of `headway.commitment_status`, typed, with its latest series' progress.
    public struct OverviewRow: Sendable {
        public let key: String
        public let title: String
        public let metric: String
        public let unit: String
        public let kind: Metric.Kind
        public let tags: [String]
        /// Nil until the commitment is first assessed.
        public let status: String?
        public let deadline: CivilDate?
        public let targetValue: Decimal?
        /// The change a level target asks for (nil for amounts, or before an assessment).
        public let targetChange: Decimal?
        public let comparison: Commitment.Comparison?
        public let latestValue: Decimal?
        public let latestProgress: Decimal?
        public let latestQualifier: Qualifier?
        public let percentComplete: Double?
        public let probabilityMet: Double?
        public let stale: Bool
        /// The published progress of the latest series, oldest first.
        public let trend: [Double]
    }

    public struct OverviewPage: Sendable {
        public let rows: [OverviewRow]
        /// How many rows the filter matches in all.
        public let total: Int
    }

    public func overview(_ query: OverviewQuery) throws -> OverviewPage {
        let filter = query.filter
        let order = "\(query.sort.expression) \(query.descending ? "DESC NULLS LAST" : "ASC NULLS LAST"), s.key COLLATE \"C\""
        let rows = try connection.query(
            """
            WITH matching AS (
                SELECT s.*, count(*) OVER () AS total, row_number() OVER (ORDER BY \(unsafeSQL: order)) AS position
                FROM headway.commitment_status s
                WHERE \(StatusReader.matching(filter))
                ORDER BY \(unsafeSQL: order)
                LIMIT \(query.perPage) OFFSET \((query.page - 1) * query.perPage)
            )
            SELECT m.key, m.title, m.metric, m.unit, m.kind, to_jsonb(m.tags) AS tags, m.status, m.deadline, m.target_value,
                   CASE WHEN m.kind = 'level' AND m.baseline_value IS NOT NULL THEN m.target_progress END AS target_change,
                   m.comparison, m.latest_value, m.progress, m.latest_qualifier, m.percent_complete, m.probability_met, m.stale,
                   array_to_string(ARRAY(SELECT p FROM unnest(l.progress) WITH ORDINALITY u(p, i) WHERE p IS NOT NULL ORDER BY i), ',') AS trend,
                   m.total
            FROM matching m LEFT JOIN headway.latest_series l ON l.commitment_key = m.key
            ORDER BY m.position
            """)
        let total = try rows.first?.decode(Int.self, column: "total") ?? (query.page > 1 ? countMatching(filter) : 0)
        return OverviewPage(
            rows: try rows.map { row in
                OverviewRow(
                    key: try row.decode(column: "key"), title: try row.decode(column: "title"), metric: try row.decode(column: "metric"),
                    unit: try row.decode(column: "unit"), kind: try row.decode(Metric.Kind.self, column: "kind"),
                    // Most commitments have no tags: "[]" needs no JSON decoder (a thousand rows' worth is slow).
                    tags: try row.decode(String.self, column: "tags") == "[]" ? [] : row.decode(PostgresJSON<[String]>.self, column: "tags").value, status: try row.decode(String?.self, column: "status"),
                    deadline: try row.decode(CivilDate?.self, column: "deadline"), targetValue: try row.decode(Decimal?.self, column: "target_value"),
                    targetChange: try row.decode(Decimal?.self, column: "target_change"),
                    comparison: try row.decode(Commitment.Comparison?.self, column: "comparison"),
                    latestValue: try row.decode(Decimal?.self, column: "latest_value"), latestProgress: try row.decode(Decimal?.self, column: "progress"),
                    latestQualifier: try row.decode(Qualifier?.self, column: "latest_qualifier"),
                    percentComplete: try row.decode(Double?.self, column: "percent_complete"),
                    probabilityMet: try row.decode(Double?.self, column: "probability_met"), stale: try row.decode(column: "stale"),
                    trend: try Self.numbers(row.decode(String.self, column: "trend")))
            }, total: total)
    }

    /// "1,2.5,-3" (a numeric array joined by PostgreSQL) as numbers.
    static func numbers(_ text: String) throws -> [Double] {
        try text.utf8.split(separator: UInt8(ascii: ",")).map { item in
            guard let number = Double(Substring(item)) else { throw HeadwayError("a sparkline value \(String(reflecting: String(Substring(item)))) is not a number") }
            return number
        }
    }

    /// How many rows match when the page asked for is past the last (its query returns none).
    private func countMatching(_ filter: StatusReader.Filter) throws -> Int {
        var everything = OverviewQuery()
        everything.filter = filter
        everything.perPage = 1
        return try overview(everything).total
    }

    /// A commitment's neighbours in its chain: the one it extends (renews or raises) and those that extend it.
    public struct Chain: Sendable, Equatable {
        public var extends: (key: String, title: String)?
        public var extendedBy: [(key: String, title: String)] = []

        public static func == (lhs: Chain, rhs: Chain) -> Bool {
            lhs.extends?.key == rhs.extends?.key && lhs.extendedBy.map(\.key) == rhs.extendedBy.map(\.key)
        }
    }

    public func chain(of key: String) throws -> Chain {
        var chain = Chain()
        let rows = try connection.query(
            """
            SELECT 'extends' AS relation, e.key, e.title FROM headway.commitments c JOIN headway.commitments e ON e.key = c.extends
            WHERE c.key = \(key)
            UNION ALL
            SELECT 'extended_by', c.key, c.title FROM headway.commitments c WHERE c.extends = \(key)
            ORDER BY 1 DESC, 2
            """)
        for row in rows {
            let neighbour = (key: try row.decode(String.self, at: 1), title: try row.decode(String.self, at: 2))
            if try row.decode(String.self, at: 0) == "extends" { chain.extends = neighbour } else { chain.extendedBy.append(neighbour) }
        }
        return chain
    }

    /// A change of a commitment's status, from `headway.status_history`.
    public struct StatusChange: Sendable, Equatable {
        public let asOf: CivilDate
        public let status: String
        public let previousStatus: String?
        public let percentComplete: Double?
    }

    /// The commitment's status changes along the as-of timeline, oldest first; with `asOf`, only
    /// those up to that date.
    public func statusHistory(of key: String, asOf: CivilDate? = nil) throws -> [StatusChange] {
        try connection.query(
            """
            SELECT as_of, status, previous_status, percent_complete FROM headway.status_history
            WHERE commitment_key = \(key) AND (\(asOf)::date IS NULL OR as_of <= \(asOf))
            ORDER BY as_of
            """
        ).map { row in
            StatusChange(
                asOf: try row.decode(column: "as_of"), status: try row.decode(column: "status"),
                previousStatus: try row.decode(String?.self, column: "previous_status"),
                percentComplete: try row.decode(Double?.self, column: "percent_complete"))
        }
    }

    /// A metric, or nil when there is none with that key.
    public func metric(_ key: String) throws -> Metric? {
        try AssessmentStore(connection: connection).loadMetrics(keys: [key])[key]
    }

    /// The commitments on a metric, by key, with their stored status (nil: never assessed).
    public func commitments(onMetric metric: String) throws -> [(key: String, title: String, status: String?)] {
        try connection.query("SELECT key, title, status FROM headway.commitment_status WHERE metric = \(metric) ORDER BY key COLLATE \"C\"").map {
            (key: try $0.decode(String.self, at: 0), title: try $0.decode(String.self, at: 1), status: try $0.decode(String?.self, at: 2))
        }
    }
}
