import Foundation
import HeadwayIngest
import HeadwayStore
import Testing

/// A corpus of malformed observation files: each is rejected with `FILE:LINE: column NAME: …`
/// and leaves every table exactly as it was.
@Suite struct MalformedInputTests {
    static let header = "metric,period_start,period_end,value,qualifier,source,published_on,note\n"
    static let good = "closures,2022-04,2024-03,2500,at_least,answer,2024-04-05,fine\n"

    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let bytes: [UInt8]
        let expected: String
        var description: String { name }
        init(_ name: String, _ text: String, _ expected: String) {
            self.name = name
            bytes = Array(text.utf8)
            self.expected = expected
        }
        init(_ name: String, bytes: [UInt8], _ expected: String) {
            self.name = name
            self.bytes = bytes
            self.expected = expected
        }
    }

    static let cases: [Case] = [
        Case("unknown column", "metric,period_end,value,colour\n", "bad.csv:1: column colour: unknown column"),
        Case(
            "semicolon-separated", "metric;period_start;period_end;value\nclosures;2022-04;2024-03;1\n",
            "bad.csv:1: column metric;period_start;period_end;value: this file separates fields with ';'; Headway reads comma-separated CSV"),
        Case("capitalised column", "Metric,period_end,value\n", "bad.csv:1: column Metric: unknown column; column names are lower-case: write metric"),
        Case(
            "every problem of a row", header + "closures,2022-04,2024-03,\"22,100\",over,answer,,\n",
            "bad.csv:2: column value: \"22,100\" is not a decimal number (write 2500 or -12.5, without thousands separators); column qualifier: \"over\" is not one of"),
        Case("blank column name", "metric,period_end,value,\n", "bad.csv:1: column 4: unknown column"),
        Case("duplicate column", "metric,period_end,value,value\n", "bad.csv:1: column value: appears twice in the header"),
        Case("missing value column", "metric,period_end\n", "bad.csv:1: column value: required column is missing"),
        Case("missing metric column", "period_end,value\n", "bad.csv:1: column metric: required column is missing"),
        Case("empty file", "", "bad.csv:1: the file is empty"),
        Case("undefined metric", header + "nope,2022-04,2024-03,1,,answer,,\n", "bad.csv:2: column metric: \"nope\" is not a defined metric"),
        Case("empty metric", header + ",2022-04,2024-03,1,,answer,,\n", "bad.csv:2: column metric: is empty"),
        Case("month 13", header + "closures,2022-04,2024-13,1,,answer,,\n", "bad.csv:2: column period_end: month 13 does not exist"),
        Case("no such day", header + "closures,2023-02-29,2024-03,1,,answer,,\n", "bad.csv:2: column period_start: day 29 does not exist"),
        Case("bad financial year", header + "closures,FY2023-25,2024-03,1,,answer,,\n", "bad.csv:2: column period_start: a financial year"),
        Case("words for a date", header + "closures,2022-04,last spring,1,,answer,,\n", "bad.csv:2: column period_end: expected a date"),
        Case("empty period_end", header + "closures,2022-04,,1,,answer,,\n", "bad.csv:2: column period_end: is empty"),
        Case("additive without start", header + "closures,,2024-03,1,,answer,,\n", "bad.csv:2: column period_start: is required for additive metric"),
        Case("level with start", header + "officers,2022-04,2024-03,1,,answer,,\n", "bad.csv:2: column period_start: must be empty for level metric"),
        Case("start after end", header + "closures,2024-05,2024-04,1,,answer,,\n", "bad.csv:2: column period_start: 2024-05-01 is after period_end 2024-04-30"),
        Case("thousands separator", header + "closures,2022-04,2024-03,\"2,500\",,answer,,\n", "bad.csv:2: column value: \"2,500\" is not a decimal number"),
        Case(
            "unquoted thousands separator", header + "closures,2022-04,2024-03,2,500,,answer,,\n",
            "bad.csv:2: column value: 2,500 looks like a number written with a thousands separator, which splits the row into 9 fields (the header has 8): write 2500"),
        Case(
            "unquoted millions", header + "closures,2022-04,2024-03,-1,500,000.5,,answer,,\n",
            "bad.csv:2: column value: -1,500,000.5 looks like a number written with a thousands separator"),
        Case("words for a value", header + "closures,2022-04,2024-03,lots,,answer,,\n", "bad.csv:2: column value: \"lots\" is not a decimal"),
        Case("empty value", header + "closures,2022-04,2024-03,,,answer,,\n", "bad.csv:2: column value: is empty"),
        Case("NaN", header + "closures,2022-04,2024-03,NaN,,answer,,\n", "bad.csv:2: column value: \"NaN\" is not a decimal"),
        Case("infinity", header + "closures,2022-04,2024-03,Infinity,,answer,,\n", "bad.csv:2: column value: \"Infinity\" is not a decimal"),
        Case("too large", header + "closures,2022-04,2024-03,1e200,,answer,,\n", "bad.csv:2: column value: \"1e200\" is too large"),
        Case(
            "33,000 decimals", header + "closures,2022-04,2024-03,0." + String(repeating: "0", count: 33_000) + "1,,answer,,\n",
            "bad.csv:2: column value: \"0.000000000000000000…00000001\" has 33001 digits after the point"),
        Case("an exponent of -100000", header + "closures,2022-04,2024-03,1e-100000,,answer,,\n", "bad.csv:2: column value: \"1e-100000\" has 100000 digits after the point"),
        Case("currency sign", header + "closures,2022-04,2024-03,£70m,,answer,,\n", "bad.csv:2: column value: \"£70m\" is not a decimal"),
        Case("unknown qualifier", header + "closures,2022-04,2024-03,1,over,answer,,\n", "bad.csv:2: column qualifier: \"over\" is not one of"),
        Case("undefined source", header + "closures,2022-04,2024-03,1,,nowhere,,\n", "bad.csv:2: column source: \"nowhere\" is not a defined source"),
        Case("bad published_on", header + "closures,2022-04,2024-03,1,,answer,yesterday,\n", "bad.csv:2: column published_on: expected a date"),
        Case("no publication date", header + "closures,2022-04,2024-03,1,,,,\n", "bad.csv:2: column published_on: is empty and no source"),
        Case("unterminated quote", header + "closures,2022-04,2024-03,1,,answer,,\"never closed\n", "bad.csv:2: column note: a quoted field is never closed"),
        Case("quote inside a field", header + "closures,2022-04,2024-03,1,,answer,,say \"hi\"\n", "bad.csv:2: column note: a quote (\") inside an unquoted field"),
        Case("text after a closing quote", header + "closures,2022-04,2024-03,1,,answer,,\"hi\" there\n", "bad.csv:2: column note: text after a closing quote"),
        Case("too many fields", header + "closures,2022-04,2024-03,1,,answer,,,extra\n", "bad.csv:2: column 9: unexpected field"),
        Case("too few fields", header + "closures,2022-04,2024-03,1,,answer,\n", "bad.csv:2: column note: missing: the row has 7 fields, the header 8"),
        Case("invalid UTF-8", bytes: Array((header + "closures,2022-04,2024-03,1,,answer,,").utf8) + [0xC3, 0x28, 0x0A], "bad.csv:2: column note: is not valid UTF-8"),
        Case("NUL byte", bytes: Array((header + "closures,2022-04,2024-03,1,,answer,,a").utf8) + [0x00, 0x0A], "bad.csv:2: column note: contains a NUL byte"),
        Case("bare carriage return", header + "closures,2022-04,2024-03,1\r,,answer,,\n", "bad.csv:2: column value: a carriage return outside quotes"),
        Case("bad row after good ones", header + good + good.replacingOccurrences(of: ",fine", with: ""), "bad.csv:3: column note: missing"),
        Case(
            "line numbers count quoted line breaks", header + "closures,2022-04,2024-03,1,,answer,,\"two\nlines\"\n" + "closures,2022-04,2024-02,x,,answer,,\n",
            "bad.csv:4: column value: \"x\" is not a decimal"),
        Case("header only has a stray quote", "metric,\"period_end,value\n", "bad.csv:1: column 2: a quoted field is never closed"),
    ]

    @Test(arguments: cases)
    func isRejectedAndChangesNothing(_ input: Case) throws {
        let fixture = try LoaderFixture()
        try fixture.load(Self.header + "officers,,2023-03-31,725,,answer,,\n", name: "existing.csv")
        let before = try fixture.snapshot()
        let path = try fixture.file("bad.csv", input.bytes)
        let shortPath = { (text: String) in text.replacingOccurrences(of: path, with: "bad.csv") }
        var message: String?
        do {
            _ = try ObservationLoader(connection: fixture.connection).load([path])
        } catch let error as ObservationLoader.InvalidInput {
            message = error.errors.first.map { shortPath($0.description) }
        } catch let error as InputError {
            message = shortPath(error.description)
        }
        let reported = try #require(message, "\(input.name) was accepted")
        #expect(reported.hasPrefix(input.expected), "\(input.name): \(reported)")
        #expect(try fixture.snapshot() == before, "\(input.name) changed the database")
    }

    @Test func corpusIsLargeEnough() { #expect(Self.cases.count >= 30) }

    @Test func reportsEveryBadRowUpToALimit() throws {
        let fixture = try LoaderFixture()
        var text = Self.header
        for month in 1...30 { text += "closures,2022-04,2024-\(String(format: "%02d", month)),x,,answer,,\n" }
        let error = #expect(throws: ObservationLoader.InvalidInput.self) { try fixture.load(text) }
        #expect(error?.errors.count == 20)
        #expect(error?.truncated == true)
        #expect(try fixture.count() == 0)
    }
}
