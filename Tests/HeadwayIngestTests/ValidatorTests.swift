import Foundation
import HeadwayIngest
import HeadwayModel
import Testing

/// A bulk load checks a row on its bytes (`validate(_: CSVReader.Bytes)`), and only a row out of
/// the usual form on strings, which name every problem: both must decide every row alike, with
/// the same row or the same error.
@Suite struct ValidatorTests {
    static func same(_ a: Result<ValidatedObservation, any Error>, _ b: Result<ValidatedObservation, any Error>) -> Bool {
        switch (a, b) {
        case (.success(let x), .success(let y)): x == y
        case (.failure(let x as InputError), .failure(let y as InputError)): x == y
        default: false
        }
    }

    static let catalog = ObservationCatalog(
        metricKinds: ["closures": .additive, "officers": .level, "café": .additive, "share": .level, "arrests": .additive],
        sourcePublishedOn: ["answer": CivilDate(year: 2024, month: 4, day: 5), "undated": nil],
        bounds: ["share": .init(minimum: 0, maximum: 100), "arrests": .init(minimum: 0, maximum: nil)])

    /// `rows` under `header`, read and checked on bytes and on strings, each with its own
    /// reader and validator (the validators remember the last metric and source).
    func bothWays(_ header: String, _ rows: [String]) throws -> [(bytes: Result<ValidatedObservation, any Error>, strings: Result<ValidatedObservation, any Error>)] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rows-\(UUID().uuidString).csv").path
        try Data((([header] + rows).joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        func reader() -> CSVReader { CSVReader(descriptor: open(path, O_RDONLY), fileName: "t.csv", ownsDescriptor: true, chunkSize: 16) }
        let (onBytes, onStrings) = (reader(), reader())
        var (bytesValidator, stringsValidator) = (ObservationValidator(fileName: "t.csv", catalog: Self.catalog), ObservationValidator(fileName: "t.csv", catalog: Self.catalog))
        try bytesValidator.readHeader(try #require(try onBytes.next()))
        try stringsValidator.readHeader(try #require(try onStrings.next()))
        var results: [(Result<ValidatedObservation, any Error>, Result<ValidatedObservation, any Error>)] = []
        while let bytes = try onBytes.nextBytes(columnName: bytesValidator.columnName) {
            let record = try #require(try onStrings.next(columnName: stringsValidator.columnName))
            results.append((Result { try bytesValidator.validate(bytes) }, Result { try stringsValidator.validate(record) }))
        }
        return results
    }

    /// A metric's bounds refuse figures outside them at their line, on bytes and on strings alike.
    @Test func figuresOutsideTheirMetricsBoundsAreRefused() throws {
        let rows = [
            "share,,2024-03,0,,answer,,", "share,,2024-03,100,,answer,,", "share,,2024-03,100.5,,answer,,", "share,,2024-03,-0.1,,answer,,",
            "arrests,2024-01,2024-03,0,,answer,,", "arrests,2024-01,2024-03,-3,,answer,,", "arrests,2024-01,2024-03,1e6,,answer,,",
            "closures,2024-01,2024-03,-3,,answer,,",
        ]
        let results = try bothWays("metric,period_start,period_end,value,qualifier,source,published_on,note", rows)
        for (index, pair) in results.enumerated() { #expect(Self.same(pair.bytes, pair.strings), "row \(index + 2)") }
        let errors = results.map { pair -> String? in
            if case .failure(let error as InputError) = pair.strings { return error.description }
            return nil
        }
        #expect(
            errors == [
                nil, nil, "t.csv:4: column value: 100.5 is above the metric's max of 100", "t.csv:5: column value: -0.1 is below the metric's min of 0",
                nil, "t.csv:7: column value: -3 is below the metric's min of 0", nil, nil,
            ])
    }

    @Test func rowsInAndOutOfTheUsualFormAreDecidedAlike() throws {
        let rows = [
            "closures,2022-04,2024-03,2500,at_least,answer,2024-04-05,fine",
            "closures,2022-04,2024-04,2500,at_least,answer,2024-04-05,fine",  // the last row's metric and source
            "officers,,FY2022-23,725,,answer,,",  // a level, dated by its source
            "closures,2022-04,2024-03,1,,answer,,",  // back to the metric before
            "closures, 2022-04,2024-03,1,,answer,,",  // spaces to trim: accepted, on strings
            "closures,2022-04,2024-03, 1 ,,answer,,",
            "closures,2022-04,2024-03,1,,answer,\u{A0}2024-04-05,",
            "cafe\u{301},2024-Q1,2024-q2,-3.5e2,about,,2024,note é",  // another spelling of café
            "café,2024-Q1,2024-Q2,1,,,,",  // no publication date
            "closures,2022-04,2024-03,1,,undated,,",
            "closures,2022-04,2024-03,1,,undated,2024-01-01,",
            "closures,2024-05,2024-04,1,,answer,,",  // start after end
            "closures,2024-04,2024-04,1,,answer,,",
            "officers,2024-05,2024-04,1,,answer,,",
            "closures,,2024-04,1,,answer,,",
            "closures,2022-04,2024-03,1,EXACT,answer,,",
            "closures,2022-04,2024-03,+1.,exact,answer,,",
            "closures,2022-04,2024-03,.5,at_most,answer,,",
            "closures,2022-04,2024-03,-0,at_most,answer,,",
            "closures,2022-04,2024-03,1e100,exact,answer,,",
            "closures,2022-04,2024-03,1e-16384,exact,answer,,",
            "closures,2022-04,2024-03,1,at_most,answer,2023-02-29,",
            "closures,FY2023-24,FY2023-24,0,at_most,answer,2024-04-05,",
            "closures,FY2023-25,FY2023-24,0,at_most,answer,2024-04-05,",
            "closures,2022-04,0000-01,1,,answer,,",
            "closures,2022-04-01,2024-03-31,1,,answer,2024-04-05,\"quoted, note\"",
            "nope,2022-04,2024-03,1,,answer,,",
            ",2022-04,2024-03,1,,answer,,",
            "closures,2022-04,2024-03,1,,nowhere,,",
            "closures,2022-04,2024-03,1,,answer",
            "closures,2022-04,2024-03,1,,answer,,,x",
            "officers,,2024-03-31,9,,,2024-04-01,",
        ]
        let results = try bothWays("metric,period_start,period_end,value,qualifier,source,published_on,note", rows)
        #expect(results.count == rows.count)
        for (row, result) in zip(rows, results) {
            #expect(Self.same(result.bytes, result.strings), "\(row): \(result.bytes) against \(result.strings)")
        }
        let first = try results[0].bytes.get()
        #expect(first.metric == "closures" && first.periodEnd.description == "2024-03-31" && first.value.text == "2500" && first.note == "fine")
        #expect(try results[2].bytes.get().publishedOn.description == "2024-04-05")
        #expect(try results[4].bytes.get().periodStart?.description == "2022-04-01")
        #expect(try results[7].bytes.get().metric == "cafe\u{301}")
        let accepted = results.filter { (try? $0.bytes.get()) != nil }.count
        #expect(accepted == 16, "\(results.map(\.bytes))")
    }

    @Test func columnsInAnotherOrderAndLeftOut() throws {
        let rows = ["2024-03-31,officers,1,2024-04-01", "2024,officers,2,2024-04-01", "2024-03-31,closures,3,2024-04-01", "2024-03-31,officers,,2024-04-01"]
        let results = try bothWays("\u{FEFF}period_end,metric,value,published_on", rows)
        for (row, result) in zip(rows, results) {
            #expect(Self.same(result.bytes, result.strings), "\(row): \(result.bytes) against \(result.strings)")
        }
        #expect(try results[1].bytes.get().periodEnd.description == "2024-12-31")
        #expect(throws: InputError.self) { try results[2].bytes.get() }
    }
}
