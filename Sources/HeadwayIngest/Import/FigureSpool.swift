import Foundation
import HeadwayModel

#if canImport(Glibc)
    import Glibc
#endif

/// Observation CSV written for the loader from a file in another format, remembering where each
/// row came from: its line (CSV formats) or its element of a JSON array. Every row is one line
/// (line breaks inside fields become spaces), so the loader's line N is the spool's row N - 1,
/// and `locate` turns the loader's errors back into the original file's positions.
///
/// Writes go through a buffer: one system call per 256 KiB, not per row.
public final class FigureSpool {
    public typealias Positions = FigureLocator.Positions

    public let path: String
    public let positions: Positions
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// The origin of each row after the header.
    private var origins: [Int32] = []

    /// Creates (or truncates) the spool at `path` and writes the header.
    public init(path: String, positions: Positions) throws {
        self.path = path
        self.positions = positions
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw InputError(file: path, line: 0, column: nil, message: "cannot write the converted figures: \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(1 << 18)
        buffer.append(contentsOf: ObservationColumn.allCases.map(\.rawValue).joined(separator: ",").utf8)
        buffer.append(0x0A)
    }

    deinit { close(descriptor) }

    /// One figure, a row of the observation CSV's eight columns (the qualifier empty), its dates
    /// written straight into the buffer (an import writes millions).
    func addFigure(metric: String, start: CivilDate?, end: CivilDate, value: String, source: String, published: CivilDate, note: String, origin: Int) throws {
        Self.append(metric, to: &buffer)
        buffer.append(UInt8(ascii: ","))
        if let start { appendDate(start) }
        buffer.append(UInt8(ascii: ","))
        appendDate(end)
        buffer.append(UInt8(ascii: ","))
        Self.append(value, to: &buffer)
        buffer.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: ",")])
        Self.append(source, to: &buffer)
        buffer.append(UInt8(ascii: ","))
        appendDate(published)
        buffer.append(UInt8(ascii: ","))
        Self.append(note, to: &buffer)
        buffer.append(0x0A)
        origins.append(Int32(clamping: origin))
        if buffer.count >= 1 << 18 { try flush() }
    }

    private func appendDate(_ date: CivilDate) {
        let at = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: 10))
        buffer.withUnsafeMutableBufferPointer { _ = date.write(to: $0, at: at) }
    }

    /// Writes what is buffered; call once the last row is added.
    public func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            guard written > 0 else { throw InputError(file: path, line: 0, column: nil, message: "cannot write the converted figures: \(String(cString: strerror(errno)))") }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Says where the spool's rows came from, for the loader's errors.
    public var locator: FigureLocator { FigureLocator(positions: positions, origins: origins) }

    /// RFC 4180 quoting where needed; a line break becomes a space, so a row stays one line.
    /// (The loader's input, never opened by a person: not defused as `CSVField` defuses output.)
    static func append(_ field: String, to bytes: inout [UInt8]) {
        let utf8 = field.utf8
        guard utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            bytes.append(contentsOf: utf8)
            return
        }
        bytes.append(0x22)
        for byte in utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x22, 0x22])
            case 0x0A, 0x0D: bytes.append(0x20)
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }
}

/// Where each row of a spool came from: the loader names the spool's line N, which is row N - 1.
public struct FigureLocator: Sendable {
    /// How a row's origin is said: the original file's line, or an element of a JSON array
    /// such as `observations[12]` (`prefix` "observations", origins from 0).
    public enum Positions: Sendable {
        case lines
        case elements(prefix: String)

        /// Where a row from `origin` is, in words: "line 12" or "observations[12]".
        public func describe(origin: Int) -> String {
            switch self {
            case .lines: "line \(origin)"
            case .elements(let prefix): "\(prefix)[\(origin)]"
            }
        }
    }

    public let positions: Positions
    let origins: [Int32]

    /// The error at the original file's position: `line` for CSV formats, `path` for JSON.
    public func locate(_ error: InputError) -> InputError {
        guard error.line >= 2, error.line - 2 < origins.count else { return error }
        let origin = Int(origins[error.line - 2])
        var located: InputError
        switch positions {
        case .lines:
            located = InputError(file: error.file, line: origin, column: error.column, message: error.message)
        case .elements:
            // No line: the path says where (a rejects file's line column is then 0).
            located = InputError(file: error.file, line: 0, column: error.column, message: error.message)
            located.path = positions.describe(origin: origin)
        }
        located.label = error.label
        located.others = error.others.map(locate)
        return located
    }
}
