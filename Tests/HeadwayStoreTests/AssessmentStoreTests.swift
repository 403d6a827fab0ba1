import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres
import HeadwayReport
import HeadwayStore
import TestSupport
import Testing

@Suite struct AssessmentStoreTests {
    static let header = "metric,period_start,period_end,value,qualifier,source,published_on,note\n"

    private func fixture() throws -> LoaderFixture {
        let fixture = try LoaderFixture()
        _ = try DefinitionApplier(connection: fixture.connection).apply(
            try DefinitionsReader.read(
                text: """
                    commitments:
                      - key: closures-100
                        title: Close 100 lines in 2024
                        metric: closures
                        baseline: { date: 2024-01 }
                        target: { value: 100 }
                        deadline: 2024-12
                    """, fileName: "c.yaml"))
        return fixture
    }

    @Test func asOfSeesOnlyWhatWasPublishedThenInTheRevisionCurrentThen() throws {
        let fixture = try fixture()
        try fixture.load(Self.header + "closures,2024-01,2024-06,50,,answer,2024-07-10,first release\n")
        try fixture.load(Self.header + "closures,2024-01,2024-06,60,,answer,2024-08-10,revised\n")
        let store = AssessmentStore(connection: fixture.connection)
        func progress(_ asOf: String) throws -> Decimal? { try store.assess(asOf: try CivilDate(parsing: asOf)).first?.progress }
        #expect(try progress("2024-07-01") == nil)
        #expect(try progress("2024-07-31") == 50)
        #expect(try progress("2024-08-31") == 60)
        let before = try store.assess(asOf: try CivilDate(parsing: "2024-07-31"))
        #expect(before.first?.status == .onTrack)  // 50 by mid-year heads for 100
        #expect(JSONReport.render(before, asOf: try CivilDate(parsing: "2024-07-31"))
            == JSONReport.render(try store.assess(asOf: try CivilDate(parsing: "2024-07-31")), asOf: try CivilDate(parsing: "2024-07-31")))
    }

    /// One commitment assessed for the API reads only the figures its baseline can use, and
    /// comes out as the whole-metric assessment does: a running total begun before the baseline
    /// (2023-07..2024-03, less 2023-07..2023-12) keeps its start's figures; years before it, and
    /// levels before the last one at the baseline, are left out.
    @Test func oneCommitmentReadsOnlyTheFiguresItsBaselineCanUse() throws {
        let fixture = try fixture()
        _ = try DefinitionApplier(connection: fixture.connection).apply(
            try DefinitionsReader.read(
                text: """
                    commitments:
                      - key: officers-up
                        title: More officers by 2025
                        metric: officers
                        baseline: { date: 2024-03-31 }
                        target: { change: 100 }
                        deadline: 2025-06
                    """, fileName: "level.yaml"))
        try fixture.load(
            Self.header + """
                closures,2020-01,2020-12,90,,answer,2021-01-10,
                closures,2023-01,2023-06,40,,answer,2023-07-10,
                closures,2023-07,2023-09,15,,answer,2023-10-10,
                closures,2023-07,2023-12,30,,answer,2024-01-10,
                closures,2023-07,2024-03,48,,answer,2024-04-10,
                closures,2024-04,2024-04,6,,answer,2024-05-10,
                closures,2024-04,2024-04,7,,answer,2024-05-20,revised
                officers,,2023-12-31,1000,,answer,2024-01-05,
                officers,,2024-02-29,1010,,answer,2024-03-05,
                officers,,2024-05-31,1040,,answer,2024-06-05,

                """)
        let store = AssessmentStore(connection: fixture.connection)
        let asOf = try CivilDate(parsing: "2024-06-30")
        let whole = try store.assess(asOf: asOf)
        for (key, expected) in [
            ("closures-100", ["2023-09-30", "2023-12-31", "2024-03-31", "2024-04-30"]),
            ("officers-up", ["2024-02-29", "2024-05-31"]),
        ] {
            let one = try #require(try store.assessWithFigures(key: key, asOf: asOf, allRevisions: false))
            #expect(one.figures.map(\.periodEnd.description) == expected)
            #expect(one.figures.allSatisfy { $0.current })
            if let april = one.figures.first(where: { $0.periodEnd.description == "2024-04-30" }) {
                #expect(april.revision == 2 && april.note == "revised" && april.reference == "2024-04-01..2024-04-30#2")
            }
            if let may = one.figures.first(where: { $0.periodEnd.description == "2024-05-31" }) {
                #expect(may.reference == "..2024-05-31#1")  // a level has no start
            }
            let reference = try #require(whole.first { $0.key == key })
            #expect(one.assessment.map { JSONReport.value($0).compactText } == JSONReport.value(reference).compactText)
        }
        // The running total's difference is what closures-100 stands on: 48 − 30, then + 7.
        #expect(whole.first { $0.key == "closures-100" }?.progress == 25)
        #expect(try store.assessWithFigures(key: "nope", asOf: asOf, allRevisions: false) == nil)
        // Every revision of every figure, for the dashboard's table.
        #expect(try store.assessWithFigures(key: "closures-100", asOf: asOf, allRevisions: true)?.figures.count == 7)
    }

    /// What an assessment reads is cut to what its baseline can use, by one statement for a batch
    /// of metrics (each from its commitments' earliest baseline) and by one for a single
    /// commitment. Both must come out as an assessment from every figure the metric had, on
    /// random series: months, quarters, years and running totals overlapping one another,
    /// levels, revisions, baselines before, inside and after the figures, several as-of dates.
    @Test func assessmentsFromTheFiguresABaselineCanUseAreThoseFromEveryFigure() throws {
        let seed = ProcessInfo.processInfo.environment["HEADWAY_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)
        let fixture = try LoaderFixture()
        // Months are counted from January 2017.
        func month(_ index: Int) -> String { String(format: "%04d-%02d", 2017 + index / 12, index % 12 + 1) }
        func day(_ index: Int, _ day: Int) -> String { month(index) + String(format: "-%02d", day) }
        func lastDay(_ index: Int) -> String {
            let (year, month) = (2017 + index / 12, index % 12 + 1)
            let days = [31, year % 4 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            return day(index, days)
        }
        var definitions = "metrics:\n", promises = "commitments:\n", rows = Self.header
        var metrics: [String: Metric] = [:]
        for m in 0..<8 {
            let level = m % 3 == 2
            metrics["m\(m)"] = Metric(key: "m\(m)", name: "M\(m)", unit: "things", kind: level ? .level : .additive)
            definitions += "  - { key: m\(m), name: M\(m), unit: things, kind: \(level ? "level" : "additive") }\n"
            func figure(_ start: Int?, _ end: Int) {
                // One to three revisions, each published later than the one before.
                var published = end + 1
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let period = start.map { "\(month($0)),\(month(end))" } ?? ",\(lastDay(end))"
                    rows += "m\(m),\(period),\(Int.random(in: 0...500, using: &random)),,answer,\(day(published, Int.random(in: 1...28, using: &random))),\n"
                    published += Int.random(in: 0...14, using: &random)
                }
            }
            let first = Int.random(in: 0...40, using: &random), last = first + Int.random(in: 6...60, using: &random)
            for end in first...last where Int.random(in: 0..<10, using: &random) < 7 {
                if level { figure(nil, end); continue }
                figure(end, end)
                if end % 3 == 2 { figure(end - 2, end) }
                if end % 12 == 11 { figure(end - 11, end) }
            }
            if !level {
                let start = Int.random(in: first...last, using: &random)  // a running total
                for end in stride(from: start, through: last, by: Int.random(in: 1...4, using: &random)) { figure(start, end) }
            }
            for c in 0..<3 {
                let baseline = Int.random(in: max(0, first - 12)...(last + 12), using: &random)
                let value = level && c == 0 ? ", value: \(Int.random(in: 0...500, using: &random))" : ""
                let target = level ? "{ change: \(Int.random(in: -50...50, using: &random)) }" : "{ value: \(Int.random(in: 1...3000, using: &random)) }"
                promises += "  - { key: m\(m)-c\(c), title: C, metric: m\(m), baseline: { date: \(month(baseline))\(value) }, target: \(target), deadline: \(month(baseline + Int.random(in: 3...48, using: &random))) }\n"
            }
        }
        let applier = DefinitionApplier(connection: fixture.connection)
        _ = try applier.apply(try DefinitionsReader.read(text: definitions, fileName: "metrics.yaml"))
        try fixture.load(rows)
        _ = try applier.apply(try DefinitionsReader.read(text: promises, fileName: "commitments.yaml"))

        let store = AssessmentStore(connection: fixture.connection)
        let reader = FigureReader(connection: fixture.connection)
        let commitments = try store.loadCommitments(keys: [])
        #expect(commitments.count == 24)
        for asOf in ["2018-06-30", "2020-12-31", "2022-03-15", "2026-12-31"] {
            let asOf = try CivilDate(parsing: asOf)
            let batch = Dictionary(uniqueKeysWithValues: try store.assess(asOf: asOf).map { ($0.key, JSONReport.value($0).compactText) })
            for commitment in commitments {
                let every = try reader.figures(metric: commitment.metric, asOf: asOf).filter(\.current).map(\.observed)
                let reference = JSONReport.value(Assessor.assess(commitment, metric: metrics[commitment.metric]!, figures: every, asOf: asOf)).compactText
                #expect(batch[commitment.key] == reference, "\(commitment.key) as of \(asOf), HEADWAY_FUZZ_SEED=\(seed)")
                let one = try store.assessWithFigures(key: commitment.key, asOf: asOf, allRevisions: false)?.assessment
                #expect(one.map { JSONReport.value($0).compactText } == reference, "\(commitment.key) as of \(asOf), HEADWAY_FUZZ_SEED=\(seed)")
            }
        }
    }

    /// Re-assessing in batches stores every commitment once, each batch in its own transaction.
    @Test func reassessmentInBatchesStoresEveryCommitment() throws {
        let fixture = try fixture()
        let more = (1...4).map { "  - { key: closures-\($0), title: Close \($0), metric: closures, baseline: { date: 2024-01 }, target: { value: \($0 * 10) }, deadline: 2024-12 }" }
        _ = try DefinitionApplier(connection: fixture.connection).apply(
            try DefinitionsReader.read(text: "commitments:\n" + more.joined(separator: "\n"), fileName: "more.yaml"))
        try fixture.load(Self.header + "closures,2024-01,2024-06,50,,answer,2024-07-10,\n")
        let keys = ["closures-1", "closures-100", "closures-2", "closures-3", "closures-4"]
        var seen: [String] = []
        try AssessmentStore(connection: fixture.connection).reassess(keys: keys, batch: 2) { seen.append($0.key) }
        #expect(seen == keys)
        let stored = try fixture.connection.query(
            "SELECT commitment_key, count(*)::int FROM headway.assessments GROUP BY 1 ORDER BY 1")
        #expect(try stored.map { try $0.decode(String.self, at: 0) } == keys)
        #expect(try stored.allSatisfy { try $0.decode(Int.self, at: 1) == 1 })
        let status = try fixture.connection.query("SELECT count(*)::int FROM headway.commitment_status WHERE status IS NOT NULL")
        #expect(try status[0].decode(Int.self, at: 0) == 5)
    }

    /// A pledge for a rate, end to end: stored with its `over`, assessed on the window totals the
    /// loaded months tile, shown so in commitment_status, and moved by a revision of one month.
    @Test func aRatePledgeIsStoredAssessedAndRevised() throws {
        let fixture = try fixture()
        _ = try DefinitionApplier(connection: fixture.connection).apply(
            try DefinitionsReader.read(
                text: """
                    commitments:
                      - key: closures-a-year
                        title: Close 120 lines a year
                        metric: closures
                        baseline: { date: 2021-01 }
                        target: { value: 120, over: year }
                        deadline: 2021-12
                    """, fileName: "rate.yaml"))
        #expect(try fixture.connection.query("SELECT target_over FROM headway.commitments WHERE key = 'closures-a-year'")[0].decode(String.self, at: 0) == "year")
        var rows = Self.header
        for year in [2020, 2021] {
            for month in 1...12 { 
                let period = "\(year)-\(String(format: "%02d", month))"
                rows += "closures,\(period),\(period),\(year == 2020 ? 9 : 12),,answer,2022-01-10,\n"
             }
        }
        try fixture.load(rows)
        let store = AssessmentStore(connection: fixture.connection)
        let today = CivilDate.today()
        try store.assessAndStore(asOf: today)
        let state = try fixture.connection.query(
            "SELECT status, target_over, achieved_on::text, baseline_value::text, latest_value::text FROM headway.commitment_status WHERE key = 'closures-a-year'")
        #expect(state.first?.values == ["achieved", "year", "2021-04-30", "108", "144"])
        let result = try fixture.connection.query(
            "SELECT result->'target'->>'over' FROM headway.assessments WHERE commitment_key = 'closures-a-year' ORDER BY id DESC LIMIT 1")
        #expect(try result[0].decode(String.self, at: 0) == "year")
        // March 2021 revised down by 10: the year to April holds 110, and 120 is first reached in August.
        try fixture.load(Self.header + "closures,2021-03,2021-03,2,,answer,2022-02-10,revised\n")
        try store.assessAndStore(asOf: today)
        #expect(
            try fixture.connection.query("SELECT achieved_on::text FROM headway.commitment_status WHERE key = 'closures-a-year'")[0].decode(String.self, at: 0)
                == "2021-08-31")
    }

    @Test func everyEvaluationIsKept() throws {
        let fixture = try fixture()
        try fixture.load(Self.header + "closures,2024-01,2024-06,50,,answer,2024-07-10,\n")
        let store = AssessmentStore(connection: fixture.connection)
        try store.assessAndStore(asOf: try CivilDate(parsing: "2024-07-31"))
        try store.assessAndStore(asOf: try CivilDate(parsing: "2025-01-31"))
        let rows = try fixture.connection.query(
            "SELECT as_of::text, status, method_version, commitment_version, result->>'progress' FROM headway.assessments ORDER BY id")
        let method = Assessment.methodVersion
        #expect(rows.map(\.values) == [["2024-07-31", "on_track", method, "1", "50"], ["2025-01-31", "awaiting_data", method, "1", "50"]])
        #expect(throws: HeadwayError.self) { try store.assess(keys: ["nope"], asOf: try CivilDate(parsing: "2024-07-31")) }
    }

    /// The state behind the views is kept by the database: an assessment a writer login inserts
    /// with plain SQL shows in commitment_status when it is of the present (as of the day it was
    /// made), with every flattened field; one as of another day, or one that read its figures
    /// before the state's, leaves it alone.
    @Test func anyWriterKeepsThePresentStateWhole() throws {
        let fixture = try fixture()
        try fixture.load(Self.header + "closures,2024-01,2024-06,50,,answer,2024-07-10,\n")
        let store = AssessmentStore(connection: fixture.connection)
        try store.assessAndStore()
        let writerName = "writer_" + UUID().uuidString.prefix(8).lowercased()
        try LoginGrants(connection: fixture.connection).grant(.writer, to: writerName, password: nil)
        let writer = try PostgresConnection(url: TestDatabase.url(fixture.url, user: writerName))
        let result = """
            {"deadline": "2024-12-31", "progress": 70, "percent_complete": 70.5, "percent_time_elapsed": 50, "probability_met": 0.625,
             "schedule_variance_days": -3, "baseline": {"date": "2024-01-01", "value": null},
             "target": {"value": 100, "progress": 100, "comparison": "at_least"}, "latest": {"date": "2024-09-30", "value": 70, "qualifier": "about"},
             "pace": {"average_per_day": 0.25, "recent_per_day": 0.5, "required_per_day": 0.3, "required_from_now_per_day": 0.4},
             "projection": {"method": "m", "value_at_deadline": 95.5, "value_at_deadline_low": 80, "value_at_deadline_high": 110,
                            "completion_date": "2025-01-15", "completion_date_low": "2024-12-01", "completion_date_high": "2025-03-01"}}
            """
        /// `asOf` nil: today (UTC); `assessedAt` nil: now.
        func insert(asOf: String?, assessedAt: String?, status: String) throws {
            try writer.execute(
                """
                INSERT INTO headway.assessments (commitment_key, commitment_version, as_of, assessed_at, method_version, status, result)
                VALUES ('closures-100', 1, coalesce(\(asOf)::date, (now() AT TIME ZONE 'UTC')::date), coalesce(\(assessedAt)::timestamptz, now()),
                        '2', \(status), \(result)::jsonb)
                """)
        }
        let columns = """
            status, as_of::text, progress::text, percent_complete::text, probability_met::text, latest_qualifier, recent_per_day::text,
            value_at_deadline_high::text, completion_date_low::text, schedule_variance_days::text, stale::text
            """
        func state() throws -> [String?] {
            try fixture.connection.query("SELECT \(unsafeSQL: columns) FROM headway.commitment_status")[0].values
        }
        let present = try state()
        #expect(present[0] != nil && present[0] != "at_risk" && present[10] == "false")
        // As of another day, or made before the present state read its figures: history only.
        try insert(asOf: "2024-10-01", assessedAt: nil, status: "at_risk")
        try insert(asOf: "2000-01-01", assessedAt: "2000-01-01 12:00+00", status: "at_risk")
        #expect(try state() == present)
        // Of the present, made later: the views say what it says, field by field.
        try insert(asOf: nil, assessedAt: nil, status: "at_risk")
        let today = try fixture.connection.query("SELECT ((now() AT TIME ZONE 'UTC')::date)::text")[0][0]
        #expect(try state() == ["at_risk", today, "70", "70.5", "0.625", "about", "0.5", "110", "2024-12-01", "-3", "false"])
        // The cache itself is the database's to write.
        #expect(throws: PostgresError.self) { try writer.execute("UPDATE headway.commitment_state SET status = 'achieved'") }
        let refused = #expect(throws: PostgresError.self) { try writer.execute("SELECT headway.take_present_assessments('{}', '{}')") }
        #expect(refused?.sqlState == .insufficientPrivilege)
    }

    /// Tags and milestones written by any SQL client come back exactly, separators and all; a
    /// milestone that is not a date and a number is an error, not a crash.
    @Test func tagsAndMilestonesReadBackAsWritten() throws {
        let fixture = try fixture()
        let store = AssessmentStore(connection: fixture.connection)
        let tags = ["a;b", "k=v", "", "NULL", "{x,y}", "\"q\"", "back\\slash", "ünï 🙂"]
        try fixture.connection.execute(
            """
            UPDATE headway.commitments SET tags = \(PostgresTextArray(tags))::text[],
                milestones = '[{"date": "2024-06-30", "value": "40.5"}, {"date": "2024-09-30", "value": 70}]'
            """)
        let commitment = try #require(try store.loadCommitments(keys: []).first)
        #expect(commitment.tags == tags)
        #expect(commitment.milestones.map(\.value) == [Decimal(string: "40.5")!, 70])
        #expect(commitment.milestones.map(\.date.description) == ["2024-06-30", "2024-09-30"])
        try fixture.connection.execute("""
            UPDATE headway.commitments SET milestones = '[{"date": "2024-06-30", "value": "1;2=3"}]'
            """)
        #expect(throws: PostgresError.self) { try store.assess(asOf: try CivilDate(parsing: "2024-07-31")) }
        // The database refuses what `apply` refuses.
        #expect(throws: PostgresError.self) { try fixture.connection.execute("UPDATE headway.commitments SET tags = ARRAY[E'a\\x1fb']") }
        #expect(throws: PostgresError.self) { try fixture.connection.execute("UPDATE headway.commitments SET tags = ARRAY[NULL]::text[]") }
    }

    /// Definitions, versions and figures are read from one snapshot, taken once the figures are
    /// locked: a change committed while an assessment is under way is seen whole or not at all.
    /// Here a definition changes while the assessment waits between its reads.
    @Test func anAssessmentReadsFromOneSnapshot() async throws {
        let fixture = try fixture()
        try fixture.load(Self.header + "closures,2024-01,2024-06,50,,answer,2024-07-10,\n")
        let other = try PostgresConnection(url: fixture.url)
        try other.execute("BEGIN")
        try other.execute("LOCK TABLE headway.metrics IN ACCESS EXCLUSIVE MODE")  // the assessment waits at its metrics
        let url = fixture.url
        let assessing = Task.detached { try AssessmentStore(connection: try PostgresConnection(url: url)).assessForStoring() }
        var waited = 0
        while try other.query("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'headway.metrics'::regclass")[0]
            .decode(Int.self, at: 0) == 0
        {
            waited += 1
            #expect(waited < 1_000, "the assessment never reached the metrics")
            if waited >= 1_000 { break }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        try other.execute("UPDATE headway.metrics SET unit = 'closed lines' WHERE key = 'closures'")
        try other.execute("UPDATE headway.commitments SET title = 'Renamed' WHERE key = 'closures-100'")
        try other.execute("COMMIT")
        let assessed = try await assessing.value
        #expect(assessed.assessments.map(\.unit) == ["lines"])
        #expect(assessed.assessments.map(\.title) == ["Close 100 lines in 2024"])
    }
}
