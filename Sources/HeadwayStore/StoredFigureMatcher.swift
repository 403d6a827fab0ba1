import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres

/// Compares rows of a file with the figures stored for them, before anything is staged: a row
/// that a stored revision repeats (same identity, value, qualifier and published_on) is unchanged
/// and needs no merge; only new and differing rows go on to the staging table. A reload or a
/// republished history then sends the server its few changes instead of every row.
///
/// Works on runs of rows of one metric (files come in series), a batch of them at a time: one
/// query reads each run's stored figures between its first and last period, in the identity
/// index's order, in binary format, and the rows are compared with them in memory. The query is sent
/// (`ask`) before it is needed (`compare`), so that the server reads while the client reads on.
/// The loader holds the table's lock throughout, so no other load can store a figure between
/// this comparison and the merge; the merge checks the rows it gets again all the same.
enum StoredFigureMatcher {
    /// A row read from a file, with its position in the command (which orders revisions) and,
    /// once compared, the latest revision stored for its identity (0 if none), which the merge
    /// then need not look up.
    struct Row {
        var position: Int
        var row: ValidatedObservation
        var latestRevision: Int?
    }

    /// What the comparison leaves: the rows to stage, and how many of the others a stored
    /// revision repeats only with another note or source (counted; provenance is not revised).
    struct Outcome {
        var toStage: [Row] = []
        var provenanceDiffers = 0
        /// How many stored figures the query read.
        var storedRead = 0
    }

    /// Runs of rows, each of one metric (files come in series), whose stored figures one query
    /// asks for: a file of short series then costs one round trip per batch, not per series.
    struct Batch {
        private(set) var rows: [Row] = []
        /// Where each run ends in `rows`.
        private(set) var runEnds: [Int] = []
        /// Each run's first and last identity.
        private(set) var spans: [ClosedRange<Identity>] = []

        var isEmpty: Bool { rows.isEmpty }

        mutating func append(run: ArraySlice<Row>) {
            var lowest = Identity(run[run.startIndex].row), highest = lowest
            for candidate in run {
                let identity = Identity(candidate.row)
                lowest = min(lowest, identity)
                highest = max(highest, identity)
            }
            rows += run
            runEnds.append(rows.count)
            spans.append(lowest...highest)
        }

        mutating func removeAll() {
            rows.removeAll(keepingCapacity: true)
            runEnds.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
        }

        /// Each run's place in `rows`, in order.
        var runs: [Range<Int>] { zip([0] + runEnds.dropLast(), runEnds).map { $0..<$1 } }

        /// How many days the runs' periods span, each counted from its first period's end to its last's.
        var days: Int { spans.reduce(0) { $0 + Int($1.upperBound.end) - Int($1.lowerBound.end) + 1 } }
    }

    /// The most stored figures read for one batch; a batch whose periods span more is staged
    /// whole, so that memory stays bounded whatever the series.
    static let storedLimit = 50_000

    /// Sends the query for the stored figures of each run of `batch` (at least one run): those of
    /// the run's metric between its first and last period, in the identity index's order, each
    /// with the run's number (from 1).
    static func ask(for batch: Batch, _ connection: PostgresConnection) throws {
        try connection.sendPreparedForBinaryRows(
            """
            SELECT coalesce(o.period_start, '-infinity'::date), o.period_end, o.value, o.qualifier, o.published_on, o.note, o.source, o.revision,
                   r.run::integer
            FROM unnest(\(PostgresTextArray(batch.runs.map { batch.rows[$0.lowerBound].row.metric }))::text[],
                        \(PostgresTextArray(batch.spans.map(\.lowerBound.startText)))::date[], \(PostgresTextArray(batch.spans.map(\.lowerBound.endText)))::date[],
                        \(PostgresTextArray(batch.spans.map(\.upperBound.startText)))::date[], \(PostgresTextArray(batch.spans.map(\.upperBound.endText)))::date[])
                 WITH ORDINALITY AS r (metric, low_start, low_end, high_start, high_end, run)
            CROSS JOIN LATERAL (
                -- With a limit, the subquery stays a loop over the runs, each reading its range in
                -- the index's order, which is the order the rows come in (checked by `compare`).
                -- Joined by hash, it would read the whole table: the planner's choice for a table
                -- not analysed yet, as after a first load.
                SELECT * FROM headway.observations o
                WHERE o.metric = r.metric
                  AND (coalesce(o.period_start, '-infinity'::date), o.period_end) >= (r.low_start, r.low_end)
                  AND (coalesce(o.period_start, '-infinity'::date), o.period_end) <= (r.high_start, r.high_end)
                ORDER BY o.metric, coalesce(o.period_start, '-infinity'::date), o.period_end, o.revision
                LIMIT \(Self.storedLimit + 1)) o
            LIMIT \(Self.storedLimit + 1)
            """)
    }

