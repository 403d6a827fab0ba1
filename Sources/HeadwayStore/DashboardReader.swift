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
    public struct OverviewQuery: Sendable, Hashable {
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
        /// The latest series' fingerprint (nil: no series yet), which names its `trend`.
        public var seriesFingerprint: Int64?
        /// The published progress of the latest series, oldest first, thinned to every n-th
        /// value so that about `sparklinePoints` remain, and the last; nil when not read (the caller
        /// said it knows the series by its fingerprint) or when there is no series.
        public var trend: [Double]?
        /// What the target is counted over, with the dates that name it ("a year", "in 2022").
        public var over: Commitment.Over? = nil
        public var baselineDate: CivilDate? = nil
        public var latestDate: CivilDate? = nil
    }

    /// One page of the overview's rows, in the query's order. The page's keys are chosen first,
    /// reading only what the filter and the order need (the rows a later page skips are not
    /// made whole; by title, the default, they come through an index, sql/010); then just
    /// those rows are read in full. A row's trend is read only when `needsTrend` says so of
    /// its key and series fingerprint: the caller may keep sparklines by fingerprint, and
    /// writing out every series' numbers is most of this statement's work.
    public func overview(_ query: OverviewQuery, needsTrend: (_ key: String, _ fingerprint: Int64) -> Bool = { _, _ in true }) throws -> [OverviewRow] {
        let order = "\(query.sort.expression) \(query.descending ? "DESC NULLS LAST" : "ASC NULLS LAST"), s.key COLLATE \"C\""
        let result = try connection.query(
            """
            WITH chosen AS (
                SELECT s.key FROM headway.commitment_status s
                WHERE \(StatusReader.matching(query.filter))
                ORDER BY \(unsafeSQL: order)
                LIMIT \(query.perPage) OFFSET \((query.page - 1) * query.perPage)
            )
            SELECT s.key, s.title, s.metric, s.unit, s.kind, to_jsonb(s.tags) AS tags, s.status, s.deadline, s.target_value,
                   CASE WHEN s.kind = 'level' AND s.baseline_value IS NOT NULL THEN s.target_progress END AS target_change,
                   s.comparison, s.latest_value, s.progress, s.latest_qualifier, s.percent_complete, s.probability_met, s.stale,
                   l.fingerprint, s.target_over, s.baseline_date, s.latest_date
            FROM chosen c JOIN headway.commitment_status s ON s.key = c.key
            LEFT JOIN headway.latest_series l ON l.commitment_key = s.key
            ORDER BY \(unsafeSQL: order)
            """)
        // By position, in the statement's order (a name's lookup shows on a page of 1000 rows).
        var rows = try result.map { row in
            OverviewRow(
                key: try row.decode(at: 0), title: try row.decode(at: 1), metric: try row.decode(at: 2), unit: try row.decode(at: 3),
                kind: try row.decode(Metric.Kind.self, at: 4),
                tags: try row.decode(PostgresJSON<[String]>.self, at: 5).value,
                status: try row.decode(String?.self, at: 6), deadline: try row.decode(CivilDate?.self, at: 7),
                targetValue: try row.decode(Decimal?.self, at: 8), targetChange: try row.decode(Decimal?.self, at: 9),
                comparison: try row.decode(Commitment.Comparison?.self, at: 10), latestValue: try row.decode(Decimal?.self, at: 11),
                latestProgress: try row.decode(Decimal?.self, at: 12), latestQualifier: try row.decode(Qualifier?.self, at: 13),
                percentComplete: try row.decode(Double?.self, at: 14), probabilityMet: try row.decode(Double?.self, at: 15),
                stale: try row.decode(at: 16), seriesFingerprint: try row.decode(Int64?.self, at: 17), trend: nil,
                over: try row.decode(String?.self, at: 18).flatMap(Commitment.Over.init(rawValue:)),
                baselineDate: try row.decode(CivilDate?.self, at: 19), latestDate: try row.decode(CivilDate?.self, at: 20))
        }
        let wanted = rows.filter { row in row.seriesFingerprint.map { needsTrend(row.key, $0) } ?? false }.map(\.key)
        guard !wanted.isEmpty else { return rows }
        // The trends, with the fingerprints they have now: a store since the first statement
        // gives a newer trend under its own fingerprint, never under the old one.
        var trends: [String: (Int64, [Double])] = [:]
        for row in try connection.query(
            """
            SELECT commitment_key, fingerprint, array_to_string(progress, ',') FROM headway.latest_series
            WHERE commitment_key = ANY(\(PostgresTextArray(wanted))::text[])
            """)
        {
            // array_to_string leaves out the series' gaps (NULLs).
            trends[try row.decode(String.self, at: 0)] = (try row.decode(Int64.self, at: 1), try Self.sparklineValues(row.decode(String.self, at: 2)))
        }
        for index in rows.indices {
            guard let (fingerprint, trend) = trends[rows[index].key] else { continue }
            (rows[index].seriesFingerprint, rows[index].trend) = (fingerprint, trend)
        }
        return rows
    }

    /// How many commitments the filter matches (for the overview's page count).
    public func count(matching filter: StatusReader.Filter) throws -> Int {
        try connection.query("SELECT count(*) FROM headway.commitment_status s WHERE \(StatusReader.matching(filter))")[0].decode(Int.self, at: 0)
    }

    /// A sparkline shows about this many points, and the last (a line 80 units wide).
    public static let sparklinePoints = 40

    /// "1,2.5,-3" (a numeric array joined by PostgreSQL) as the numbers a sparkline draws: a
    /// longer series is thinned to every n-th value, keeping its last, and only those are parsed.
    public static func sparklineValues(_ text: String) throws -> [Double] {
        var text = text
        return try text.withUTF8 { bytes -> [Double] in
            guard !bytes.isEmpty else { return [] }
            let comma = UInt8(ascii: ",")
            let count = bytes.reduce(1) { $1 == comma ? $0 + 1 : $0 }
            let stride = (count + sparklinePoints - 1) / sparklinePoints
            var values: [Double] = []
            values.reserveCapacity(sparklinePoints + 1)
            var item = 0, start = 0
            for end in 0...bytes.count where end == bytes.count || bytes[end] == comma {
                if item % stride == 0 || item == count - 1 {
                    let field = UnsafeBufferPointer(rebasing: bytes[start..<end])
                    guard let number = decimalNumber(field) ?? Double(String(decoding: field, as: UTF8.self)) else {
                        throw HeadwayError("a sparkline value \(String(reflecting: String(decoding: field, as: UTF8.self))) is not a number")
                    }
                    values.append(number)
                }
                item += 1
                start = end + 1
            }
            return values
        }
    }

    /// "-12.5" as PostgreSQL writes a numeric: at most 15 digits make a whole number that a
    /// double holds exactly, and that divided by a power of ten up to 10^22 (exact too) is the
    /// nearest double, as strtod's is, without making a string. Nil for anything else.
    static func decimalNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var digits: Int64 = 0, count = 0, scale = -1, index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < bytes.count else { return nil }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "."), scale < 0 {
                scale = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), count < 15 {
                digits = digits * 10 + Int64(byte - UInt8(ascii: "0"))
                count += 1
                if scale >= 0 { scale += 1 }
            } else {
                return nil
            }
            index += 1
        }
        guard count > 0 else { return nil }
        let value = Double(digits) / powersOfTen[max(scale, 0)]
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...15).map { pow(10, Double($0)) }

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
