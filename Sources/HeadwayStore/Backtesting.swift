import Foundation
import HeadwayModel
import HeadwayPostgres
import HeadwayReport

extension AssessmentStore {
    /// Replays the commitments named by `keys` (all when empty) whose outcome is known at `today`
    /// (docs/METHODS.md, section 9). Each metric's figures, every revision, are read once and kept
    /// only while that metric's commitments are replayed. Ordered by key.
    public func backtest(
        keys: [String] = [], today: CivilDate, every: Backtest.Every, method: ForecastMethod = .current
    ) throws -> [Backtest.Replay] {
        let commitments = try loadNamedCommitments(keys: keys).filter { $0.madeOn.map { $0 <= today } ?? true }
        let metrics = try loadMetrics()
        let byMetric = Dictionary(grouping: commitments, by: \.metric)
        var replays: [Backtest.Replay] = []
        try forEachMetricsHistory(metrics: byMetric.keys.sorted(), through: today) { key, history in
            guard let metric = metrics[key] else { return }
            for commitment in byMetric[key] ?? [] {
                if let replay = Backtest.replay(commitment, metric: metric, history: history, today: today, every: every, method: method) {
                    replays.append(replay)
                }
            }
        }
        return replays.sorted { $0.key < $1.key }
    }

    /// Hands over each metric's figures published by `through`, every revision, one metric at a time.
    private func forEachMetricsHistory(metrics: [String], through: CivilDate, _ body: (String, FigureHistory) throws -> Void) throws {
        try forEachMetric(
            metrics: metrics,
            figures: """
                SELECT metric, period_start, period_end, value, qualifier, revision, published_on
                FROM headway.observations
                WHERE metric = ANY(\(PostgresTextArray(metrics))::text[]) AND published_on <= \(through)
                ORDER BY metric, period_start, period_end, published_on, revision
                """
        ) { metric, figures in try body(metric, FigureHistory(sortedRevisions: figures)) }
    }
}
