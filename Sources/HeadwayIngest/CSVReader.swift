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
public final class CSVReader {
    /// One record: its fields and the line it starts on.
    public struct Record {
        public var line: Int
        public var fields: [String]
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
    private var field: [UInt8] = []
    /// Bytes consumed so far (for progress reporting).
    public private(set) var bytesRead: Int = 0

    /// Reads from an open descriptor (standard input is 0); `ownsDescriptor` closes it at the end.
    public init(descriptor: Int32, fileName: String, ownsDescriptor: Bool = false, chunkSize: Int = 1 << 20) {
        self.descriptor = descriptor
        self.fileName = fileName
        self.ownsDescriptor = ownsDescriptor
        buffer = .allocate(capacity: chunkSize)
        field.reserveCapacity(256)
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
        var record = try readRecord(columnName: columnName)
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

    private func readRecord(columnName: (Int) -> String) throws -> Record? {
        if position >= filled, try !refill() { return nil }
        // The hot loop works on local copies of the reader's state (written back on every exit):
        // class properties would pay an exclusivity check on each byte.
        let buffer = self.buffer
        var position = self.position
        var filled = self.filled
        var line = self.line
        var field = self.field
        self.field = []
        defer {
            self.position = position
            self.line = line
            field.removeAll(keepingCapacity: true)
            self.field = field
        }
        /// Reads the next chunk; false at the end of the file.
        func more() throws -> Bool {
            self.position = position
            let gotMore = try refill()
            position = self.position
            filled = self.filled
            return gotMore
        }

        var fields: [String] = []
        fields.reserveCapacity(8)
        let startLine = line
        var inQuotes = false
        var wasQuoted = false
        var afterClosingQuote = false
        // The record's first problem. Reading goes on to the record's end, taking the offending
        // bytes literally, so that a bad field never consumes the line after it.
        var problem: InputError?

        func fail(_ message: String) {
            if problem == nil { problem = InputError(file: fileName, line: line, column: columnName(fields.count), message: message) }
        }
        func finish() throws -> Record {
            if let problem { throw problem }
            return Record(line: startLine, fields: fields)
        }
        func finishField() {
            var isASCII = true
            var hasNUL = false
            for byte in field {
                if byte == 0 { hasNUL = true }
                if byte >= 0x80 { isASCII = false }
            }
            if hasNUL {
                fail("contains a NUL byte")
                fields.append("")
            } else if isASCII {
                // ASCII is valid UTF-8: skip the general validation, by far the costlier path.
                fields.append(field.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) })
            } else if let text = String(validating: field, as: UTF8.self) {
                fields.append(text)
            } else {
                fail("is not valid UTF-8")
                fields.append("")
            }
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
            afterClosingQuote = false
        }

        while true {
            if position >= filled, try !more() {
                // End of file: finish the last record (a final line break is optional).
                if inQuotes {
                    throw InputError(
                        file: fileName, line: startLine, column: columnName(fields.count),
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
                        field.append(0x22)
                        position += 1
                    } else {
                        inQuotes = false
                        afterClosingQuote = true
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
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
                    field.append(byte)
                }
            case 0x22:
                guard field.isEmpty, !wasQuoted, !afterClosingQuote else {
                    fail("a quote (\") inside an unquoted field; quote the whole field and double the quote (\"\")")
                    field.append(byte)
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
                field.append(byte)
                field.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position..<end]))
                position = end
            }
        }
    }
}
