import HeadwayCSV
import Testing

/// The one CSV policy (docs/FORMATS.md, "CSV that Headway writes"): RFC 4180 quoting; a text
/// field starting with =, +, -, @, tab or carriage return defused with a leading '; numbers as
/// they are; null empty, the empty string "".
@Suite struct CSVFieldTests {
    @Test(arguments: [
        ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "\"'\r=1\""),
        ("-", "'-"),
        ("plain text", "plain text"),
        ("a, b", "\"a, b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("line\nbreak", "\"line\nbreak\""),
        ("", "\"\""),
        ("1 = 1", "1 = 1"),
    ])
    func textIsQuotedAndDefused(text: String, written: String) {
        #expect(CSVField.text(text).written == written)
    }

    @Test(arguments: ["-12.5", "0", "3", "-1.5e3", "NaN", "1e-3"])
    func numbersAreWrittenAsTheyAre(number: String) {
        #expect(CSVField.number(number).written == number)
    }

    @Test func inferredFieldsAreNumbersOnlyWhenPlainlySo() {
        #expect(CSVField.inferred("-5") == .number("-5"))
        #expect(CSVField.inferred("-1.25E+3") == .number("-1.25E+3"))
        #expect(CSVField.inferred("") == .null)
        for text in ["-5-5", "-", "1,000", "=1", "1.", ".5", "-e3"] {
            #expect(CSVField.inferred(text) == .text(text), "\(text)")
        }
        #expect(CSVField.inferred("-2+3+cmd|' /C calc'!A0").written == "'-2+3+cmd|' /C calc'!A0")
    }

    @Test func recordsEndWithCRLFAndNullIsEmpty() {
        #expect(CSVRecord.line([.text("=1+1"), .number("-3"), .null, .text("")]) == "'=1+1,-3,,\"\"\r\n")
        #expect(CSVRecord.table(header: ["a", "b"], rows: [[.optionalText(nil), .optionalText("")]]) == "a,b\r\n,\r\n")
    }
}
