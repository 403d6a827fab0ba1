#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A problem in an input file, located by file, line and (where it applies) column.
///
/// Reads `FILE:LINE: column NAME: what is wrong`, the form DESIGN.md fixes.
public struct InputError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int
    public let column: String?
    public let message: String
    /// More problems found on the same line, each naming its own column.
    public var others: [InputError] = []
    /// What `column` names: a CSV `column`, or a YAML `field`.
    public var label = "column"

    public init(file: String, line: Int, column: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE: column NAME: what is wrong`, then `; column OTHER: …` for each other problem.
    public var description: String {
        if line == 0 { return "\(file): \(message)" }
        return "\(file):\(line): " + ([self] + others).map(\.located).joined(separator: "; ")
    }

    private var located: String { column.map { "\(label) \($0): \(message)" } ?? message }
}

/// Streams RFC 4180 records from a file descriptor, in constant memory.
///
/// Accepts LF and CRLF line ends, quoted fields with `""` escapes and embedded line breaks, and
/// a UTF-8 byte order mark. Rejects, with the line and field, what a spreadsheet would silently
/// mangle: unterminated quotes, stray quotes, invalid UTF-8 and NUL bytes.
///
/// `next()` gives a record's fields as strings; `nextBytes()` gives them as bytes, which a bulk
/// load checks without making a string of every field.
public final class CSVReader {
    /// One record: its fields and the line it starts on.
    public struct Record {
        public var line: Int
        public var fields: [String]
    }

    /// One record as bytes: its fields' UTF-8 one after another (each checked: valid UTF-8, no
    /// NUL), where each field ends, and the line it starts on. The reader reuses the storage for
    /// the next record, so a caller that keeps one makes the reader copy it.
    public struct Bytes {
        public var line: Int
        /// The fields' bytes, one after another.
        public var bytes: [UInt8]
        /// Where field N ends in `bytes` (it starts where field N - 1 ends).
        public var ends: [Int]

        public var count: Int { ends.count }
        /// Nothing but an optional carriage return: a blank line.
        public var isBlank: Bool { ends.count == 1 && ends[0] == 0 }
        /// Where field `index` is in `bytes`.
        public func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }
        /// The record with its fields as strings.
        public var record: Record {
            bytes.withUnsafeBufferPointer { all in
                Record(line: line, fields: (0..<count).map { String(decoding: UnsafeBufferPointer(rebasing: all[range($0)]), as: UTF8.self) })
            }
        }
    }

    public let fileName: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    private var position = 0
    private var filled = 0
    private var atEnd = false
    private var line = 1
    private var startedBOMCheck = false
    /// The record being read, reused from one record to the next.
    private var current = Bytes(line: 1, bytes: [], ends: [])
    /// Bytes consumed so far (for progress reporting).
    public private(set) var bytesRead: Int = 0

    /// Reads from an open descriptor (standard input is 0); `ownsDescriptor` closes it at the end.
    public init(descriptor: Int32, fileName: String, ownsDescriptor: Bool = false, chunkSize: Int = 1 << 20) {
        self.descriptor = descriptor
        self.fileName = fileName
        self.ownsDescriptor = ownsDescriptor
        buffer = .allocate(capacity: chunkSize)
        current.bytes.reserveCapacity(256)
        current.ends.reserveCapacity(16)
    }

    /// Opens a file by path (`-` is standard input).
    public convenience init(path: String) throws {
        if path == "-" {
            self.init(descriptor: 0, fileName: "<stdin>")
            return
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw InputError(file: path, line: 0, column: nil, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        self.init(descriptor: descriptor, fileName: path, ownsDescriptor: true)
    }

    deinit {
        buffer.deallocate()
        if ownsDescriptor { close(descriptor) }
    }

    private func refill() throws -> Bool {
        if atEnd { return false }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(file: fileName, line: line, column: nil, message: "read failed: \(String(cString: strerror(errno)))")
            }
            position = 0
            filled = count
            bytesRead += count
            if count == 0 { atEnd = true }
            return count > 0
        }
    }

    /// The next record, or nil at the end of the file. `columnName` names field N in errors.
    ///
    /// A record with a problem is still read to its end before the error is thrown, so the reader
    /// always stands at the start of the next record: a caller that collects errors goes on from
    /// there, and every record of the file is either returned or thrown, exactly once.
    public func next(columnName: (Int) -> String = { "\($0 + 1)" }) throws -> Record? {
        var record = try nextBytes(columnName: columnName)?.record
        if !startedBOMCheck, var first = record?.fields.first {
            // A UTF-8 byte order mark, as spreadsheets write, is not part of the first field.
            startedBOMCheck = true
            if first.hasPrefix("\u{FEFF}") {
                first.removeFirst()
                record?.fields[0] = first
            }
        }
        return record
    }

    /// The next record as bytes, or nil at the end of the file; read as `next` reads, except that
    /// a byte order mark is left in: read the header with `next`.
    public func nextBytes(columnName: (Int) -> String = { "\($0 + 1)" }) throws -> Bytes? {
        if position >= filled, try !refill() { return nil }
        // The hot loop works on local copies of the reader's state (written back on every exit):
        // class properties would pay an exclusivity check on each byte.
        let buffer = self.buffer
        var position = self.position
        var filled = self.filled
        var line = self.line
        var record = self.current
        self.current = Bytes(line: 0, bytes: [], ends: [])
        record.bytes.removeAll(keepingCapacity: true)
        record.ends.removeAll(keepingCapacity: true)
        record.line = line
        defer {
            self.position = position
            self.line = line
            self.current = record
        }
        /// Reads the next chunk; false at the end of the file.
        func more() throws -> Bool {
            self.position = position
            let gotMore = try refill()
            position = self.position
            filled = self.filled
            return gotMore
        }

        let startLine = line
        var fieldStart = 0
        var inQuotes = false
        var wasQuoted = false
        var afterClosingQuote = false
        // The record's first problem. Reading goes on to the record's end, taking the offending
        // bytes literally, so that a bad field never consumes the line after it.
        var problem: InputError?

        func fail(_ message: String) {
            if problem == nil { problem = InputError(file: fileName, line: line, column: columnName(record.ends.count), message: message) }
        }
        func finish() throws -> Bytes {
            if let problem { throw problem }
            return record
        }
        func finishField() {
            // One pass over the field: ASCII without NUL, by far the most common, is valid UTF-8.
            let (lowest, highBits) = record.bytes.withUnsafeBufferPointer { all in
                var lowest: UInt8 = 0xFF, highBits: UInt8 = 0
                for byte in all[fieldStart...] {
                    lowest = min(lowest, byte)
                    highBits |= byte
                }
                return (lowest, highBits)
            }
            if lowest == 0 {
                fail("contains a NUL byte")
                record.bytes.removeSubrange(fieldStart...)
            } else if highBits >= 0x80, String(validating: record.bytes[fieldStart...], as: UTF8.self) == nil {
                fail("is not valid UTF-8")
                record.bytes.removeSubrange(fieldStart...)
            }
            record.ends.append(record.bytes.count)
            fieldStart = record.bytes.count
            wasQuoted = false
            afterClosingQuote = false
        }

        while true {
            if position >= filled, try !more() {
                // End of file: finish the last record (a final line break is optional).
                if inQuotes {
                    throw InputError(
                        file: fileName, line: startLine, column: columnName(record.ends.count),
                        message: "a quoted field is never closed (unterminated \" at end of file)")
                }
                finishField()
                return try finish()
            }
            let byte = buffer[position]
            position += 1
            if inQuotes {
                if byte == 0x22 {  // "
                    if position >= filled { _ = try more() }
                    if position < filled, buffer[position] == 0x22 {
                        record.bytes.append(0x22)
                        position += 1
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    record.bytes.append(byte)
                }
                continue
            }
            switch byte {
            case 0x2C:  // ,
                finishField()
            case 0x0A:  // \n
                finishField()
                line += 1
                return try finish()
            case 0x0D:  // \r: only as part of \r\n
                if position >= filled { _ = try more() }
                if position >= filled || buffer[position] != 0x0A {
                    fail("a carriage return outside quotes must be followed by a line feed")
                    record.bytes.append(byte)
                }
            case 0x22:
                guard record.bytes.count == fieldStart, !wasQuoted, !afterClosingQuote else {
                    fail("a quote (\") inside an unquoted field; quote the whole field and double the quote (\"\")")
                    record.bytes.append(byte)
                    continue
                }
                inQuotes = true
                wasQuoted = true
            default:
                if afterClosingQuote { fail("text after a closing quote; a quoted field must end at a comma or line end") }
                // The ordinary bytes that follow, up to the next comma, quote or line end in this
                // chunk, go in at once rather than one append each.
                var end = position
                while end < filled {
                    let next = buffer[end]
                    if next == 0x2C || next == 0x0A || next == 0x0D || next == 0x22 { break }
                    end += 1
                }
                record.bytes.append(byte)
                record.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position..<end]))
                position = end
            }
        }
    }
}
