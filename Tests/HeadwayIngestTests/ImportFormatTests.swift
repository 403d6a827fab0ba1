import Foundation
@testable import HeadwayIngest
import HeadwayModel
import TestSupport
import Testing

/// Each import format read from real publishers' files (Fixtures/imports, with their origins in
/// its README) and from hostile variants: the series chosen or refused naming the dimension,
/// periods read as the metric's kind wants them, UNIT_MULT, missing values, flags, when each
/// figure was published, and every error at the original file's line or JSON path.
@Suite struct ImportFormatTests {
    let folder: ScratchDirectory
    init() throws { folder = try ScratchDirectory("headway-import-format") }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/imports")

    /// The spooled rows (without the metric, source and qualifier columns: period_start,
    /// period_end, value, published_on, note) and what the conversion took.
    struct Result {
        var rows: [[String]]
        var outcome: ImportOutcome
        var locator: FigureLocator
    }

    func convert(
        _ path: String, kind: Metric.Kind = .level, format: ImportFormat? = nil, filters: [(String, String)] = [], frequency: DatePeriod.Precision? = nil,
        publishedOn: CivilDate? = nil
    ) throws -> Result {
        var selection = ImportSelection(metric: "m", kind: kind, publishedOn: publishedOn)
        selection.filters = filters.map { (dimension: $0.0, code: $0.1) }
        selection.frequency = frequency
        let converted = try FigureImport.convert(
            path: path, fileName: (path as NSString).lastPathComponent, format: format, selection: selection, spoolPath: folder.path("spool.csv"))
        let reader = try CSVReader(path: folder.path("spool.csv"))
        let header = try #require(try reader.next())
        #expect(header.fields == ObservationColumn.allCases.map(\.rawValue))
        var rows: [[String]] = []
        while let record = try reader.next() { rows.append([record.fields[1], record.fields[2], record.fields[3], record.fields[6], record.fields[7]]) }
        return Result(rows: rows, outcome: converted.outcome, locator: converted.spool.locator)
    }

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    func text(_ name: String, _ contents: String) throws -> String {
        try folder.file(name, contents)
    }

