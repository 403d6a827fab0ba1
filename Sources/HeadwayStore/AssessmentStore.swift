import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayReport

/// Reads what an assessment needs as of a date, and keeps every assessment made.
public struct AssessmentStore {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Assesses the commitments named by `keys` (all when empty) with what was published by `asOf`,
    /// each figure in the revision current then. Ordered by key. Commitments made after `asOf`
    /// did not exist then and are left out (see `countMadeAfter`).
    public func assess(keys: [String] = [], asOf: CivilDate) throws -> [Assessment] {
        let commitments = try loadNamedCommitments(keys: keys).filter { $0.madeOn.map { $0 <= asOf } ?? true }
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

    /// Assessments as read, with what storing them needs.
    public struct Assessed: Sendable {
        public let assessments: [Assessment]
        /// The server's clock once the figures were locked for reading.
        let readAt: String
        /// Each assessed commitment's definition version, read with the figures.
        let versions: [String: Int]
    }

    /// Assesses the commitments named by `keys` (all when empty) as of `asOf`, ready to store.
    ///
    /// Loads wait while the figures are read (a SHARE lock on observations), and the clock is read
    /// once the lock is held: figures recorded after that time are ones this assessment did not
    /// see, which is what makes a row of `headway.commitment_status` stale.
    public func assessForStoring(keys: [String] = [], asOf: CivilDate) throws -> Assessed {
        try connection.retryingTransaction { connection in
            try connection.execute("LOCK TABLE headway.observations IN SHARE MODE")
            let readAt = try connection.query("SELECT clock_timestamp()::text")[0].decode(String.self, at: 0)
            var versions: [String: Int] = [:]
            for row in try connection.query("SELECT key, version FROM headway.commitments") {
                versions[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
            }
            return Assessed(assessments: try assess(keys: keys, asOf: asOf), readAt: readAt, versions: versions)
        }
    }

    /// Assesses and stores (see `assessForStoring` and `store`); returns the assessments.
    @discardableResult
    public func assessAndStore(keys: [String] = [], asOf: CivilDate) throws -> [Assessment] {
        let assessed = try assessForStoring(keys: keys, asOf: asOf)
        try store(assessed)
        return assessed.assessments
    }

    /// Re-assesses the given commitments (none when empty) as of `asOf` and stores the results.
    public func reassess(keys: [String], asOf: CivilDate) throws {
        guard !keys.isEmpty else { return }
        try assessAndStore(keys: keys, asOf: asOf)
    }

    /// Appends the assessments to `headway.assessments`, with the method version and each
    /// commitment's version, and makes them the latest in `headway.commitment_state`, whose
    /// typed columns are read from the very JSON stored, so both say the same. One transaction.
    public func store(_ assessed: Assessed) throws {
        guard !assessed.assessments.isEmpty else { return }
        try connection.retryingTransaction { _ in try insert(assessed) }
    }

    private func insert(_ assessed: Assessed) throws {
        // Stores take turns, so two reports never both replace the same latest row.
        try connection.execute("SELECT pg_advisory_xact_lock(\(Self.storeLockKey))")
        try connection.execute(
            """
            CREATE TEMP TABLE headway_assessed (key text, version integer, as_of date, status text, result jsonb, fingerprint bigint,
                series_dates date[], series_progress numeric[], series_qualifiers text[], series_trajectory double precision[])
            ON COMMIT DROP
            """)
        let storedFingerprints = try seriesFingerprints()
        try connection.copyIn("COPY pg_temp.headway_assessed FROM STDIN") { copy in
            for assessment in assessed.assessments {
                let result = JSONReport.value(assessment, includeSeries: false).compactText
                let series = assessment.series
                let fingerprint = Self.fingerprint(series)
                var row: [String?] = [
                    assessment.key, assessed.versions[assessment.key].map(String.init), assessment.asOf.description,
                    assessment.status.rawValue, result, String(fingerprint),
                ]
                if storedFingerprints[assessment.key] == fingerprint {
                    row += [nil, nil, nil, nil]  // unchanged: not sent, not rewritten
                } else {
                    row += [
                        Self.arrayLiteral(series.map { $0.date.description }),
                        Self.arrayLiteral(series.map { $0.progress.map(DecimalText.format) }),
                        Self.arrayLiteral(series.map { $0.qualifier?.rawValue }),
                        Self.arrayLiteral(series.map { NumberText.format($0.trajectory) }),
                    ]
                }
                try copy.writeRow(row)
            }
        }
        try connection.execute(
            """
            WITH stored AS (
                INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, assessed_at, method_version, status, result)
                SELECT a.key, a.version, a.as_of, \(assessed.readAt)::timestamptz, \(Assessment.methodVersion), a.status, a.result
                FROM pg_temp.headway_assessed a
                ORDER BY a.key
                RETURNING commitment_key, id, commitment_version, method_version, assessed_at, as_of, status, result
            )
            UPDATE headway.commitment_state l
            SET (assessment_id, commitment_version, method_version, assessed_at, as_of, status,
                 baseline_date, baseline_value, target_value, target_progress, comparison, deadline,
                 latest_date, latest_value, latest_qualifier, progress, percent_complete, percent_time_elapsed, achieved_on, days_early,
                 average_per_day, recent_per_day, required_per_day, required_from_now_per_day,
                 projection_method, value_at_deadline, value_at_deadline_low, value_at_deadline_high,
                 completion_date, completion_date_low, completion_date_high, schedule_variance_days, probability_met)
              = (s.id, s.commitment_version, s.method_version, s.assessed_at, s.as_of, s.status,
                 b.date, b.value, t.value, t.progress, t.comparison, r.deadline,
                 l2.date, l2.value, l2.qualifier, r.progress, r.percent_complete, r.percent_time_elapsed, r.achieved_on, r.days_early,
                 p.average_per_day, p.recent_per_day, p.required_per_day, p.required_from_now_per_day,
                 j.method, j.value_at_deadline, j.value_at_deadline_low, j.value_at_deadline_high,
                 j.completion_date, j.completion_date_low, j.completion_date_high, r.schedule_variance_days, r.probability_met)
            FROM stored s,
                 jsonb_to_record(s.result) AS r(deadline date, progress numeric, percent_complete float8,
                     percent_time_elapsed float8, achieved_on date, days_early integer, schedule_variance_days integer, probability_met float8,
                     baseline jsonb, target jsonb, latest jsonb, pace jsonb, projection jsonb),
                 jsonb_to_record(r.baseline) AS b(date date, value numeric),
                 jsonb_to_record(r.target) AS t(value numeric, progress numeric, comparison text),
                 jsonb_to_record(coalesce(r.latest, '{}')) AS l2(date date, value numeric, qualifier text),
                 jsonb_to_record(r.pace) AS p(average_per_day float8, recent_per_day float8, required_per_day float8,
                     required_from_now_per_day float8),
                 jsonb_to_record(r.projection) AS j(method text, value_at_deadline float8, value_at_deadline_low float8,
                     value_at_deadline_high float8, completion_date date, completion_date_low date, completion_date_high date)
            WHERE l.commitment_key = s.commitment_key
              -- An assessment that read its figures earlier never replaces a later one.
              AND (l.assessed_at IS NULL OR l.assessed_at <= s.assessed_at)
            """)
        // Series that did not change are left alone: most of a report's bulk, most of the time.
        try connection.execute(
            """
            INSERT INTO headway.latest_series AS l (commitment_key, dates, progress, qualifiers, trajectory, fingerprint)
            SELECT a.key, a.series_dates, a.series_progress, a.series_qualifiers, a.series_trajectory, a.fingerprint
            FROM pg_temp.headway_assessed a JOIN headway.commitment_state s ON s.commitment_key = a.key
            WHERE a.series_dates IS NOT NULL AND s.assessed_at = \(assessed.readAt)::timestamptz
            ORDER BY a.key
            ON CONFLICT (commitment_key) DO UPDATE
            SET dates = excluded.dates, progress = excluded.progress, qualifiers = excluded.qualifiers,
                trajectory = excluded.trajectory, fingerprint = excluded.fingerprint
            """)
    }

    private func seriesFingerprints() throws -> [String: Int64] {
        var fingerprints: [String: Int64] = [:]
        for row in try connection.query("SELECT commitment_key, fingerprint FROM headway.latest_series") {
            fingerprints[try row.decode(String.self, at: 0)] = try row.decode(Int64.self, at: 1)
        }
        return fingerprints
    }

    /// FNV-1a over the series' values. Equal series hash equally; a collision between different
    /// ones is as likely as 1 in 2^64, and would leave one chart's series a report behind.
    static func fingerprint(_ series: [Assessment.SeriesPoint]) -> Int64 {
        var hash = FNV1a()
        for point in series {
            withUnsafeBytes(of: point.date.daysSinceEpoch) { hash.mix($0) }
            withUnsafeBytes(of: point.trajectory.bitPattern) { hash.mix($0) }
            hash.mix((point.progress.map(DecimalText.format) ?? "-").utf8)
            hash.mix((point.qualifier?.rawValue ?? "-").utf8)
            hash.mix(CollectionOfOne(0))
        }
        return Int64(bitPattern: hash.value)
    }

    /// An arbitrary constant identifying the lock that serializes stores.
    private static let storeLockKey = 7_303_445_220

    /// A PostgreSQL array literal of plain elements (dates, numbers, qualifiers), NULL for nil.
    private static func arrayLiteral(_ elements: [String?]) -> String {
        "{" + elements.map { $0 ?? "NULL" }.joined(separator: ",") + "}"
    }

    /// How many of the commitments named by `keys` (all when empty) were made after `asOf`: the
    /// ones a report as of that date leaves out.
    public func countMadeAfter(_ asOf: CivilDate, keys: [String] = []) throws -> Int {
        try connection.query(
            """
            SELECT count(*) FROM headway.commitments
            WHERE made_on > \(asOf)
              AND (cardinality(\(PostgresTextArray(keys))::text[]) = 0 OR key = ANY(\(PostgresTextArray(keys))::text[]))
            """)[0].decode(Int.self, at: 0)
    }

    /// The commitments named by `keys` (all when empty), ordered by key; a key that names none is an error.
    func loadNamedCommitments(keys: [String]) throws -> [Commitment] {
        let commitments = try loadCommitments(keys: keys)
        if !keys.isEmpty {
            let missing = Set(keys).subtracting(commitments.map(\.key))
            if !missing.isEmpty { throw HeadwayError("no commitment with key \(missing.sorted().map { String(reflecting: $0) }.joined(separator: ", "))") }
        }
        return commitments
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

    func loadMetrics() throws -> [String: Metric] {
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
        try forEachMetric(
            metrics: metrics,
            figures: """
                SELECT DISTINCT ON (metric, period_start, period_end)
                       metric, period_start, period_end, value, qualifier, revision, published_on
                FROM headway.observations
                WHERE metric = ANY(\(PostgresTextArray(metrics))::text[]) AND published_on <= \(asOf)
                ORDER BY metric, period_start, period_end, published_on DESC, revision DESC
                """, body)
    }

    /// Streams `query` (metric, period_start, period_end, value, qualifier, revision, published_on,
    /// ordered by metric) and hands over each metric's figures in turn, then an empty list for
    /// each of `metrics` that had none: memory holds one metric's figures at a time.
    func forEachMetric(metrics: [String], figures query: SQLQuery, _ body: (String, [ObservedFigure]) throws -> Void) throws {
        var current: String?
        var figures: [ObservedFigure] = []
        var done: Set<String> = []
        func finish() throws {
            guard let current else { return }
            try body(current, figures)
            done.insert(current)
            figures.removeAll(keepingCapacity: true)
        }
        try connection.forEachRowInBatches(query) { row in
            let metric = try row.decode(String.self, at: 0)
            if metric != current {
                try finish()
                current = metric
            }
            figures.append(
                ObservedFigure(
                    periodStart: try row.decode(CivilDate?.self, at: 1), periodEnd: try row.decode(at: 2), value: try row.decode(at: 3),
                    qualifier: try Qualifier(decoding: try row.decode(String.self, at: 4)), revision: try row.decode(at: 5),
                    publishedOn: try row.decode(at: 6)))
        }
        try finish()
        for metric in metrics where !done.contains(metric) { try body(metric, []) }
    }
}
