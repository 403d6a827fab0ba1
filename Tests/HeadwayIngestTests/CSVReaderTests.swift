import Foundation
import HeadwayIngest
import Testing

@Suite struct CSVReaderTests {
    private func reader(_ text: String, chunkSize: Int = 1 << 20) throws -> CSVReader {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        return CSVReader(descriptor: open(path, O_RDONLY), fileName: "t.csv", ownsDescriptor: true, chunkSize: chunkSize)
    }

    private func records(_ text: String, chunkSize: Int = 1 << 20) throws -> [CSVReader.Record] {
        let reader = try reader(text, chunkSize: chunkSize)
        var result: [CSVReader.Record] = []
        while let record = try reader.next() { result.append(record) }
        return result
    }

    @Test func readsQuotesLineBreaksAndCRLF() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, \"\"quoted\"\"\",\"two\nlines\"\r\n3,,\n4,é,✓"
        for chunkSize in [1, 2, 3, 7, 1 << 20] {
            let read = try records(text, chunkSize: chunkSize)
            #expect(read.map(\.fields) == [["a", "b", "c"], ["1", "x, \"quoted\"", "two\nlines"], ["3", "", ""], ["4", "é", "✓"]])
            #expect(read.map(\.line) == [1, 2, 4, 5])
        }
    }

    /// The World Bank's CSV starts with a byte order mark and a quoted field; SDMX-CSV 2.0 may
    /// separate fields with semicolons.
    @Test func readsAQuotedFirstFieldAfterAByteOrderMarkAndSemicolons() throws {
        for chunkSize in [1, 2, 3, 1 << 20] {
            let read = try records("\u{FEFF}\"Data Source\",\"WDI\",\n\"a;b\",c", chunkSize: chunkSize)
            #expect(read.map(\.fields) == [["Data Source", "WDI", ""], ["a;b", "c"]])
            let semicolons = try reader("a;\"b;c\";d\n1;2,5;3\n", chunkSize: chunkSize)
            semicolons.separator = UInt8(ascii: ";")
            var fields: [[String]] = []
            while let record = try semicolons.next() { fields.append(record.fields) }
            #expect(fields == [["a", "b;c", "d"], ["1", "2,5", "3"]])
        }
    }

    @Test func readsRecordsAsBytesAsItReadsThemAsStrings() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, \"\"quoted\"\"\",\"two\nlines\"\r\n\r\n3,,\n4,é,✓"
        for chunkSize in [1, 2, 3, 7, 1 << 20] {
            let csv = try reader(text, chunkSize: chunkSize)
            var read: [CSVReader.Bytes] = []
            while let record = try csv.nextBytes() { read.append(record) }
            // The byte order mark is left to `next`, which reads the header.
            #expect(read.map(\.record.fields) == [["\u{FEFF}a", "b", "c"], ["1", "x, \"quoted\"", "two\nlines"], [""], ["3", "", ""], ["4", "é", "✓"]])
            #expect(read.map(\.line) == [1, 2, 4, 5, 6])
            #expect(read.map(\.isBlank) == [false, false, true, false, false])
            #expect(read[1].range(1) == 1..<12 && read[3].ends == [1, 1, 1])
        }
    }

    @Test func aFieldWithANulOrInvalidUTF8IsNamedAndTheNextRecordIsRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)").path
        try Data(Array("a,b\n1,x".utf8) + [0x00] + Array("\n\"2\n".utf8) + [0xC3, 0x28] + Array("\",y\nok,é\n".utf8)).write(to: URL(fileURLWithPath: path))
        defer { unlink(path) }
        let csv = CSVReader(descriptor: open(path, O_RDONLY), fileName: "t.csv", ownsDescriptor: true, chunkSize: 3)
        #expect(try csv.nextBytes()?.record.fields == ["a", "b"])
        let nul = #expect(throws: InputError.self) { try csv.nextBytes() }
        #expect(nul?.description == "t.csv:2: column 2: contains a NUL byte")
        let invalid = #expect(throws: InputError.self) { try csv.nextBytes() }
        #expect(invalid?.description == "t.csv:4: column 1: is not valid UTF-8")
        #expect(try csv.nextBytes()?.record.fields == ["ok", "é"])
        #expect(try csv.nextBytes() == nil)
    }

    @Test func goesOnAfterAnErrorAtTheNextLine() throws {
        let csv = try reader("a,b\nbad\"quote,1\nok,2\n")
        #expect(try csv.next()?.fields == ["a", "b"])
        let error = #expect(throws: InputError.self) { try csv.next() }
        #expect(error?.line == 2)
        let next = try csv.next()
        #expect(next?.fields == ["ok", "2"])
        #expect(next?.line == 3)
    }

    @Test func missingFileIsNamed() {
        let error = #expect(throws: InputError.self) { try CSVReader(path: "/no/such/file.csv") }
        #expect(error?.description == "/no/such/file.csv: cannot open: No such file or directory")
    }
}
