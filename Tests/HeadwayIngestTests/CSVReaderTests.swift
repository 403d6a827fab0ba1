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
