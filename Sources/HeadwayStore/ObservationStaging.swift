import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

/// The staging table of a load that merges, and the rows on their way to it: each run of one
/// metric's rows is first compared with its stored figures (`StoredFigureMatcher`), and only the
/// rows that are new or differ are staged, in batches, for the merge. The stored figures of one
/// run are asked for when it ends, and compared when the next one ends: the server reads them
/// while the client reads the file.
struct ObservationStaging {
    typealias Row = StoredFigureMatcher.Row

    let connection: PostgresConnection
    /// The fewest rows of one metric in a row worth a query of their stored figures: below it,
    /// staging them costs less than the round trip.
    let rowsWorthComparing: Int
    private(set) var stagedRows = 0
    /// Staged rows that were not compared, whose stored revisions the merge looks up.
    private(set) var uncomparedRows = 0
    /// Rows a stored figure repeats with another note or source.
    private(set) var provenanceDiffers = 0
    private var tableCreated = false
    /// Consecutive rows of one metric, being read.
    private var series: [Row] = []
    /// The run before, whose stored figures were asked for.
    private var asked: [Row] = []
    /// Rows to stage, not sent yet.
    private var pending: [Row] = []
    /// Bounds on the lists (a run longer than this is compared in parts), which bound the memory
    /// a load uses whatever its rows hold: 2,000 rows with notes of 600 bytes are about 1.5 MiB.
    static let batchSize = 2_000
    /// Whether the last run compared was mostly rows that stay unchanged. When most differ (a
    /// file of revisions), reading their stored figures costs more than staging them all, and
    /// the merge looks them up instead; one run in `recheckEvery` is compared all the same, to
    /// notice when that changes.
    private var comparingPaysOff = true
    private var runsNotCompared = 0
    static let recheckEvery = 8

    init(connection: PostgresConnection, rowsWorthComparing: Int) {
        self.connection = connection
        self.rowsWorthComparing = rowsWorthComparing
    }

    mutating func add(_ row: Row) throws {
        if let last = series.last, last.row.metric != row.row.metric || series.count == Self.batchSize { try settleSeries() }
        series.append(row)
    }

    /// Compares and stages what is left.
    mutating func finish() throws {
        try settleSeries()
        try compareAsked()
        try flush()
    }

    /// A run has ended: a short one is staged as it is; for a longer one, the run before is
    /// compared and this one's stored figures asked for.
    private mutating func settleSeries() throws {
        guard !series.isEmpty else { return }
        if series.count < rowsWorthComparing || (!comparingPaysOff && runsNotCompared < Self.recheckEvery - 1) {
            pending += series
            if series.count >= rowsWorthComparing { runsNotCompared += 1 }
        } else {
            runsNotCompared = 0
            try compareAsked()
            try StoredFigureMatcher.ask(for: series, connection)
            swap(&asked, &series)
        }
        series.removeAll(keepingCapacity: true)
        if pending.count >= Self.batchSize {
            try compareAsked()  // the connection must be free for the COPY
            try flush()
        }
    }

    private mutating func compareAsked() throws {
        guard !asked.isEmpty else { return }
        let outcome = try StoredFigureMatcher.compare(asked, connection)
        comparingPaysOff = outcome.toStage.count * 2 <= asked.count
        pending += outcome.toStage
        provenanceDiffers += outcome.provenanceDiffers
        asked.removeAll(keepingCapacity: true)
    }

    /// Copies the pending rows into the staging table (made at the first), in COPY's binary
    /// format, each with its position in the command, which orders revisions published the same day.
    private mutating func flush() throws {
        guard !pending.isEmpty else { return }
        if !tableCreated {
            try connection.executeScript(
                """
                CREATE TEMP TABLE headway_staging (
                    position bigint, metric text, kind text, period_start date, period_end date, value numeric,
                    qualifier text, source text, published_on date, note text, stored_latest bigint
                ) ON COMMIT DROP
                """)
            tableCreated = true
        }
        stagedRows += try connection.copyIn("COPY pg_temp.headway_staging FROM STDIN (FORMAT binary)", format: .binary) { copy in
            for row in pending { try copy.writeBinary(staged: row) }
        }
        uncomparedRows += pending.count { $0.latestRevision == nil }
        pending.removeAll(keepingCapacity: true)
    }
}
