import Foundation
import HeadwayPostgres
import TestSupport
import Testing

/// `headway import` of SDMX-CSV, from the command line: one series chosen or a refusal naming the
/// dimension, periods and UNIT_MULT right, missing values skipped, flags kept, idempotent, and a bad
/// value refused at its own line with nothing written.
@Suite struct ImportCommandTests {
    /// Eurostat's layout: SDMX-CSV 1.0 with lower-case dimensions, a LAST UPDATE column and flags.
    static let eurostat = """
        DATAFLOW,LAST UPDATE,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG
        ESTAT:DEMO(1.0),15/05/24 23:00:00,A,NR,DE,2021,293393,
        ESTAT:DEMO(1.0),15/05/24 23:00:00,A,NR,FR,2021,370000,
        ESTAT:DEMO(1.0),15/05/24 23:00:00,A,NR,DE,2022,295300,p
        ESTAT:DEMO(1.0),15/05/24 23:00:00,A,NR,DE,2023,,

        """
    /// SDMX-CSV 2.0 as the OECD writes it: STRUCTURE, STRUCTURE_ID and ACTION first, mixed
    /// frequencies, UNIT_MULT (3: thousands) and OBS_STATUS.
    static let oecd = """
        STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,FREQ,MEASURE,TIME_PERIOD,OBS_VALUE,UNIT_MULT,OBS_STATUS
        dataflow,OECD:DF_X(1.0),I,DEU,Q,DW,2023-Q1,70.5,3,A
        dataflow,OECD:DF_X(1.0),I,DEU,Q,DW,2023-Q2,72.25,3,E
        dataflow,OECD:DF_X(1.0),I,DEU,M,DW,2023-M07,25,3,A

        """

    @Test func importsOneSeriesAsALoadWould() throws {
        let folder = try ScratchDirectory("headway-import")
        let url = try TestDatabase.create()
        let definitions = try folder.file(
            "d.yaml", "metrics:\n  - { key: dwellings, name: Dwellings, unit: dwellings, kind: additive, min: 0 }\n")
        #expect(try HeadwayBinary.run(["apply", definitions], url: url).status == 0)
        let eurostat = try folder.file("eurostat.csv", Self.eurostat)
        let arguments = ["import", eurostat, "--metric", "dwellings", "--published-on", "2024-05-15"]

        let ambiguous = try HeadwayBinary.run(arguments, url: url)
        #expect(ambiguous.status == 2)
        #expect(ambiguous.errors.contains("2 series remain; choose one with --where DIMENSION=CODE: geo (DE, FR) vary"), "\(ambiguous.errors)")

        let first = try HeadwayBinary.run(arguments + ["--where", "geo=DE"], url: url)
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.output.contains("1 missing value skipped, 1 row of other series or frequencies left out"), "\(first.output)")
        #expect(first.output.contains("2 rows: 2 inserted"))
        let again = try HeadwayBinary.run(arguments + ["--where", "geo=DE"], url: url)
        #expect(again.output.contains("2 rows: 0 inserted, 2 unchanged"), "\(again.output)")