    /// The error a conversion throws, as a person reads it.
    static func failure(_ body: () throws -> Result) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return String(describing: error)
        }
    }

    // MARK: SDMX-CSV

    @Test func bisSDMXCSV1ChoosesOneSeriesAndSkipsMissingValues() throws {
        let file = Self.fixture("sdmx-csv1_bis_BIS_DER_excerpt.csv")
        let refused = Self.failure { try convert(file, publishedOn: CivilDate(year: 2024, month: 5, day: 1)) }
        #expect(refused.contains("2 series remain; choose one with --where DIMENSION=CODE: DER_CURR_LEG2 (TO1, USD) vary"), "\(refused)")
        let noDate = Self.failure { try convert(file, filters: [("der_curr_leg2", "TO1")]) }
        #expect(noDate.contains("does not say when its figures were published (no LAST UPDATE or UPDATED column): give --published-on DATE"), "\(noDate)")

        let result = try convert(file, kind: .additive, filters: [("der_curr_leg2", "TO1")], publishedOn: CivilDate(year: 2024, month: 5, day: 1))
        #expect(result.outcome.rows == 6 && result.outcome.missingValues == 12 && result.outcome.otherSeries == 22)
        #expect(result.rows.first == ["2004-01-01", "2004-12-31", "14206.490766", "2024-05-01", "OBS_STATUS=A; OBS_CONF=F"])
        #expect(result.rows.last?[2] == "90268.313643")
        // The converted row of 2004 came from line 4.
        let located = result.locator.locate(InputError(file: "x", line: 2, column: "value", message: "bad"))
        #expect(located.line == 4)
    }

    @Test func sdmxCSV2FromBISAndTheStandardsSemicolonExample() throws {
        let bis = try convert(
            Self.fixture("sdmx-csv2_bis_BIS_DER_comma.csv"), filters: [("DER_CURR_LEG2", "TO1")], publishedOn: CivilDate(year: 2024, month: 5, day: 1))
        #expect(bis.outcome.format == .sdmxCSV && bis.outcome.rows == 6)
        #expect(bis.rows.map(\.[1]) == ["2004-12-31", "2007-12-31", "2010-12-31", "2013-12-31", "2016-12-31", "2019-12-31"])

        // The standard's example 01 has no TIME_PERIOD column (its DIM_3 is the time).
        let example = Self.failure { try convert(Self.fixture("sdmx-csv2_spec_example-01.csv")) }
        #expect(example.contains("cannot tell the format"), "\(example)")

        // Semicolons, "CODE: Label" everywhere, a decimal comma, STRUCTURE[|], ACTION I.
        let semicolons = try text(
            "estat.csv",
            """
            STRUCTURE[|];STRUCTURE_ID;ACTION;FREQ: Frequency;geo: Geopolitical entity;TIME_PERIOD: Time;OBS_VALUE: Observation value;OBS_STATUS: Status;UPDATED
            dataflow;ESTAT:NA_MAIN(1.6.0): Main aggregates;I;M: Monthly;DE: Germany;2014-01: 2014-01;12,4;P: Provisional;2021-01-22T13:15:41Z
            dataflow;ESTAT:NA_MAIN(1.6.0): Main aggregates;I;M: Monthly;DE: Germany;2014-02: 2014-02;10,8;;2021-01-22T13:15:41Z

            """)
        let result = try convert(semicolons, filters: [("geo", "Germany")])
        #expect(
            result.rows == [
                ["", "2014-01-31", "12.4", "2021-01-22", "OBS_STATUS=P: Provisional"], ["", "2014-02-28", "10.8", "2021-01-22", ""],
            ])
        #expect(result.outcome.series.map { "\($0.0)=\($0.1)" } == ["FREQ=M", "geo=DE"])
    }

    @Test func sdmxCSVScalesByUnitMultAndRefusesDeletesAndBadPeriodsAtTheirLine() throws {
        let file = try text(
            "ecb.csv",
            """
            KEY,FREQ,REF_AREA,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MULT
            Q.DE,Q,DE,2023-Q1,1.5,A,6
            Q.DE,Q,DE,2023-Q2,0.25,E,-2
            Q.DE,Q,DE,2023-Q3,NaN,M,6

            """)
        let result = try convert(file, kind: .additive, publishedOn: CivilDate(year: 2024, month: 1, day: 2))
        #expect(result.rows.map { Array($0[0...2]) } == [["2023-01-01", "2023-03-31", "1500000"], ["2023-04-01", "2023-06-30", "0.0025"]])
        #expect(result.outcome.missingValues == 1)

        let badPeriod = try text("bad.csv", "FREQ,TIME_PERIOD,OBS_VALUE\nQ,2023-Q1,1\nQ,2023-Q5,2\n")
        let error = Self.failure { try convert(badPeriod, publishedOn: CivilDate(year: 2024, month: 1, day: 2)) }
        #expect(error.hasPrefix("bad.csv:3: column TIME_PERIOD:"), "\(error)")
        let delete = try text("delete.csv", "STRUCTURE,STRUCTURE_ID,ACTION,TIME_PERIOD,OBS_VALUE\ndataflow,X,D,2023,1\n")
        #expect(Self.failure { try convert(delete, publishedOn: CivilDate(year: 2024, month: 1, day: 2)) }.contains("delete.csv:2: column ACTION: ACTION D (delete) is not taken"))
    }

    // MARK: JSON-stat

    @Test func jsonStat2DenseDatasetFromJSONStatOrg() throws {
        let file = Self.fixture("jsonstat2_jsonstatorg_galicia.json")
        let refused = Self.failure { try convert(file) }
        #expect(refused.contains("series remain") && refused.contains("birth ("), "\(refused)")
        // Every place of birth, all ages, both genders, Galicia as a whole: population in 2001 and 2011.
        let result = try convert(file, filters: [("birth", "T"), ("age", "T"), ("gender", "T"), ("residence", "T")])
        #expect(result.outcome.format == .jsonStat)
        #expect(result.rows == [["", "2001-12-31", "2695880", "2012-12-27", ""], ["", "2011-12-31", "2772928", "2012-12-27", ""]])
        // Cell 0 (T, T, T, 2001, T) and cell 5 (T, T, T, 2011, T): errors name them so.
        let located = result.locator.locate(InputError(file: "galicia.json", line: 3, column: "value", message: "bad"))
        #expect(located.description == "galicia.json: value[5]: column value: bad")
    }

    @Test func jsonStatSparseValuesStatusAndTheOlderBundle() throws {
        let file = try text(
            "eurostat.json",
            """
            {"version":"2.0","class":"dataset","label":"Dwellings","source":"ESTAT","updated":"2024-05-15T23:00:00+0200",
             "id":["freq","geo","time"],"size":[1,2,3],
             "dimension":{"freq":{"category":{"index":{"A":0},"label":{"A":"Annual"}}},
                          "geo":{"category":{"index":{"DE":0,"FR":1},"label":{"DE":"Germany","FR":"France"}}},
                          "time":{"category":{"index":{"2021":0,"2022":1,"2023":2}}}},
             "value":{"0":293393,"1":295300.5,"4":1e3},
             "status":{"1":"p","2":":"},
             "role":{"time":["time"],"geo":["geo"]}}
            """)
        let germany = try convert(file, kind: .additive, filters: [("geo", "Germany")])
        #expect(germany.rows == [["2021-01-01", "2021-12-31", "293393", "2024-05-15", ""], ["2022-01-01", "2022-12-31", "295300.5", "2024-05-15", "status=p"]])
        #expect(germany.outcome.otherSeries == 1)
        let france = try convert(file, kind: .additive, filters: [("geo", "FR")])
        #expect(france.rows.map(\.[2]) == ["1e3"])

        // JSON-stat 1.0 bundles: Statistics Sweden's (role, id and size inside dimension), and
        // one from the ONS whose dimension lists four ids but three sizes, refused as such.
        let sweden = try convert(Self.fixture("jsonstat1_scb_statswe.json"), kind: .additive, filters: [("Alder", "90+ år"), ("Kon", "kvinnor")])
        #expect(sweden.outcome.rows == 28 && sweden.rows.first == ["1969-01-01", "1969-12-31", "37", "2015-11-25", ""])
        let ons = Self.fixture("jsonstat1_ons_QS104EW_sparse_value.json")
        #expect(Self.failure { try convert(ons) }.contains("JSON-stat: id and size must list the same dimensions"))
    }

    @Test func jsonStatHostileDocumentsAreRefusedNotCrashed() throws {
        let cases: [(String, String)] = [
            ("{", "hostile.json:1: not valid JSON: expected a member name in quotes"),
            ("[1, 2", "not valid JSON: the text ends inside an array"),
            (String(repeating: "[", count: 10_000), "nested more than 64 deep"),
            ("{\"class\":\"dataset\",\"updated\":\"2024-01-01\",\"id\":[\"time\"],\"size\":[2],\"dimension\":{\"time\":{\"category\":{\"index\":[\"2020\",\"2021\"]}}},\"value\":[1]}", "value has 1 cells; the sizes make 2"),
            ("{\"class\":\"dataset\",\"id\":[\"time\"],\"size\":[1],\"dimension\":{\"time\":{\"category\":{\"index\":[\"2020\"]}}},\"value\":[1]}", "give --published-on DATE"),
            ("{\"class\":\"dataset\",\"updated\":\"2024-01-01\",\"id\":[\"time\"],\"size\":[1],\"dimension\":{\"time\":{\"category\":{\"index\":[\"2020-13\"]}}},\"value\":[{}]}", "value[0]"),
            ("{\"class\":\"dataset\",\"id\":[\"a\",\"b\",\"c\"],\"size\":[100000,100000,100000],\"dimension\":{},\"value\":[]}", "more than"),
            ("{\"a\": \"\\ud800\"}", "lone surrogate"),
        ]
        for (json, expected) in cases {
            let file = try text("hostile.json", json)
            let error = Self.failure { try convert(file, format: .jsonStat) }
            #expect(error.contains(expected), "\(json.prefix(60)): \(error)")
        }
    }

    // MARK: ONS

    @Test func onsCSVFromTheLabourMarketStatistics() throws {
        let file = Self.fixture("ons_generator_LF62_LMS.csv")
        let mixed = Self.failure { try convert(file) }
        #expect(mixed.contains("the series mixes frequencies, month (404), quarter (135), year (34) figures: choose one with --frequency"), "\(mixed)")
        let months = try convert(file, frequency: .month)
        #expect(months.outcome.format == .ons && months.outcome.rows == 404)
        #expect(months.rows.first == ["", "1992-04-30", "54.3", "2026-02-17", ""], "\(months.rows.first ?? [])")
        #expect(months.rows.last == ["", "2025-11-30", "69.1", "2026-02-17", ""])
        #expect(months.outcome.series.map { "\($0.0)=\($0.1)" } == ["CDID=LF62"])
        // Its last figure is on the file's last line, 581.
        #expect(months.locator.locate(InputError(file: "f", line: 405, column: nil, message: "m")).line == 581)

        let quarters = try convert(file, kind: .additive, frequency: .quarter)
        #expect(quarters.rows.first == ["1992-04-01", "1992-06-30", "54.3", "2026-02-17", ""], "\(quarters.rows.first ?? [])")
    }

    @Test func onsCSVWithSeveralSeriesAndItsErrorsAtTheirLines() throws {
        let file = try text(
            "two.csv",
            """
            "Title","Employment rate","Unemployment rate"
            "CDID","LF24","MGSX"
            "Release date","14-05-2024"
            "2023 Q1","75.8","3.9"
            "2023 Q2","75.7",""

            """)
        let refused = Self.failure { try convert(file) }
        #expect(refused.contains("2 series remain; choose one with --where DIMENSION=CODE: CDID (LF24, MGSX) vary"), "\(refused)")
        let result = try convert(file, filters: [("cdid", "MGSX")])
        #expect(result.rows == [["", "2023-03-31", "3.9", "2024-05-14", ""]] && result.outcome.missingValues == 1)
        let byTitle = try convert(file, filters: [("CDID", "Employment rate")])
        #expect(byTitle.rows.map(\.[2]) == ["75.8", "75.7"])

        let badDate = try text("bad.csv", "\"CDID\",\"X\"\n\"Release date\",\"31-02-2024\"\n\"2023\",\"1\"\n")
        #expect(Self.failure { try convert(badDate) }.hasPrefix("bad.csv:2: Release date \"31-02-2024\" is not a date"))
        let badPeriod = try text("bad.csv", "\"CDID\",\"X\"\n\"Release date\",\"14-05-2024\"\n\"2023\",\"1\"\n\"2023 QQ\",\"1\"\n")
        #expect(Self.failure { try convert(badPeriod) }.hasPrefix("bad.csv:4: \"2023 QQ\" is no period"))
    }

    @Test func onsJSONFromTheONSWebsite() throws {
        let file = Self.fixture("ons_timeseries_d7g7_mm23_data.json")
        let mixed = Self.failure { try convert(file) }
        #expect(mixed.contains("choose one with --frequency"), "\(mixed)")
        let years = try convert(file, frequency: .year)
        // Released 2015-07-14T08:30 UTC? The file's instant, read as the day in London.
        #expect(years.rows.first?[0...2] == ["", "2013-12-31", "2.6"])
        #expect(years.outcome.format == .ons && years.outcome.series.map(\.1) == ["D7G7"])
        let located = years.locator.locate(InputError(file: "f.json", line: 3, column: "value", message: "m"))
        #expect(located.path == "years[1]")

        let mergers = try convert(Self.fixture("ons_timeseries_cbas_mergers_data.json"), frequency: .quarter)
        #expect(mergers.outcome.rows > 0 && mergers.outcome.missingValues >= 0)
    }

    @Test func onsReleaseDatesAreLondonDays() {
        // 23:00 UTC in summer is midnight in London: the next day.
        #expect(ONSTimeSeries.releaseDate("2024-05-13T23:00:00.000Z") == CivilDate(year: 2024, month: 5, day: 14))
        #expect(ONSTimeSeries.releaseDate("2024-01-16T07:00:00.000Z") == CivilDate(year: 2024, month: 1, day: 16))
        #expect(ONSTimeSeries.releaseDate("14-05-2024") == CivilDate(year: 2024, month: 5, day: 14))
    }

    // MARK: FRED

    @Test func fredCSVFindsTheFrequencyFromTheDates() throws {
        let quarterly = try convert(
            Self.fixture("fred_A191RL1Q225SBEA_quarterly_observation_date.csv"), kind: .additive, publishedOn: CivilDate(year: 2024, month: 1, day: 1))
        #expect(quarterly.outcome.format == .fred)
        #expect(quarterly.rows.first == ["1947-04-01", "1947-06-30", "-1.0", "2024-01-01", ""])
        let monthly = try convert(Self.fixture("fred_UNRATE_monthly_DATE_header_2017.csv"), publishedOn: CivilDate(year: 2017, month: 6, day: 2))
        #expect(monthly.rows.first == ["", "1948-01-31", "3.4", "2017-06-02", ""])
        let daily = try convert(Self.fixture("fred_DGS10_daily_DATE_header_dot_missing.csv"), publishedOn: CivilDate(year: 2020, month: 11, day: 1))
        #expect(daily.rows.first == ["", "2020-10-13", "0.74", "2020-11-01", ""])
        #expect(daily.outcome.missingValues >= 1)
        let current = try convert(Self.fixture("fred_DGS10_daily_observation_date_empty_missing.csv"), publishedOn: CivilDate(year: 2025, month: 12, day: 1))
        #expect(current.outcome.missingValues >= 1 && current.rows.allSatisfy { !$0[2].isEmpty })
        #expect(Self.failure { try convert(Self.fixture("fred_UNRATE_monthly_DATE_header_2017.csv")) }.contains("give --published-on DATE"))
    }

    /// ALFRED's vintages, a column each: every value is a revision published on its vintage's day.
    @Test func alfredVintageColumnsAreRevisions() throws {
        let file = try text(
            "GDPC1.csv",
            """
            observation_date,GDPC1_20240130,GDPC1_20240228,GDPC1_20240328
            2023-07-01,22490.692,22491.567,22506.359
            2023-10-01,22672.859,22668.986,22679.255
            2024-01-01,.,.,#N/A

            """)
        let result = try convert(file, kind: .additive)
        #expect(
            result.rows == [
                ["2023-07-01", "2023-09-30", "22490.692", "2024-01-30", ""], ["2023-07-01", "2023-09-30", "22491.567", "2024-02-28", ""],
                ["2023-07-01", "2023-09-30", "22506.359", "2024-03-28", ""], ["2023-10-01", "2023-12-31", "22672.859", "2024-01-30", ""],
                ["2023-10-01", "2023-12-31", "22668.986", "2024-02-28", ""], ["2023-10-01", "2023-12-31", "22679.255", "2024-03-28", ""],
            ])
        #expect(result.outcome.missingValues == 3)
    }

    /// The API's JSON with realtime periods (output_type 1): each value published on its realtime_start.
    @Test func fredJSONRealtimeStartIsWhenEachValueWasPublished() throws {
        let file = try text(
            "fred.json",
            """
            {"realtime_start":"1776-07-04","realtime_end":"9999-12-31","observation_start":"2023-01-01","observation_end":"9999-12-31",
             "units":"lin","output_type":1,"file_type":"json","order_by":"observation_date","sort_order":"asc","count":4,"offset":0,"limit":100000,
             "observations":[
              {"realtime_start":"2023-02-03","realtime_end":"2023-03-09","date":"2023-01-01","value":"3.4"},
              {"realtime_start":"2023-03-10","realtime_end":"9999-12-31","date":"2023-01-01","value":"3.5"},
              {"realtime_start":"2023-03-10","realtime_end":"9999-12-31","date":"2023-02-01","value":"3.6"},
              {"realtime_start":"2023-04-07","realtime_end":"9999-12-31","date":"2023-03-01","value":"."}]}
            """)
        let result = try convert(file)
        #expect(result.outcome.format == .fred)
        #expect(result.rows == [["", "2023-01-31", "3.4", "2023-02-03", ""], ["", "2023-01-31", "3.5", "2023-03-10", ""], ["", "2023-02-28", "3.6", "2023-03-10", ""]])
        #expect(result.outcome.missingValues == 1)
        let bad = try text("fred.json", "{\"realtime_start\":\"2023-01-01\",\"observations\":[{\"realtime_start\":\"2023-02-03\",\"date\":\"2023-01-01\",\"value\":\"1\"},{\"realtime_start\":\"x\",\"date\":\"2023-02-01\",\"value\":\"1\"}]}")
        #expect(Self.failure { try convert(bad) } == "fred.json: observations[1]: column realtime_start: \"x\" is not a date as YYYY-MM-DD")
    }

    // MARK: World Bank

    @Test func worldBankCSVDownload() throws {
        let file = Self.fixture("worldbank_NY.GDP.MKTP.CD_wide_2016.csv")
        let refused = Self.failure { try convert(file) }
        #expect(refused.contains("series remain") && refused.contains("country (ABW, AND"), "\(refused)")
        let result = try convert(file, kind: .additive, filters: [("country", "United Kingdom")])
        #expect(result.outcome.format == .worldBank)
        #expect(result.rows.first == ["1960-01-01", "1960-12-31", "72328047042.1588", "2016-05-02", ""])
        #expect(result.outcome.series.map { "\($0.0)=\($0.1)" } == ["indicator=NY.GDP.MKTP.CD", "country=GBR"])
        #expect(result.locator.locate(InputError(file: "f", line: 2, column: nil, message: "m")).line == 8)
    }

    @Test func worldBankAPIJSONWithMonthsAndQuarters() throws {
        let file = try text(
            "wb.json",
            """
            [{"page":1,"pages":1,"per_page":50,"total":3,"sourceid":"15","lastupdated":"2024-06-28"},
             [{"indicator":{"id":"CPTOTSAXN","value":"CPI Price, seas. adj."},"country":{"id":"GB","value":"United Kingdom"},"countryiso3code":"GBR","date":"2012M02","value":97.5,"unit":"","obs_status":"","decimal":1},
              {"indicator":{"id":"CPTOTSAXN","value":"CPI Price, seas. adj."},"country":{"id":"GB","value":"United Kingdom"},"countryiso3code":"GBR","date":"2012M01","value":97.25,"unit":"","obs_status":"E","decimal":1},
              {"indicator":{"id":"CPTOTSAXN","value":"CPI Price, seas. adj."},"country":{"id":"GB","value":"United Kingdom"},"countryiso3code":"GBR","date":"2011M12","value":null,"unit":"","obs_status":"","decimal":1}]]
            """)
        let result = try convert(file)
        #expect(result.rows == [["", "2012-02-29", "97.5", "2024-06-28", ""], ["", "2012-01-31", "97.25", "2024-06-28", "obs_status=E"]])
        #expect(result.outcome.missingValues == 1)
    }

    /// What review found: a forced format on the wrong JSON is refused, not a crash; one page of a
    /// World Bank answer of several is refused; FRED's JSON asked without a real-time period does
    /// not say when; a vintage's own day wins over --published-on.
    @Test func refusalsAndDatesFromTheFileFirst() throws {
        for json in ["{}", "[{}]", "[]", "[1, 2]"] {
            let file = try text("wb.json", json)
            #expect(Self.failure { try convert(file, format: .worldBank) }.contains("World Bank: not the API's"), "\(json)")
        }
        let paged = try text("wb.json", #"[{"page":1,"pages":3,"per_page":50,"total":120,"lastupdated":"2024-06-28"},[]]"#)
        #expect(Self.failure { try convert(paged) }.contains("page 1 of 3"))
        let today = try text(
            "fred.json",
            #"{"realtime_start":"2024-06-01","realtime_end":"2024-06-01","observations":[{"realtime_start":"2024-06-01","realtime_end":"2024-06-01","date":"2024-01-01","value":"1"},{"realtime_start":"2024-06-01","realtime_end":"2024-06-01","date":"2024-02-01","value":"2"}]}"#)
        #expect(Self.failure { try convert(today) }.contains("realtime_start is the day it was asked"))
        #expect(try convert(today, publishedOn: CivilDate(year: 2024, month: 3, day: 15)).rows.map(\.[3]) == ["2024-03-15", "2024-03-15"])
        let vintages = try text("GDPC1.csv", "observation_date,GDPC1_20240130,GDPC1_20240228\n2023-07-01,1,2\n2023-10-01,3,4\n")
        #expect(try convert(vintages, publishedOn: CivilDate(year: 2025, month: 1, day: 1)).rows.map(\.[3]) == ["2024-01-30", "2024-02-28", "2024-01-30", "2024-02-28"])
    }

    @Test func unknownFormatsAreNamed() throws {
        let csv = try text("x.csv", "a,b\n1,2\n")
        #expect(Self.failure { try convert(csv) }.contains("cannot tell the format"))
        let json = try text("x.json", "{\"a\": 1}")
        #expect(Self.failure { try convert(json) }.contains("cannot tell the format of this JSON"))
    }

    /// Hostile variants of every publisher's file (bytes flipped, tokens spliced in, cut short):
    /// each converts or is refused with an error that names the file, never a crash or a hang.
    @Test func hostileVariantsOfEveryFormatAreReadOrRefusedClearly() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).filter { !$0.hasSuffix(".md") }.sorted()
        let corpus = try names.map { Array(try Data(contentsOf: Self.fixtures.appendingPathComponent($0)).prefix(6_000)) }
        let tokens = ["\"", ",", ";", "\n", "{", "}", "[", "]", ":", "null", "1e999999", "-", "2024-Q5", "\\u0000", "\u{FEFF}", "é", "TIME_PERIOD", "value"].map {
            Array($0.utf8)
        } + [[0xFF], [0xC3], [0x00]]
        let path = folder.path("fuzzed")
        let report = try Fuzz.run(corpus: corpus, tokens: tokens) { input in
            try Data(input).write(to: URL(fileURLWithPath: path))
            do {
                _ = try convert(path, kind: .additive, publishedOn: CivilDate(year: 2024, month: 1, day: 1))
                return false
            } catch let error as InputError {
                #expect(error.file == "fuzzed" && !error.message.isEmpty, "\(error)")
                return true
            }
        }
        #expect(report.inputs > 100, "\(report)")
    }
}
