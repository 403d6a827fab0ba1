/// Where the records of a CSV file start, found by the plainest RFC 4180 split, written apart
/// from `CSVReader` so that tests can check the reader and the loader account for every record.
///
/// A quote opens a quoted field only at the start of a field (a byte order mark before the first
/// is none of it); inside one, `""` is a quote and `"`
/// closes it; outside quotes a line feed ends the record. Any other byte is just a byte.
public enum CSVRecords {
    public struct Record: Equatable, Sendable {
        /// The line the record starts on (1-based).
        public var line: Int
        /// Nothing but an optional carriage return: a blank line, which the loader skips.
        public var isBlank: Bool
    }

    public static func split(_ bytes: [UInt8]) -> [Record] {
        var records: [Record] = []
        var line = 1
        var start: Int?  // the index of the current record's first byte
        var startLine = 1
        var inQuotes = false
        var fieldStart = true  // no byte of the current field yet
        var index = 0
        // A byte order mark at the start is no part of the first field: a quote after it opens one.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { (start, index) = (0, 3) }
        func end(at endIndex: Int) {
            guard let first = start else { return }
            let body = bytes[first..<endIndex]
            records.append(Record(line: startLine, isBlank: body.isEmpty || body.elementsEqual([0x0D])))
            start = nil
        }
        while index < bytes.count {
            let byte = bytes[index]
            if start == nil {
                start = index
                startLine = line
                fieldStart = true
            }
            if inQuotes {
                if byte == 0x22 {
                    if index + 1 < bytes.count, bytes[index + 1] == 0x22 { index += 1 } else { inQuotes = false }
                } else if byte == 0x0A {
                    line += 1
                }
            } else if byte == 0x0A {
                end(at: index)
                line += 1
            } else if byte == 0x22, fieldStart {
                inQuotes = true
                fieldStart = false
            } else {
                fieldStart = byte == 0x2C
            }
            index += 1
        }
        end(at: bytes.count)
        return records
    }

    /// How many records a load counts as data: every record after the header that is not blank.
    public static func dataRecords(_ bytes: [UInt8]) -> Int {
        split(bytes).dropFirst().filter { !$0.isBlank }.count
    }

    public static func dataRecords(_ text: String) -> Int { dataRecords(Array(text.utf8)) }
}
