import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

/// The staging table of a load that merges, and the rows on their way to it: each run of one
/// metric's rows is first compared with its stored figures (`StoredFigureMatcher`), and only the
/// rows that are new or differ are staged, in batches, for the merge. Short runs (a file by
/// period) are first grouped by metric in a window of rows. Runs are asked for in batches of
/// about `batchSize` rows, one query each; a batch is compared when the next one is asked for,
/// so that the server reads stored figures while the client reads the file. A window's runs
/// are asked for likewise, a batch for every `batchSize` rows read of the next window.
struct ObservationStaging {
    typealias Row = StoredFigureMatcher.Row

    let connection: PostgresConnection
    /// The fewest rows of one metric worth reading their stored figures for: below it, staging
    /// them costs less.
    let rowsWorthComparing: Int
    private(set) var stagedRows = 0
    /// Staged rows that were not compared, whose stored revisions the merge looks up.
    private(set) var uncomparedRows = 0
    /// Rows a stored figure repeats with another note or source.
    private(set) var provenanceDiffers = 0
    private var tableCreated = false
    /// Rows read and not settled: short runs, not grouped by metric yet, up to `windowSize`
    /// rows; and, from `seriesStart`, the run of one metric being read.
    private var window: [Row] = []
    let windowSize: Int
    private var seriesStart = 0
    /// The window before, grouped by metric, whose runs are being settled (last first).
    private var settling: [[Row]] = []
    /// Rows read since runs of `settling` were last settled.
    private var readSinceSettling = 0
    /// Runs to compare, not asked for yet.
    private var forming = StoredFigureMatcher.Batch()
    /// The batch before, whose stored figures were asked for.
    private var asked = StoredFigureMatcher.Batch()
    /// Rows to stage, not sent yet.
    private var pending: [Row] = []
    /// Bounds on the lists (a run longer than this is compared in parts), which bound the memory
    /// a load uses whatever its rows hold: 2,000 rows with notes of 600 bytes are about 1.5 MiB.
    let batchSize: Int
    /// The stored figures read so far, and the days their runs spanned: how many stored figures
    /// a day of the file's periods holds.
    private var storedRead = 0
    private var daysRead = 0
    /// An index probe (the merge's, for a row not compared) costs about as much as reading this
    /// many stored figures for a comparison.
    static let probeCost = 3.0
    /// Whether every row so far came in the identity index's order: each metric's rows together,
    /// their periods rising, so no identity twice (the merge then need not look for repeats).
    private(set) var identitiesAreUnique = true
    private var metricsEnded: Set<String> = []
    private var previous: (metric: String, identity: StoredFigureMatcher.Identity)?

    /// The loader's sizes are 16, 2,000 and 20,000 rows; tests make them small.
    init(connection: PostgresConnection, rowsWorthComparing: Int, batchSize: Int, windowSize: Int) {
        self.connection = connection
        self.rowsWorthComparing = rowsWorthComparing
        self.batchSize = batchSize
        self.windowSize = windowSize
    }

    mutating func add(_ row: Row) throws {
        if identitiesAreUnique { noteOrder(of: row.row) }
        if window.count > seriesStart, window[window.count - 1].row.metric != row.row.metric || window.count - seriesStart == batchSize {
            try endSeries()
        }
        window.append(row)
        readSinceSettling += 1
        if readSinceSettling >= batchSize, !settling.isEmpty { try settleSome() }
    }

    /// A run of one metric's rows has ended: a long one is settled at once; a short one waits in
    /// the window for more of its metric's rows, as a file by period (every metric's figure for
    /// one month, then the next month's) gives runs of one row.
    private mutating func endSeries() throws {
        if window.count - seriesStart >= rowsWorthComparing {
            try settle(window[seriesStart...])
            window.removeSubrange(seriesStart...)
        }
        seriesStart = window.count
        if window.count >= windowSize { try settleWindow() }
    }

    /// Groups the window's rows by metric into runs to settle (each metric's rows in the file's
    /// order), once the window before is settled.
    private mutating func settleWindow() throws {
        while !settling.isEmpty { try settleSome() }
        // Each row's group first, so that each group is made at its size: rows copied once.
        var groupOf: [String: Int] = [:]
        var sizes: [Int] = []
        let groupOfRow = window.map { row in
            let group = groupOf[row.row.metric] ?? sizes.count
            if group == sizes.count {
                groupOf[row.row.metric] = group
                sizes.append(0)
            }
            sizes[group] += 1
            return group
        }
        var groups = sizes.map { size in
            var group: [Row] = []
            group.reserveCapacity(size)
            return group
        }
        for (row, group) in zip(window, groupOfRow) { groups[group].append(row) }
        window.removeAll(keepingCapacity: true)
        seriesStart = 0
        settling = groups.reversed()
        try settleSome()
    }

    /// Settles runs of the window before until about a batch of rows has gone (a run longer
    /// than a batch goes in parts).
    private mutating func settleSome() throws {
        readSinceSettling = 0
        var settled = 0
        while settled < batchSize, var group = settling.popLast() {
            if group.count > batchSize {
                settling.append(Array(group[batchSize...]))
                group.removeSubrange(batchSize...)
            }
            settled += group.count
            try settle(group[...])
        }
    }

    private mutating func noteOrder(of row: ValidatedObservation) {
        let identity = StoredFigureMatcher.Identity(row)
        if let previous, previous.metric == row.metric {
            identitiesAreUnique = previous.identity < identity
        } else if let previous {
            metricsEnded.insert(previous.metric)
            identitiesAreUnique = !metricsEnded.contains(row.metric)
        }
        previous = (row.metric, identity)
    }

    /// Compares and stages what is left.
    mutating func finish() throws {
        try endSeries()
        try settleWindow()
        while !settling.isEmpty { try settleSome() }
        if !forming.isEmpty { try askForming() }
        try compareAsked()
        try flush()
    }

    /// A run of one metric's rows: a short one is staged as it is, a longer one joins the batch to compare.
    private mutating func settle(_ run: ArraySlice<Row>) throws {
        guard !run.isEmpty else { return }
        if run.count < rowsWorthComparing {
            pending += run
        } else {
            forming.append(run: run)
            // The first run is asked for alone: what it reads tells how to treat the next batches.
            if forming.rows.count >= batchSize || (daysRead == 0 && asked.isEmpty) { try askForming() }
        }
        if pending.count >= batchSize {
            try compareAsked()  // the connection must be free for the COPY
            try flush()
        }
    }

    /// Compares the batch asked for before, and asks for the one formed; unless the figures read
    /// so far say that its runs span many more stored figures than they have rows (a file of
    /// revisions): reading them all would cost more than the merge's probe for each row, and the
    /// rows are staged as they are.
    private mutating func askForming() throws {
        try compareAsked()
        if daysRead > 0, Double(storedRead) / Double(daysRead) * Double(forming.days) > Self.probeCost * Double(forming.rows.count) {
            pending += forming.rows
            forming.removeAll()
            return
        }
        try StoredFigureMatcher.ask(for: forming, connection)
        swap(&asked, &forming)
        forming.removeAll()
    }

    private mutating func compareAsked() throws {
        guard !asked.isEmpty else { return }
        let outcome = try StoredFigureMatcher.compare(asked, connection)
        storedRead += outcome.storedRead
        daysRead += asked.days
        pending += outcome.toStage
        provenanceDiffers += outcome.provenanceDiffers
        asked.removeAll()
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
