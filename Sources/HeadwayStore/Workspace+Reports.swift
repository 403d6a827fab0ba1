import HeadwayModel
import HeadwayReport

extension Workspace {
    /// Assesses the commitments named by `keys` (all when empty) with what was published by
    /// `asOf`; nothing is stored (see `AssessmentStore.assess`).
    public func assess(keys: [String] = [], asOf: CivilDate) throws -> [Assessment] {
        try AssessmentStore(connection: connection).assess(keys: keys, asOf: asOf)
    }

    /// One commitment assessed as of `asOf`, with its metric's figures (see
    /// `AssessmentStore.assessWithFigures`); nil for an unknown key. Nothing is stored.
    public func assessWithFigures(key: String, asOf: CivilDate, allRevisions: Bool) throws -> AssessmentStore.AssessedCommitment? {
        try AssessmentStore(connection: connection).assessWithFigures(key: key, asOf: asOf, allRevisions: allRevisions)
    }

    /// Assesses as of `asOf` (nil: the present, by the database's clock), ready to `store`
    /// (see `AssessmentStore.assessForStoring`).
    public func assessForStoring(keys: [String] = [], asOf: CivilDate? = nil) throws -> AssessmentStore.Assessed {
        try AssessmentStore(connection: connection).assessForStoring(keys: keys, asOf: asOf)
    }

    /// Keeps the assessments in `headway.assessments`; those of the present become the views' state.
    public func store(_ assessed: AssessmentStore.Assessed) throws {
        try AssessmentStore(connection: connection).store(assessed)
    }

    /// How many of the commitments named by `keys` (all when empty) were made after `asOf`.
    public func countMadeAfter(_ asOf: CivilDate, keys: [String] = []) throws -> Int {
        try AssessmentStore(connection: connection).countMadeAfter(asOf, keys: keys)
    }

    /// Replays the commitments whose outcome is known today (see `AssessmentStore.backtest`).
    public func backtest(
        keys: [String] = [], every: Backtest.Every, method: ForecastMethod = .current
    ) throws -> (today: CivilDate, replays: [Backtest.Replay]) {
        let today = today()
        return (today, try AssessmentStore(connection: connection).backtest(keys: keys, today: today, every: every, method: method))
    }

    /// Re-assesses the given commitments as of the present and stores the results
    /// (see `AssessmentStore.reassess`).
    func reassess(keys: [String], each: (Assessment) -> Void = { _ in }) throws {
        try AssessmentStore(connection: connection).reassess(keys: keys, each: each)
    }

    /// Re-assesses the commitments on any of `metrics`.
    func reassess(onMetrics metrics: Set<String>) throws {
        try reassess(keys: try AssessmentStore(connection: connection).commitmentKeys(onMetrics: metrics))
    }
}