    /// Compares the rows of `batch` with the stored figures `ask(for: batch)` asked for.
    static func compare(_ batch: Batch, _ connection: PostgresConnection) throws -> Outcome {
        var outcome = Outcome()
        try connection.receiveBinaryRows { stored in
            outcome.storedRead = stored.count
            // The stored rows' identities, in order within each run: a row's revisions are found by binary search.
            let identities = (0..<stored.count).map { Identity(stored, row: $0) }
            guard stored.count <= Self.storedLimit, isInOrder(stored, identities) else {
                outcome.toStage = batch.rows  // the merge compares them instead
                return
            }
            var runStart = 0
            for (number, run) in zip(Int32(1)..., batch.runs) {
                var runEnd = runStart
                while runEnd < stored.count, stored.int32(row: runEnd, column: 8) == number { runEnd += 1 }
                compare(batch.rows[run], with: stored, identities[runStart..<runEnd], &outcome)
                runStart = runEnd
            }
        }
        return outcome
    }

    /// Whether the stored rows come run by run, each run's by identity and revision, as the
    /// comparison reads them.
    private static func isInOrder(_ stored: BinaryRows, _ identities: [Identity]) -> Bool {
        var previous: (run: Int32, identity: Identity, revision: Int32)?
        for row in 0..<stored.count {
            let current = (run: stored.int32(row: row, column: 8) ?? 0, identity: identities[row], revision: stored.int32(row: row, column: 7) ?? 0)
            if let previous, (current.run, current.identity, current.revision) < (previous.run, previous.identity, previous.revision) { return false }
            previous = current
        }
        return true
    }

    /// Compares one run's rows with its stored figures (`identities`, positions in `stored`).
    private static func compare(_ rows: ArraySlice<Row>, with stored: BinaryRows, _ identities: ArraySlice<Identity>, _ outcome: inout Outcome) {
        for candidate in rows.indices {  // by index: a row is not copied to be compared
            let identity = Identity(rows[candidate].row)
            var repeated = false
            var alike = false
            var latest: Int32 = 0
            var index = identities.firstIndex(notBefore: identity)
            while index < identities.endIndex, identities[index] == identity {
                defer { index += 1 }
                latest = stored.int32(row: index, column: 7) ?? latest  // revisions come in order
                guard let value = stored.bytes(row: index, column: 2), rows[candidate].row.value.isEqual(toBinary: value),
                    stored.value(row: index, column: 3, is: rows[candidate].row.qualifier.rawValue),
                    stored.int32(row: index, column: 4) == Identity.postgresDays(rows[candidate].row.publishedOn)
                else { continue }
                repeated = true
                if stored.value(row: index, column: 5, is: rows[candidate].row.note) && stored.value(row: index, column: 6, is: rows[candidate].row.source) {
                    alike = true
                    break
                }
            }
            if !repeated {
                outcome.toStage.append(Row(position: rows[candidate].position, row: rows[candidate].row, latestRevision: Int(latest)))
            } else if !alike {
                outcome.provenanceDiffers += 1
            }
        }
    }

    /// A figure's identity within its metric, in the identity index's order: the period's start
    /// (`-infinity` for a level) and end, as PostgreSQL's binary `date` counts days.
    struct Identity: Comparable {
        var start: Int32
        var end: Int32

        init(_ row: ValidatedObservation) {
            start = row.periodStart.map(Self.postgresDays) ?? Int32.min
            end = Self.postgresDays(row.periodEnd)
        }

        init(_ stored: BinaryRows, row: Int) {
            start = stored.int32(row: row, column: 0) ?? Int32.min
            end = stored.int32(row: row, column: 1) ?? Int32.min
        }

        static func postgresDays(_ date: CivilDate) -> Int32 { Int32(truncatingIfNeeded: date.daysSinceEpoch - 10_957) }

        static func < (a: Self, b: Self) -> Bool { (a.start, a.end) < (b.start, b.end) }

        var startText: String { start == Int32.min ? "-infinity" : Self.text(start) }
        var endText: String { Self.text(end) }

        private static func text(_ days: Int32) -> String { CivilDate(daysSinceEpoch: Int(days) + 10_957).description }
    }
}

extension ArraySlice where Element == StoredFigureMatcher.Identity {
    /// The first position whose identity is not before `identity` (the slice is in order).
    func firstIndex(notBefore identity: Element) -> Int {
        var (low, high) = (startIndex, endIndex)
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < identity { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
