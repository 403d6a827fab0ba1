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
    /// Where in a JSON file, such as `observations[12]`, said instead of the line.
    public var path: String?

    public init(file: String, line: Int, column: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE: column NAME: what is wrong`, then `; column OTHER: …` for each other problem.
    public var description: String {
        if let path { return "\(file): \(path): " + ([self] + others).map(\.located).joined(separator: "; ") }
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
    /// The byte between fields: a comma, or the semicolon some publishers write (SDMX-CSV 2.0).
    public var separator = UInt8(ascii: ",")

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
        // The hot loop works on local copies of the reader's state (written back on every exit),
        // and no closure captures them: class properties, or variables a closure captures, would
        // pay an exclusivity check on each byte.
        let buffer = self.buffer
        let separator = self.separator
        var position = self.position
        var filled = self.filled
        // The last record's storage is taken over (not copied), and reused.
        var reading = Reading(line: line)
        swap(&reading.record, &current)
        reading.begin()
        defer {
            self.position = position
            self.line = reading.line
            self.current = reading.record
        }
        let startLine = reading.line
        func finish(_ reading: Reading) throws -> Bytes {
            if let problem = reading.problem {
                throw InputError(file: fileName, line: problem.line, column: columnName(problem.field), message: problem.message)
            }
            return reading.record
        }

        while true {
            if position >= filled, try !more(&position, &filled) {
                // End of file: finish the last record (a final line break is optional).
                if reading.inQuotes {
                    throw InputError(
                        file: fileName, line: startLine, column: columnName(reading.record.ends.count),
                        message: "a quoted field is never closed (unterminated \" at end of file)")
                }
                reading.endField()
                return try finish(reading)
            }
            let byte = buffer[position]
            position += 1
            if reading.inQuotes {
                if byte == 0x22 {  // "
                    if position >= filled { _ = try more(&position, &filled) }
                    if position < filled, buffer[position] == 0x22 {
                        reading.record.bytes.append(0x22)
                        position += 1
                    } else {
                        reading.inQuotes = false
                        reading.afterClosingQuote = true
                    }
                } else {
                    if byte == 0x0A { reading.line += 1 }
                    reading.append(byte)
                }
                continue
            }
            if byte == separator {
                reading.endField()
                continue
            }
            switch byte {
            case 0x0A:  // \n
                reading.endField()
                reading.line += 1
                return try finish(reading)
            case 0x0D:  // \r: only as part of \r\n
                if position >= filled { _ = try more(&position, &filled) }
                if position >= filled || buffer[position] != 0x0A {
                    reading.fail("a carriage return outside quotes must be followed by a line feed")
                    reading.append(byte)
                }
            case 0x22:
                // A quoted first field after a byte order mark (the World Bank's CSV): the mark
                // is no part of the field.
                if reading.line == 1, reading.fieldStart == 0, reading.record.bytes == [0xEF, 0xBB, 0xBF] { reading.record.bytes.removeAll() }
                guard reading.record.bytes.count == reading.fieldStart, !reading.wasQuoted, !reading.afterClosingQuote else {
                    reading.fail("a quote (\") inside an unquoted field; quote the whole field and double the quote (\"\")")
                    reading.append(byte)
                    continue
                }
                reading.inQuotes = true
                reading.wasQuoted = true
            default:
                if reading.afterClosingQuote { reading.fail("text after a closing quote; a quoted field must end at a comma or line end") }
                // The ordinary bytes that follow, up to the next comma, quote or line end in this
                // chunk, go in at once rather than one append each.
                var end = position
                var lowest = byte, highBits = byte
                while end < filled {
                    let next = buffer[end]
                    if next == separator || next == 0x0A || next == 0x0D || next == 0x22 { break }
                    lowest = min(lowest, next)
                    highBits |= next
                    end += 1
                }
                reading.noteBytes(lowest: lowest, highBits: highBits)
                reading.record.bytes.append(byte)
                reading.record.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position..<end]))
                position = end
            }
        }
    }

    /// Reads the next chunk into the hot loop's copies of the position; false at the end of the file.
    private func more(_ position: inout Int, _ filled: inout Int) throws -> Bool {
        self.position = position
        let gotMore = try refill()
        position = self.position
        filled = self.filled
        return gotMore
    }

    /// A record being read: its bytes so far, where the field being read starts, what the bytes
    /// so far hold, and the first problem (reading goes on to the record's end, taking the
    /// offending bytes literally, so that a bad field never consumes the line after it).
    private struct Reading {
        var record: Bytes
        /// The line being read (a quoted field may span lines).
        var line: Int
        var fieldStart = 0
        var inQuotes = false
        var wasQuoted = false
        var afterClosingQuote = false
        /// The field's smallest byte (0: a NUL) and its bytes' bits together (0x80: not ASCII).
        var lowest: UInt8 = 0xFF
        var highBits: UInt8 = 0
        /// Where the first problem is: its line and field.
        var problem: (line: Int, field: Int, message: String)?

        init(line: Int) {
            record = Bytes(line: line, bytes: [], ends: [])
            self.line = line
        }

        /// Starts the record on `line`, in the storage `record` holds.
        mutating func begin() {
            record.line = line
            record.bytes.removeAll(keepingCapacity: true)
            record.ends.removeAll(keepingCapacity: true)
        }

        mutating func fail(_ message: String) {
            if problem == nil { problem = (line, record.ends.count, message) }
        }

        mutating func append(_ byte: UInt8) {
            record.bytes.append(byte)
            noteBytes(lowest: byte, highBits: byte)
        }

        mutating func noteBytes(lowest: UInt8, highBits: UInt8) {
            self.lowest = min(self.lowest, lowest)
            self.highBits |= highBits
        }

        /// Ends the field: ASCII without NUL, by far the most common, is valid UTF-8; a field that
        /// is not valid is left empty, with its problem noted.
        mutating func endField() {
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
            lowest = 0xFF
            highBits = 0
        }
    }
}
