import Foundation
import HeadwayIngest
import HeadwayModel
import HeadwayPostgres
@testable import HeadwayStore
import TestSupport
import Testing

@Suite struct ObservationLoaderTests {
    static let header = "metric,period_start,period_end,value,qualifier,source,published_on,note\n"

    @Test func loadsEveryDateFormAndResolvesPeriods() throws {
        let fixture = try LoaderFixture()
        let summary = try fixture.load(
            Self.header + """
                closures,2022-04,2024-03,2500,at_least,answer,2024-04-05,"over 2,500 since April 2022"
                closures,FY2022-23,FY2022-23,1200,about,answer,,
                closures,2023-Q1,2023-Q1,300,,answer,2023-05,
                closures,2021,2021,900,exact,,2022-01-15,
                officers,,2023-03-31,725,,answer,,

                """)
        #expect(summary.rows == 5 && summary.inserted == 5 && summary.unchanged == 0 && summary.revised == 0)
        #expect(try fixture.current("closures") == [
            ["2021-01-01", "2021-12-31", "900", "exact", "1"],
            ["2022-04-01", "2023-03-31", "1200", "about", "1"],
            ["2023-01-01", "2023-03-31", "300", "exact", "1"],
            ["2022-04-01", "2024-03-31", "2500", "at_least", "1"],
        ])
        // published_on falls back to the source's; a coarse published_on means its last day.
        let published = try fixture.connection.query(
            "SELECT published_on::text FROM headway.observations WHERE metric = 'closures' ORDER BY period_end, period_start")
        #expect(published.map { $0[0] } == ["2022-01-15", "2024-04-05", "2023-05-31", "2024-04-05"])
        #expect(try fixture.current("officers") == [[nil, "2023-03-31", "725", "exact", "1"]])
    }

    @Test func reloadingChangesNothing() throws {
        let fixture = try LoaderFixture()
        let text = Self.header + "closures,2024-01,2024-01,10,,answer,,\nclosures,2024-02,2024-02,12,,answer,,\n"
        #expect(try fixture.load(text).inserted == 2)
        let before = try fixture.snapshot()
        let again = try fixture.load(text)
        #expect(again.rows == 2 && again.unchanged == 2 && again.inserted == 0 && again.revised == 0)
        #expect(try fixture.snapshot() == before)
        // The same value written differently is the same figure.
        #expect(try fixture.load(Self.header + "closures,2024-01-01,2024-01-31,10.0,exact,answer,2024-04-05,\n").unchanged == 1)
    }

    @Test func aChangedFigureIsARevisionAndHistoryIsKept() throws {
        let fixture = try LoaderFixture()
        let first = Self.header + "closures,2024-01,2024-01,10,,answer,2024-02-10,first estimate\n"
        try fixture.load(first)
        let revised = try fixture.load(Self.header + "closures,2024-01,2024-01,11,,answer,2024-03-10,revised\n")
        #expect(revised.revised == 1 && revised.inserted == 0)
        #expect(try fixture.current("closures") == [["2024-01-01", "2024-01-31", "11", "exact", "2"]])
        // Reloading the first release is harmless: that figure is already kept.
        #expect(try fixture.load(first).unchanged == 1)
        let all = try fixture.connection.query(
            "SELECT revision, value::text, published_on::text FROM headway.observations ORDER BY revision")
        #expect(all.map(\.values) == [["1", "10", "2024-02-10"], ["2", "11", "2024-03-10"]])
    }

    @Test func revisionsWithinOneFileAreNumberedByPublication() throws {
        let fixture = try LoaderFixture()
        let summary = try fixture.load(
            Self.header + """
                arrests,2024-01,2024-01,7,,answer,2024-03-01,
                arrests,2024-01,2024-01,5,,answer,2024-02-01,
                arrests,2024-01,2024-01,5,,answer,2024-02-01,
                arrests,2024-02,2024-02,9,,answer,2024-03-01,

                """)
        #expect(summary.rows == 4 && summary.inserted == 2 && summary.revised == 1 && summary.unchanged == 1)
        let revisions = try fixture.connection.query(
            "SELECT revision, value::text FROM headway.observations WHERE period_end = '2024-01-31' ORDER BY revision")
        #expect(revisions.map(\.values) == [["1", "5"], ["2", "7"]])
    }

    @Test func skipInvalidLoadsGoodRowsAndWritesRejectsWithReasons() throws {
        let fixture = try LoaderFixture()
        let rejects = fixture.directory.appendingPathComponent("rejects.csv").path
        var options = ObservationLoader.Options(skipInvalid: true, rejectsPath: rejects)
        options.maximumErrors = 1
        let summary = try fixture.load(
            Self.header + """
                closures,2024-01,2024-01,10,,answer,,
                closures,2024-02,2024-02,ten,,answer,,"a, note"
                nope,2024-03,2024-03,1,,answer,,
                closures,2024-04,2024-04,13,,answer,,

                """, options: options)
        #expect(summary.rows == 4 && summary.inserted == 2 && summary.rejected == 2)
        let written = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\r\n")
        #expect(written.count == 3)
        #expect(written[0] == "file,line,error,metric,period_start,period_end,value,qualifier,source,published_on,note")
        #expect(written[1].contains(":3: column value: \"\"ten\"\" is not a decimal number"))
        #expect(written[1].hasSuffix(",\"a, note\""))
        #expect(written[2].contains(":4: column metric:"))
    }

    /// The rejects file is CSV a person opens in a spreadsheet: written under the one CSV policy
    /// (docs/FORMATS.md), a rejected row's formula is defused and its numbers kept as they are.
    @Test func theRejectsFileDefusesFormulas() throws {
        let fixture = try LoaderFixture()
        let rejects = fixture.directory.appendingPathComponent("rejects.csv").path
        _ = try fixture.load(
            Self.header + """
                closures,2024-02,2024-02,-5,,nowhere,,"=HYPERLINK(""http://example.invalid"")"

                """, options: ObservationLoader.Options(skipInvalid: true, rejectsPath: rejects))
        let written = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\r\n")
        #expect(written.count == 2)
        #expect(written[1].hasSuffix(",-5,,nowhere,,\"'=HYPERLINK(\"\"http://example.invalid\"\")\""), "\(written[1])")
    }

    @Test func aBadByteInAnyFieldRejectsOnlyItsOwnRow() throws {
        // Invalid UTF-8 or a NUL in each field position of the first of three rows, the last
        // field (where the reader used to swallow the next line) included: the other rows load,
        // the bad one is rejected at its own line, and every line is counted once.
        let good = ["closures", "2024-01", "2024-01", "10", "exact", "answer", "2024-02-01", "a note"]
        for bad: [UInt8] in [[0xFF], [0x00]] {
            for position in good.indices {
                let fixture = try LoaderFixture()
                var row = good.map { Array($0.utf8) }
                row[position] += bad
                let lines = [Array(Self.header.utf8), row.joined(separator: [0x2C]) + [0x0A]]
                    + ["closures,2024-02,2024-02,11,,answer,,\n", "closures,2024-03,2024-03,12,,answer,,\n"].map { Array($0.utf8) }
                let rejects = fixture.directory.appendingPathComponent("rejects.csv").path
                let summary = try fixture.load(lines.flatMap { $0 }, options: .init(skipInvalid: true, rejectsPath: rejects))
                #expect(summary.rows == 3 && summary.inserted == 2 && summary.rejected == 1, "\(bad) in field \(position)")
                #expect(try fixture.current("closures").map { $0[2] } == ["11", "12"])
                let written = try String(contentsOfFile: rejects, encoding: .utf8)
                #expect(written.contains("data.csv:2: column \(ObservationColumn.allCases[position].rawValue):"), "\(written)")
            }
        }
    }

    @Test func anUnchangedFigureWithAnotherNoteOrSourceIsCountedAndNotRevised() throws {
        let fixture = try LoaderFixture()
        try fixture.load(Self.header + "closures,2024-01,2024-01,10,,answer,2024-02-01,first note\n")
        let renoted = try fixture.load(Self.header + "closures,2024-01,2024-01,10,,answer,2024-02-01,corrected note\n")
        #expect(renoted.unchanged == 1 && renoted.provenanceDiffers == 1 && renoted.inserted + renoted.revised == 0)
        let resourced = try fixture.load(Self.header + "closures,2024-01,2024-01,10,,,2024-02-01,first note\n")
        #expect(resourced.unchanged == 1 && resourced.provenanceDiffers == 1)
        let same = try fixture.load(Self.header + "closures,2024-01,2024-01,10,,answer,2024-02-01,first note\n")
        #expect(same.unchanged == 1 && same.provenanceDiffers == 0)
        let notes = try fixture.connection.query("SELECT note FROM headway.observations").map(\.values)
        #expect(notes == [["first note"]])
    }

    @Test func filesLoadTogetherOrNotAtAll() throws {
        let fixture = try LoaderFixture()
        let good = try fixture.file("good.csv", Self.header + "closures,2024-01,2024-01,10,,answer,,\n")
        let bad = try fixture.file("bad.csv", Self.header + "closures,2024-02,2024-02,x,,answer,,\n")
        #expect(throws: ObservationLoader.InvalidInput.self) { try ObservationLoader(connection: fixture.connection).load([good, bad]) }
        #expect(try fixture.count() == 0)
        let both = try ObservationLoader(connection: fixture.connection).load([good, good])
        #expect(both.inserted == 1 && both.unchanged == 1)
    }

    @Test func aBulkLoadIntoAnEmptyTableRebuildsTheSameIndexAndStillRefusesRepeats() throws {
        let fixture = try LoaderFixture()
        func index() throws -> [[String?]] {
            try fixture.connection.query(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'headway' AND tablename = 'observations' ORDER BY 1"
            ).map(\.values)
        }
        let before = try index()
        #expect(before.count == 1)
        // A figure the file gives twice with different values: the rebuilt index refuses the
        // direct path, and the merge numbers the two as revisions.
        let text = Self.header + "closures,2024-01,2024-01,10,,answer,2024-02-01,\nclosures,2024-02,2024-02,12,,answer,2024-03-01,\n"
            + "closures,2024-01,2024-01,11,,answer,2024-04-01,\n"
        let summary = try fixture.load(text)
        #expect(summary.inserted + summary.revised == 3)
        #expect(try index() == before)
        #expect(try fixture.current("closures").map { $0[2] } == ["11", "12"])
        // Into the table that now has data, the index is kept as it is.
        try fixture.load(Self.header + "arrests,2024-01,2024-01,5,,answer,2024-02-01,\n")
        #expect(try index() == before && fixture.count() == 4)
    }

    @Test func theFastAndTheMergingPathsAgree() throws {
        // A metric with no data takes the direct COPY; one with data goes through the merge.
        let text = Self.header + (1...12).map { "closures,2023-\(String(format: "%02d", $0)),2023-\(String(format: "%02d", $0)),\($0 * 10),,answer,,\n" }.joined()
        let direct = try LoaderFixture()
        #expect(try direct.load(text).inserted == 12)
        let merged = try LoaderFixture()
        try merged.load(Self.header + "closures,2020-01,2020-01,1,,answer,,\n")
        #expect(try merged.load(text).inserted == 12)
        #expect(try direct.current("closures") == Array(try merged.current("closures").dropFirst()))
    }

    @Test func aRepublishedHistoryInsertsTheNewRevisesTheChangedAndKeepsTheRest() throws {
        try Self.republishHistory(into: LoaderFixture())
    }

    @Test func comparingEveryRowWithItsStoredFiguresBeforeStagingGivesTheSameResults() throws {
        var options = ObservationLoader.Options()
        options.rowsWorthComparing = 1
        try Self.republishHistory(into: LoaderFixture(), options: options)
    }

    /// Loads a history, then republishes it with every kind of row, and checks counts and revisions.
    static func republishHistory(into fixture: LoaderFixture, options: ObservationLoader.Options = .init()) throws {
        func month(_ number: Int, _ value: Int, published: String, note: String = "") -> String {
            let period = "2023-\(number < 10 ? "0" : "")\(number)"
            return "closures,\(period),\(period),\(value),,answer,\(published),\(note)\n"
        }
        try fixture.load(Self.header + (1...6).map { month($0, $0 * 10, published: "2023-07-01") }.joined())
        try fixture.load(Self.header + month(2, 25, published: "2023-08-01"))  // month 2 has two revisions now
        // The whole history again: months 1, 3 and 6 as stored (6 with another note), month 2's
        // first release again, month 4 revised twice (given out of order), month 5 revised and
        // repeated, months 7 and 8 new.
        let republished = try fixture.load(
            Self.header + month(1, 10, published: "2023-07-01") + month(2, 20, published: "2023-07-01") + month(3, 30, published: "2023-07-01")
                + month(4, 42, published: "2023-10-01") + month(4, 41, published: "2023-09-01") + month(5, 51, published: "2023-09-01")
                + month(5, 51, published: "2023-09-01") + month(6, 60, published: "2023-07-01", note: "checked") + month(7, 70, published: "2023-09-01")
                + month(8, 80, published: "2023-09-01"), options: options)
        #expect(republished.rows == 10 && republished.inserted == 2 && republished.revised == 3 && republished.unchanged == 5)
        #expect(republished.provenanceDiffers == 1)
        #expect(republished.touchedMetrics == ["closures"])
        let revisions = try fixture.connection.query(
            "SELECT extract(month FROM period_end)::int, revision, value::text FROM headway.observations WHERE metric = 'closures' ORDER BY 1, 2")
        #expect(revisions.map(\.values) == [
            ["1", "1", "10"], ["2", "1", "20"], ["2", "2", "25"], ["3", "1", "30"], ["4", "1", "40"], ["4", "2", "41"], ["4", "3", "42"],
            ["5", "1", "50"], ["5", "2", "51"], ["6", "1", "60"], ["7", "1", "70"], ["8", "1", "80"],
        ].map { $0.map(Optional.some) })
        // Loading it once more changes nothing.
        let again = try fixture.load(
            Self.header + month(4, 42, published: "2023-10-01") + month(7, 70, published: "2023-09-01") + month(2, 25, published: "2023-08-01"), options: options)
        #expect(again.unchanged == 3 && again.touchedMetrics.isEmpty)
    }

    /// `count` monthly arrests figures from January 1990 (month n has the value n), the first load.
    static func loadArrests(_ count: Int, into fixture: LoaderFixture) throws {
        let rows = (0..<count).map { n in
            let month = "\(1990 + n / 12)-\(String(format: "%02d", n % 12 + 1))"
            return "arrests,\(month),\(month),\(n),,answer,2024-01-01,\n"
        }
        #expect(try fixture.load(Self.header + rows.joined()).inserted == count)
    }

    @Test func aFewRowsAgainstManyStoredFiguresAreMatchedByIndexProbesWithTheSameResults() throws {
        // The same republished history as above, with 400 figures of another metric stored:
        // few staged rows against many stored ones take an index probe per staged row.
        let fixture = try LoaderFixture()
        try Self.loadArrests(400, into: fixture)
        try Self.republishHistory(into: fixture)
        #expect(try ObservationLoader.probesTheIndex(forStagedRows: 40, fixture.connection))
        #expect(try !ObservationLoader.probesTheIndex(forStagedRows: 100, fixture.connection))
        // Revisions, a repeat and a new figure among those 400, by index probes too.
        let summary = try fixture.load(
            Self.header + "arrests,1990-01,1990-01,100,,answer,2024-03-01,\narrests,1990-02,1990-02,1,,answer,2024-01-01,\n"
                + "arrests,1990-03,1990-03,102,,answer,2024-03-01,\narrests,1990-03,1990-03,103,,answer,2024-04-01,\n"
                + "arrests,1980-01,1980-01,7,,answer,2024-03-01,\n")
        #expect(summary.revised == 3 && summary.unchanged == 1 && summary.inserted == 1)
        #expect(try fixture.connection.query(
            "SELECT revision, value::text FROM headway.observations WHERE metric = 'arrests' AND period_end = '1990-03-31' ORDER BY revision").map(\.values)
            == [["1", "2"], ["2", "102"], ["3", "103"]])
    }

    @Test func newPeriodsAppendedToAMetricWithDataAreInsertedAndARepeatAmongThemIsARevision() throws {
        let fixture = try LoaderFixture()
        try fixture.load(Self.header + "closures,2024-01,2024-01,10,,answer,2024-02-01,\nofficers,,2024-01-31,700,,answer,2024-02-01,\n")
        // Later periods only: straight into the table.
        let appended = try fixture.load(
            Self.header + "closures,2024-02,2024-02,12,,answer,2024-03-01,\nclosures,2024-03,2024-03,13,,answer,2024-04-01,\n"
                + "officers,,2024-02-29,710,,answer,2024-03-01,\narrests,2024-01,2024-01,3,,answer,2024-02-01,\n")
        #expect(appended.inserted == 4 && appended.touchedMetrics == ["closures", "officers", "arrests"])
        // A later period given twice with two values: the second publication is revision 2.
        let repeated = try fixture.load(
            Self.header + "closures,2024-04,2024-04,15,,answer,2024-06-01,\nclosures,2024-04,2024-04,14,,answer,2024-05-01,\n")
        #expect(repeated.inserted == 1 && repeated.revised == 1)
        #expect(try fixture.current("closures").map { $0[2] } == ["10", "12", "13", "15"])
        #expect(try fixture.connection.query(
            "SELECT revision, value::text FROM headway.observations WHERE period_end = '2024-04-30' ORDER BY revision").map(\.values)
            == [["1", "14"], ["2", "15"]])
        // A period between stored ones (a quarter ending within the stored months) is new too.
        #expect(try fixture.load(Self.header + "closures,2024-01,2024-03,35,,answer,2024-04-01,\n").inserted == 1)
    }

    @Test func revisionsAcrossTheFilesOfOneLoadAreNumberedByPublication() throws {
        let fixture = try LoaderFixture()
        try fixture.load(Self.header + "closures,2024-01,2024-01,10,,answer,2024-02-01,\n")
        // The first file revises a stored figure (so it is merged) and gives a new one; the
        // second gives that new one again, published later, with another value.
        let first = try fixture.file("first.csv", Self.header + "closures,2024-01,2024-01,11,,answer,2024-03-01,\nclosures,2024-02,2024-02,20,,answer,2024-03-01,\n")
        let second = try fixture.file("second.csv", Self.header + "closures,2024-02,2024-02,21,,answer,2024-04-01,\n")
        let summary = try ObservationLoader(connection: fixture.connection).load([first, second])
        #expect(summary.rows == 3 && summary.inserted == 1 && summary.revised == 2)
        #expect(try fixture.connection.query(
            "SELECT revision, value::text FROM headway.observations WHERE period_end = '2024-02-29' ORDER BY revision").map(\.values)
            == [["1", "20"], ["2", "21"]])
    }

    @Test func concurrentRevisingLoadsNumberEveryRevisionOnce() async throws {
        let fixture = try LoaderFixture()
        let url = fixture.url
        try fixture.load(Self.header + (0..<100).map { "arrests,\(CivilDateText.day($0)),\(CivilDateText.day($0)),\($0),,answer,2024-01-01,\n" }.joined())
        var paths: [String] = []
        for file in 0..<4 {
            // File k revises days 20k to 20k+39 (half of them also the next file's) and adds ten new days.
            let revised = (file * 20..<(file * 20 + 40)).map { day in
                "arrests,\(CivilDateText.day(day)),\(CivilDateText.day(day)),\(1_000 + file),,answer,2024-02-0\(file + 1),\n"
            }
            let new = (100 + file * 10..<110 + file * 10).map { "arrests,\(CivilDateText.day($0)),\(CivilDateText.day($0)),\($0),,answer,2024-02-01,\n" }
            paths.append(try fixture.file("part\(file).csv", Self.header + (revised + new).joined()))
        }
        let summaries = try await withThrowingTaskGroup(of: ObservationLoader.Summary.self) { group in
            for path in paths { group.addTask { try ObservationLoader(connection: try PostgresConnection(url: url)).load([path]) } }
            var all: [ObservationLoader.Summary] = []
            for try await summary in group { all.append(summary) }
            return all
        }
        #expect(summaries.map(\.inserted).reduce(0, +) == 40 && summaries.map(\.revised).reduce(0, +) == 160)
        // Revisions 1 to n for each day, none twice, none missing.
        let gaps = try fixture.connection.query(
            "SELECT count(*) FROM (SELECT period_end FROM headway.observations GROUP BY period_end HAVING max(revision) <> count(*)) g")
        #expect(try gaps[0].decode(Int.self, at: 0) == 0)
        #expect(try fixture.count() == 100 + 40 + 160)
    }

    @Test func aWriterLoginLoadsIntoTheEmptyTableAndThenIncrementally() throws {
        let fixture = try LoaderFixture()
        let writer = try fixture.writerConnection()
        let index = "SELECT indexdef FROM pg_indexes WHERE schemaname = 'headway' AND tablename = 'observations'"
        let before = try fixture.connection.query(SQLQuery(index, parameters: [])).map(\.values)
        let first = try fixture.file("first.csv", Self.header + (1...9).map { "closures,2024-0\($0),2024-0\($0),\($0),,answer,2024-10-01,\n" }.joined())
        #expect(try ObservationLoader(connection: writer).load([first]).inserted == 9)
        let second = try fixture.file("second.csv", Self.header + "closures,2024-09,2024-09,90,,answer,2024-11-01,\nclosures,2024-10,2024-10,10,,answer,2024-11-01,\n")
        let summary = try ObservationLoader(connection: writer).load([second])
        #expect(summary.inserted == 1 && summary.revised == 1)
        #expect(try fixture.connection.query(SQLQuery(index, parameters: [])).map(\.values) == before)
        #expect(try fixture.current("closures").map { $0[2] } == ["1", "2", "3", "4", "5", "6", "7", "8", "90", "10"])
    }

    @Test func theIdentityIndexIsDroppedOnlyFromAnEmptyTableAndNeverLeftDropped() throws {
        let fixture = try LoaderFixture()
        let writer = try fixture.writerConnection()
        let indexes = "SELECT count(*) FROM pg_indexes WHERE schemaname = 'headway' AND tablename = 'observations'"
        // A transaction that dropped it and did not build it again cannot commit.
        let drop: SQLQuery = "SELECT headway.drop_identity_index_if_empty()"
        var dropped = false
        #expect(throws: PostgresError.self) {
            try writer.transaction { connection in dropped = try connection.query(drop)[0].decode(Bool.self, at: 0) }
        }
        #expect(dropped)
        #expect(try fixture.connection.query(SQLQuery(indexes, parameters: []))[0].decode(Int.self, at: 0) == 1)
        try fixture.load(Self.header + "closures,2024-01,2024-01,10,,answer,,\n")
        try writer.transaction { connection in dropped = try connection.query(drop)[0].decode(Bool.self, at: 0) }
        #expect(!dropped)
        #expect(try fixture.connection.query(SQLQuery(indexes, parameters: []))[0].decode(Int.self, at: 0) == 1)
    }

    @Test func concurrentOverlappingLoadsEndWithTheUnion() async throws {
        let fixture = try LoaderFixture()
        let url = fixture.url
        var paths: [String] = []
        for file in 0..<6 {
            // Each file shares half its rows with the next one.
            let rows = (file * 50..<(file * 50 + 100)).map { day in
                "arrests,\(CivilDateText.day(day)),\(CivilDateText.day(day)),\(day),,answer,,\n"
            }
            paths.append(try fixture.file("part\(file).csv", Self.header + rows.joined()))
        }
        let summaries = try await withThrowingTaskGroup(of: ObservationLoader.Summary.self) { group in
            for path in paths { group.addTask { try ObservationLoader(connection: try PostgresConnection(url: url)).load([path]) } }
            var all: [ObservationLoader.Summary] = []
            for try await summary in group { all.append(summary) }
            return all
        }
        #expect(summaries.map(\.inserted).reduce(0, +) == 350)
        #expect(summaries.map(\.unchanged).reduce(0, +) == 250)
        #expect(try fixture.count() == 350)
        #expect(try fixture.connection.query("SELECT max(revision) FROM headway.observations")[0].decode(Int.self, at: 0) == 1)
    }

    /// A row of `metric` for month `month` after January 2000 (a level when `metric` is officers).
    static func monthRow(_ metric: String, _ month: Int, _ value: String, published: String = "2024-01-01", note: String = "") -> String {
        let period = "\(2000 + month / 12)-\(String(format: "%02d", month % 12 + 1))"
        let start = metric == "officers" ? "" : period
        let end = metric == "officers" ? CivilDate(year: 2000 + month / 12, month: month % 12 + 1, day: 1)!.adding(days: 27).description : period
        return "\(metric),\(start),\(end),\(value),,answer,\(published),\(note)\n"
    }

    @Test func aReloadStagesOnlyTheRowsThatDifferFromTheStoredFigures() throws {
        let fixture = try LoaderFixture()
        try fixture.load(Self.header + (0..<20).map { Self.monthRow("arrests", $0, "\($0)") + Self.monthRow("officers", $0, "\($0 * 10)") }.joined())
        // Every row again (runs of 22 and 20 rows, so both are compared): month 3 with a note,
        // month 4 revised, month 5 written as 5.00, a new month 20 given twice with two values,
        // and one level revised.
        let arrests = (0..<20).map { month in
            switch month {
            case 3: Self.monthRow("arrests", 3, "3", note: "checked")
            case 4: Self.monthRow("arrests", 4, "44", published: "2024-02-01")
            case 5: Self.monthRow("arrests", 5, "5.00")
            default: Self.monthRow("arrests", month, "\(month)")
            }
        }
        let newMonth = Self.monthRow("arrests", 20, "21", published: "2024-03-01") + Self.monthRow("arrests", 20, "20", published: "2024-02-01")
        let officers = (0..<20).map { Self.monthRow("officers", $0, $0 == 7 ? "71" : "\($0 * 10)", published: $0 == 7 ? "2024-02-01" : "2024-01-01") }
        let text = Self.header + arrests.joined() + newMonth + officers.joined()
        let (summary, staged, _) = try fixture.loadCountingStaged([try fixture.file("reload.csv", text)])
        #expect(summary.rows == 42 && summary.inserted == 1 && summary.revised == 3 && summary.unchanged == 38)
        #expect(summary.provenanceDiffers == 1 && summary.touchedMetrics == ["arrests", "officers"])
        #expect(staged == 4)  // months 4 and 20 (twice) of arrests, month 7 of officers
        #expect(try fixture.connection.query(
            "SELECT extract(month FROM period_end)::int, revision, value::text FROM headway.observations WHERE revision > 1 OR period_end >= '2001-09-01' ORDER BY metric, 1, 2"
        ).map(\.values) == [["5", "2", "44"], ["9", "1", "20"], ["9", "2", "21"], ["8", "2", "71"]].map { $0.map(Optional.some) })
        // Once more: nothing is staged, and the note still differs (it is not revised).
        let (again, stagedAgain, _) = try fixture.loadCountingStaged([try fixture.file("reload.csv", text)])
        #expect(again.unchanged == 42 && again.provenanceDiffers == 1 && stagedAgain == 0)
    }

    @Test func rowsOfOneMetricSplitAcrossTwoFilesAreComparedAndMergedTogether() throws {
        let fixture = try LoaderFixture()
        try fixture.load(Self.header + (0..<40).map { Self.monthRow("arrests", $0, "\($0)") }.joined())
        // Month 2 revised in the first file and given again in the second; month 40 new in the
        // first and revised in the second; month 30 with a note.
        let first = (0..<20).map { Self.monthRow("arrests", $0, $0 == 2 ? "102" : "\($0)", published: $0 == 2 ? "2024-02-01" : "2024-01-01") }
            + [Self.monthRow("arrests", 40, "40", published: "2024-02-01")]
        let second = (20..<40).map { Self.monthRow("arrests", $0, "\($0)", note: $0 == 30 ? "checked" : "") }
            + [Self.monthRow("arrests", 2, "102", published: "2024-02-01"), Self.monthRow("arrests", 40, "41", published: "2024-03-01")]
        let paths = [try fixture.file("first.csv", Self.header + first.joined()), try fixture.file("second.csv", Self.header + second.joined())]
        let (summary, staged, _) = try fixture.loadCountingStaged(paths)
        #expect(summary.rows == 43 && summary.inserted == 1 && summary.revised == 2 && summary.unchanged == 40 && summary.provenanceDiffers == 1)
        #expect(staged == 4)  // months 2 and 40 of each file: the first file's are not stored before the merge
        #expect(try fixture.connection.query(
            "SELECT period_end::text, revision, value::text FROM headway.observations WHERE revision > 1 OR period_end > '2003-05-01' ORDER BY 1, 2"
        ).map(\.values) == [["2000-03-31", "2", "102"], ["2003-05-31", "1", "40"], ["2003-05-31", "2", "41"]].map { $0.map(Optional.some) })
    }

    @Test func rowsFewAgainstTheStoredFiguresTheySpanAreStagedWithoutComparing() throws {
        let fixture = try LoaderFixture()
        let stored = ["arrests", "closures"].flatMap { metric in (0..<200).map { Self.monthRow(metric, $0, "\($0)") } }
        try fixture.load(Self.header + stored.joined())
        // Every tenth month revised. The first run (arrests) is compared: its 20 rows span 191
        // stored figures, so reading closures' would cost more than the merge's probe for each
        // row, and closures' rows are staged as they are.
        let sparse = ["arrests", "closures"].flatMap { metric in
            stride(from: 0, to: 200, by: 10).map { Self.monthRow(metric, $0, "\($0 + 1000)", published: "2024-02-01") }
        }
        let (summary, staged, uncompared) = try fixture.loadCountingStaged([try fixture.file("sparse.csv", Self.header + sparse.joined())])
        #expect(summary.revised == 40 && summary.unchanged == 0 && staged == 40 && uncompared == 20)
        #expect(try fixture.current("closures").filter { $0[4] == "2" }.count == 20)
        // Every month, two of each metric revised: the rows are most of the figures they span, so
        // closures' are compared too, and only the revisions staged.
        var dense = stored
        for month in [3, 150, 203, 350] { dense[month] = Self.monthRow(month < 200 ? "arrests" : "closures", month % 200, "7", published: "2024-03-01") }
        let (again, stagedAgain, uncomparedAgain) = try fixture.loadCountingStaged([try fixture.file("dense.csv", Self.header + dense.joined())])
        #expect(again.revised == 4 && again.unchanged == 396 && stagedAgain == 4 && uncomparedAgain == 0)
    }

    @Test func aFileByPeriodIsComparedMetricByMetric() throws {
        let fixture = try LoaderFixture()
        let metrics = ["arrests", "closures", "officers"]
        let stored = metrics.flatMap { metric in (0..<20).map { Self.monthRow(metric, $0, "\($0)") } }
        try fixture.load(Self.header + stored.joined())
        // Every metric's figure for one month, then the next month's: runs of one row, which
        // the window groups by metric (20 rows each) and compares with their stored figures.
        var byPeriod = (0..<20).flatMap { month in metrics.map { Self.monthRow($0, month, "\(month)") } }
        byPeriod[31] = Self.monthRow("closures", 10, "99", published: "2024-02-01")
        let (summary, staged, uncompared) = try fixture.loadCountingStaged([try fixture.file("by-period.csv", Self.header + byPeriod.joined())])
        #expect(summary.revised == 1 && summary.unchanged == 59 && staged == 1 && uncompared == 0)
        #expect(try fixture.current("closures").map { $0[2] }[10] == "99")
    }

    @Test func shortSeriesAreComparedInBatchesOfSeveralMetrics() throws {
        let fixture = try LoaderFixture()
        var options = ObservationLoader.Options()
        options.rowsWorthComparing = 1
        let stored = ["arrests", "closures", "officers"].flatMap { metric in (0..<3).map { Self.monthRow(metric, $0, "\($0)") } }
        try fixture.load(Self.header + stored.joined())
        // Three metrics of three rows: arrests asked for alone (the first run), closures and
        // officers in one batch, each run compared with its own metric's figures (closures'
        // month 1 revised, officers' month 2 with a note), none with another's.
        var again = stored
        again[4] = Self.monthRow("closures", 1, "11", published: "2024-02-01")
        again[8] = Self.monthRow("officers", 2, "2", note: "checked")
        let (summary, staged, _) = try fixture.loadCountingStaged([try fixture.file("again.csv", Self.header + again.joined())], options: options)
        #expect(summary.revised == 1 && summary.unchanged == 8 && summary.provenanceDiffers == 1)
        #expect(staged == 1)
        #expect(try fixture.current("closures").map { $0[2] } == ["0", "11", "2"])
    }
}

/// Day N after 2020-01-01, as text.
enum CivilDateText {
    static func day(_ offset: Int) -> String { CivilDate(daysSinceEpoch: 18_262 + offset).description }
}
