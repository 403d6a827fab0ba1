import Foundation
import HeadwayIngest
import HeadwayModel
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The readers of untrusted input under mutation fuzzing, for a bounded time (HEADWAY_FUZZ_SECONDS
/// each, 4 by default): no crash, no hang, and every rejection a located, readable error.
@Suite struct FuzzTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let csvCorpus = [
        "metric,period_start,period_end,value,qualifier,source,published_on,note\n"
            + "closures,2022-04,2024-03,2500,at_least,answer,2024-04-05,\"over 2,500 \"\"lines\"\"\"\n"
            + "officers,,FY2022-23,725,,answer,2024-04-05,\r\nclosures,2024-Q1,2024-Q1,-3.5e2,about,,2024,note\n",
        "\u{FEFF}period_end,metric,value\r\n2024-03-31,officers,\"1\r\n2\"\n2024,officers,1e99999\n",
        "metric,period_end,value\nofficers,2024-13-01,1\nofficers,0000-01,NaN\nofficers,FY2023-25,\"\"\n",
    ].map(bytes)
    static let csvTokens = [
        "\"", ",", "\n", "\r\n", "\r", "\"\"", "\0", "\u{FEFF}", "é", "🙂", "-", ".", "e", "E+", "Q", "FY", "2024", "closures",
        "officers", "answer", "at_least", ",,,,,,,,", "99999999999999999999999999",
    ].map(bytes) + [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]]

    @Test func observationCSVRejectsEveryMalformedInputClearly() throws {
        let catalog = ObservationCatalog(
            metricKinds: ["closures": .additive, "officers": .level], sourcePublishedOn: ["answer": try CivilDate(parsing: "2024-04-05")])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-\(UUID().uuidString).csv").path
        defer { unlink(path) }
        let report = try Fuzz.run(corpus: Self.csvCorpus, tokens: Self.csvTokens) { input in
            try Data(input).write(to: URL(fileURLWithPath: path))
            // Every record the plain RFC 4180 split finds is read or rejected exactly once, each
            // at its own line: a bad field never takes the next record with it.
            let expected = CSVRecords.split(input)
            let reader = CSVReader(descriptor: open(path, O_RDONLY), fileName: "fuzz.csv", ownsDescriptor: true, chunkSize: 64)
            var validator = ObservationValidator(fileName: "fuzz.csv", catalog: catalog)
            var rejected = false, headerIsBad = false, outcomes = 0
            func check(_ error: InputError, lines: Range<Int>) {
                rejected = true
                if outcomes == 1 { headerIsBad = true }  // a bad header: the rest is still read, not checked
                #expect(lines.contains(error.line), "\(error) should be on lines \(lines) of \(expected)")
                #expect(error.file == "fuzz.csv" && !error.message.isEmpty, "\(error)")
                #expect(error.description.hasPrefix("fuzz.csv:\(error.line): "))
            }
            while outcomes <= expected.count {
                let lines = outcomes >= expected.count ? 0..<0 : expected[outcomes].line..<(outcomes + 1 < expected.count ? expected[outcomes + 1].line : Int.max)
                // The header as strings, the rows as bytes, as the loader reads them.
                let record: CSVReader.Record
                var bytes: CSVReader.Bytes?
                do {
                    if outcomes == 0 {
                        guard let next = try reader.next(columnName: validator.columnName) else { break }
                        record = next
                    } else {
                        guard let next = try reader.nextBytes(columnName: validator.columnName) else { break }
                        (bytes, record) = (next, next.record)
                    }
                } catch let error as InputError {
                    outcomes += 1
                    check(error, lines: lines)
                    continue
                }
                outcomes += 1
                #expect(record.line == lines.lowerBound, "record \(outcomes) of \(expected)")
                do {
                    if outcomes == 1 {
                        try validator.readHeader(record)
                    } else if !headerIsBad, let bytes {
                        // The checks on bytes decide every row as the checks on strings do.
                        let fromBytes = Result { try validator.validate(bytes) }
                        #expect(ValidatorTests.same(fromBytes, Result { try validator.validate(record) }), "\(record.fields)")
                        _ = try fromBytes.get()
                    }
                } catch let error as InputError {
                    check(error, lines: record.line..<record.line + 1)
                }
            }
            #expect(outcomes == expected.count, "every record accounted for: \(outcomes) of \(expected.count)")
            return rejected
        }
        print("fuzz observation CSV: \(report)")
        #expect(report.inputs > 100 && report.rejected > 0 && report.slowestSeconds < 2, "\(report)")
    }

    @Test func datePeriodsParseOrSayWhyNot() throws {
        let corpus = ["2024-04-05", "2024-04", "2024-Q2", "2024", "FY2023-24", " 1999-12-31 ", "fy2099-00", "0001-01-01"].map(Self.bytes)
        let tokens = ["-", "Q", "FY", "fy", "0", "9", "13", "29", "31", "99999", " ", "/", "+", "٣", "２", "\u{0}", "e5"].map(Self.bytes)
        let report = try Fuzz.run(corpus: corpus, tokens: tokens) { input in
            let text = String(decoding: input, as: UTF8.self)
            do {
                let period = try DatePeriod(parsing: text)
                // What parses is a real period, and reads back as itself.
                #expect(period.first <= period.last, "\(text)")
                #expect(try DatePeriod(parsing: period.first.description).first == period.first)
                return false
            } catch let error as DateParseError {
                #expect(!error.description.isEmpty && error.description.count < 400, "\(text)")
                return true
            }
        }
        print("fuzz date periods: \(report)")
        #expect(report.inputs > 1000 && report.rejected > 0 && report.slowestSeconds < 2, "\(report)")
    }

    @Test func definitionsReaderRejectsEveryMalformedInputClearly() throws {
        let yaml = """
            sources:
              - key: answer
                title: "Written answer"
                published_on: 2024-04-05
            metrics:
              - {key: closures, name: Lines closed, unit: lines, kind: additive}
            commitments:
              - key: c1
                title: Close 2,000 lines
                metric: closures
                source: answer
                baseline: { date: 2022-04 }
                target: { change: "+10%", comparison: at_least }
                deadline: FY2024-25
                milestones: [{date: 2023-Q4, value: 1000}]
                extends: c0
                tags: [a, "b"]
            """
        let json = #"{"metrics": [{"key": "m", "name": "M", "unit": "u", "kind": "level"}], "commitments": [{"key": "k", "title": "T", "metric": "m", "baseline": {"date": "2020", "value": "1.5"}, "target": {"value": "-3"}, "deadline": "2021-Q1"}]}"#
        let aliases = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nmetrics: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        let tokens = [
            ":", "- ", "-", "\n", "\n  ", "  ", "[", "]", "{", "}", ",", "\"", "'", "&a ", "*a", "!!binary ", "!!str ", "<<: ", "? ", "|", ">", "#",
            "%YAML 1.1\n", "---\n", "...\n", "\t", "\0", "\u{85}", "\u{2028}", "key: ", "title: ", "metric: ", "null", "~", "1e400", "2024-13",
        ].map(Self.bytes) + [[0xFF], [0xC3]]
        let report = try Fuzz.run(corpus: [yaml, json, aliases].map(Self.bytes), tokens: tokens) { input in
            let text = String(decoding: input, as: UTF8.self)
            do {
                _ = try DefinitionsReader.read(text: text, fileName: "fuzz.yaml")
                return false
            } catch let error as InputError {
                #expect(error.file == "fuzz.yaml" && error.line >= 0 && !error.message.isEmpty, "\(error)")
                #expect(error.description.hasPrefix("fuzz.yaml:"), "\(error)")
                return true
            }
        }
        print("fuzz definitions: \(report)")
        #expect(report.inputs > 100 && report.rejected > 0 && report.slowestSeconds < 2, "\(report)")
    }
}