        let oecd = try folder.file("oecd.csv", Self.oecd)
        let mixed = try HeadwayBinary.run(["import", oecd, "--metric", "dwellings", "--published-on", "2024-06-01"], url: url)
        #expect(mixed.status == 2 && mixed.errors.contains("FREQ (M, Q) vary"), "\(mixed.errors)")
        let quarters = try HeadwayBinary.run(["import", oecd, "--metric", "dwellings", "--published-on", "2024-06-01", "--frequency", "quarter"], url: url)
        #expect(quarters.status == 0, "\(quarters.errors)")
        let stored = try PostgresConnection(url: url).query(
            "SELECT period_start::text, period_end::text, value::text, coalesce(note, ''), published_on::text FROM headway.observation_current ORDER BY period_start, period_end")
        #expect(
            stored.map(\.values) == [
                ["2021-01-01", "2021-12-31", "293393", "", "2024-05-15"], ["2022-01-01", "2022-12-31", "295300", "OBS_FLAG=p", "2024-05-15"],
                ["2023-01-01", "2023-03-31", "70500", "OBS_STATUS=A", "2024-06-01"], ["2023-04-01", "2023-06-30", "72250", "OBS_STATUS=E", "2024-06-01"],
            ])

        // A bad value is refused at its own line of the original file, and nothing is written.
        let bad = try folder.file("bad.csv", Self.eurostat.replacingOccurrences(of: ",2022,295300,p", with: ",2022,-5,p"))
        let refused = try HeadwayBinary.run(["import", bad, "--metric", "dwellings", "--published-on", "2024-07-01", "--where", "geo=DE"], url: url)
        #expect(refused.status == 2)
        #expect(refused.errors.contains("bad.csv:4: column value: -5 is below the metric's min of 0"), "\(refused.errors)")
        #expect(try PostgresConnection(url: url).query("SELECT count(*) FROM headway.observations")[0].decode(Int.self, at: 0) == 4)

        // Without --published-on, Eurostat's LAST UPDATE says when (15 May 2024): the same figures, unchanged.
        let dated = try HeadwayBinary.run(["import", eurostat, "--metric", "dwellings", "--where", "geo=DE"], url: url)
        #expect(dated.status == 0 && dated.output.contains("2 rows: 0 inserted, 2 unchanged"), "\(dated.output) \(dated.errors)")
        // A file that does not say is refused, naming it: never today by default.
        let undated = try HeadwayBinary.run(["import", oecd, "--metric", "dwellings", "--frequency", "quarter"], url: url)
        #expect(undated.status == 2 && undated.errors.contains("oecd.csv: the file does not say when its figures were published"), "\(undated.errors)")
    }

    /// JSON-stat and FRED vintages through the command: a bad cell refused at its JSON path with
    /// nothing written; vintages loaded as revisions, so a report as of a past day sees the
    /// figure then published.
    @Test func importsJSONStatAndFREDVintagesAsRevisions() throws {
        let folder = try ScratchDirectory("headway-import-json")
        let url = try TestDatabase.create()
        let definitions = try folder.file(
            "d.yaml",
            """
            metrics:
              - { key: gdp, name: Real GDP, unit: billion dollars, kind: level }
              - { key: people, name: Population, unit: people, kind: level, min: 0 }
            commitments:
              - key: grow
                title: Grow real GDP to 23,500
                metric: gdp
                baseline: { date: 2023-06-30, value: 22000 }
                target: { value: 23500 }
                deadline: 2026-12-31

            """)
        let applied = try HeadwayBinary.run(["apply", definitions], url: url)
        #expect(applied.status == 0, "\(applied.errors)")
        let vintages = try folder.file(
            "GDPC1.csv",
            """
            observation_date,GDPC1_20240130,GDPC1_20240228,GDPC1_20240328
            2023-07-01,22490.692,22491.567,22506.359
            2023-10-01,22672.859,22668.986,22679.255

            """)
        let loaded = try HeadwayBinary.run(["import", vintages, "--metric", "gdp"], url: url)
        #expect(loaded.status == 0, "\(loaded.errors)")
        #expect(loaded.output.contains("GDPC1.csv (FRED): 6 figures of series=GDPC1") && loaded.output.contains("6 rows: 2 inserted, 0 unchanged, 4 revised"), "\(loaded.output)")
        #expect(try HeadwayBinary.run(["import", vintages, "--metric", "gdp"], url: url).output.contains("6 rows: 0 inserted, 6 unchanged"))
        let february = try HeadwayBinary.run(["report", "--as-of", "2024-03-01", "--format", "json"], url: url)
        #expect(february.output.contains("\"value\": 22668.986") || february.output.contains("\"value\":22668.986"), "\(february.output.prefix(1500))")
        let april = try HeadwayBinary.run(["report", "--as-of", "2024-04-01", "--format", "json"], url: url)
        #expect(april.output.contains("22679.255"), "\(april.output.prefix(1500))")

        let jsonStat = try folder.file(
            "population.json",
            """
            {"version":"2.0","class":"dataset","updated":"2024-05-15","id":["geo","time"],"size":[1,2],
             "dimension":{"geo":{"category":{"index":["DE"]}},"time":{"category":{"index":["2022","2023"]}}},
             "value":[83237124,-1]}
            """)
        let refused = try HeadwayBinary.run(["import", jsonStat, "--metric", "people"], url: url)
        #expect(refused.status == 2)
        #expect(refused.errors.contains("population.json: value[1]: column value: -1 is below the metric's min of 0"), "\(refused.errors)")
        #expect(try PostgresConnection(url: url).query("SELECT count(*) FROM headway.observations WHERE metric = 'people'")[0].decode(Int.self, at: 0) == 0)
        let mended = try folder.file("population.json", try String(contentsOfFile: jsonStat, encoding: .utf8).replacingOccurrences(of: ",-1]", with: ",84482267]"))
        let imported = try HeadwayBinary.run(["import", mended, "--metric", "people", "--dry-run"], url: url)
        #expect(imported.output.contains("population.json (JSON-stat): 2 figures of geo=DE; 0 missing values skipped") && imported.output.contains("Nothing written"))
    }
}
