import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayReport

/// Reads what an assessment needs as of a date, and keeps every assessment made.
public struct AssessmentStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Assesses the commitments named by `keys` (all when empty) with what was published by `asOf`,
    /// each figure in the revision current then. Ordered by key.
    public func assess(keys: [String] = [], asOf: CivilDate) throws -> [Assessment] {
        let commitments = try loadCommitments(keys: keys)
        if !keys.isEmpty {
            let missing = Set(keys).subtracting(commitments.map(\.key))
            if !missing.isEmpty { throw HeadwayError("no commitment with key \(missing.sorted().map { String(reflecting: $0) }.joined(separator: ", "))") }
        }
        let metrics = try loadMetrics()
        let byMetric = Dictionary(grouping: commitments, by: \.metric)
        var assessments: [Assessment] = []
        assessments.reserveCapacity(commitments.count)
        // Figures arrive metric by metric; each metric's are assessed and dropped before the next,
        // so memory holds one metric's figures at a time.
        try forEachMetricsFigures(metrics: byMetric.keys.sorted(), asOf: asOf) { key, figures in
            guard let metric = metrics[key] else { return }
            let derivations = DerivationCache()  // these commitments see the same figures
            for commitment in byMetric[key] ?? [] {
                assessments.append(Assessor.assess(commitment, metric: metric, figures: figures, asOf: asOf, derivations: derivations))
            }
        }
        return assessments.sorted { $0.key < $1.key }
    }

    /// The keys of the commitments on any of `metrics`.
    public func commitmentKeys(onMetrics metrics: Set<String>) throws -> [String] {
        guard !metrics.isEmpty else { return [] }
        return try connection.query(
            "SELECT key FROM headway.commitments WHERE metric = ANY(\(PostgresTextArray(metrics.sorted()))::text[]) ORDER BY key"
        ).map { try $0.decode(String.self, at: 0) }
    }

    /// Re-assesses the given commitments as of `asOf` and stores the results; returns them.
    @discardableResult
    public func reassess(keys: [String], asOf: CivilDate) throws -> [Assessment] {
        guard !keys.isEmpty else { return [] }
        let assessments = try assess(keys: keys, asOf: asOf)
        try store(assessments)
        return assessments
    }

    /// Appends the assessments to `headway.assessments`, with the method version and each
    /// commitment's current version.
    public func store(_ assessments: [Assessment]) throws {
        guard !assessments.isEmpty else { return }
        try connection.transaction { connection in
            try connection.execute("CREATE TEMP TABLE headway_assessed (key text, as_of date, status text, result jsonb) ON COMMIT DROP")
            try connection.copyIn("COPY pg_temp.headway_assessed FROM STDIN") { copy in
                for assessment in assessments {
                    let result = JSONReport.value(assessment, includeSeries: false).compactText
                    try copy.writeRow([assessment.key, assessment.asOf.description, assessment.status.rawValue, result])
                }
            }
            try connection.execute(
                """
                INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, method_version, status, result)
                SELECT a.key, c.version, a.as_of, \(Assessment.methodVersion), a.status, a.result
                FROM pg_temp.headway_assessed a JOIN headway.commitments c ON c.key = a.key
                """)
        }
    }

    private func loadCommitments(keys: [String]) throws -> [Commitment] {
        let rows = try connection.query(
            """
            SELECT c.key, c.title, c.metric, c.made_by, c.made_on, c.source, c.baseline_date, c.baseline_value,
                   c.target_value, c.target_change, c.target_change_percent, c.comparison, c.deadline, c.deadline_precision,
                   (SELECT string_agg((m->>'date') || '=' || (m->>'value'), ';' ORDER BY ord)
                    FROM jsonb_array_elements(c.milestones) WITH ORDINALITY e(m, ord)),
                   c.extends, array_to_string(c.tags, chr(31))
            FROM headway.commitments c
            WHERE cardinality(\(PostgresTextArray(keys))::text[]) = 0 OR c.key = ANY(\(PostgresTextArray(keys))::text[])
            ORDER BY c.key
            """)
        return try rows.map { row in
            let target: Commitment.Target
            if let value = try row.decode(Decimal?.self, at: 8) {
                target = .value(value)
            } else if let change = try row.decode(Decimal?.self, at: 9) {
                target = .change(change)
            } else {
                target = .percentChange(try row.decode(Decimal.self, at: 10))
            }
            let milestones = try (row[14] ?? "").split(separator: ";").map { pair -> Commitment.Milestone in
                let parts = pair.split(separator: "=")
                return Commitment.Milestone(date: try CivilDate(parsing: String(parts[0])), value: try Decimal(postgresText: String(parts[1])))
            }
            let precision = DatePeriod.Precision(rawValue: try row.decode(String.self, at: 13)) ?? .day
            return Commitment(
                    key: try row.decode(at: 0), title: try row.decode(at: 1), metric: try row.decode(at: 2),
                    madeBy: try row.decode(String?.self, at: 3), madeOn: try row.decode(CivilDate?.self, at: 4),
                    source: try row.decode(String?.self, at: 5),
                    baseline: Commitment.Baseline(date: try row.decode(at: 6), value: try row.decode(Decimal?.self, at: 7)),
                    target: target, comparison: try row.decode(String?.self, at: 11).flatMap(Commitment.Comparison.init(rawValue:)),
                    deadline: DatePeriod(last: try row.decode(at: 12), precision: precision), milestones: milestones,
                    extends: try row.decode(String?.self, at: 15),
                    tags: (row[16] ?? "").split(separator: "\u{1F}").map(String.init))
        }
    }

    private func loadMetrics() throws -> [String: Metric] {
        var metrics: [String: Metric] = [:]
        for row in try connection.query("SELECT key, name, unit, kind FROM headway.metrics") {
            let metric = Metric(
                key: try row.decode(at: 0), name: try row.decode(at: 1), unit: try row.decode(at: 2),
                kind: Metric.Kind(rawValue: try row.decode(String.self, at: 3)) ?? .additive)
            metrics[metric.key] = metric
        }
        return metrics
    }

    /// Hands over each metric's figures as known at `asOf` (published by then, in the revision
    /// current then), one metric at a time; metrics without figures get an empty list.
    private func forEachMetricsFigures(metrics: [String], asOf: CivilDate, _ body: (String, [ObservedFigure]) throws -> Void) throws {
        var current: String?
        var figures: [ObservedFigure] = []
        var done: Set<String> = []
        func finish() throws {
            guard let current else { return }
            try body(current, figures)
            done.insert(current)
            figures.removeAll(keepingCapacity: true)
        }
        try connection.forEachRowInBatches(
            """
            SELECT DISTINCT ON (metric, period_start, period_end)
                   metric, period_start, period_end, value, qualifier, revision, published_on
            FROM headway.observations
            WHERE metric = ANY(\(PostgresTextArray(metrics))::text[]) AND published_on <= \(asOf)
            ORDER BY metric, period_start, period_end, published_on DESC, revision DESC
            """
        ) { row in
            let metric = try row.decode(String.self, at: 0)
            if metric != current {
                try finish()
                current = metric
            }
            figures.append(
                ObservedFigure(
                    periodStart: try row.decode(CivilDate?.self, at: 1), periodEnd: try row.decode(at: 2), value: try row.decode(at: 3),
                    qualifier: Qualifier(rawValue: try row.decode(String.self, at: 4)) ?? .exact, revision: try row.decode(at: 5),
                    publishedOn: try row.decode(at: 6)))
        }
        try finish()
        for metric in metrics where !done.contains(metric) { try body(metric, []) }
    }
}
