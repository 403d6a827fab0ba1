import Foundation

/// A Swift value sent to PostgreSQL as a text-format parameter.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text input format; nil is SQL NULL.
    var postgresText: String? { get }
}

extension String: PostgresEncodable { public var postgresText: String? { self } }
extension Substring: PostgresEncodable { public var postgresText: String? { String(self) } }
extension Int: PostgresEncodable { public var postgresText: String? { String(self) } }
extension Int32: PostgresEncodable { public var postgresText: String? { String(self) } }
extension Int64: PostgresEncodable { public var postgresText: String? { String(self) } }
extension Double: PostgresEncodable { public var postgresText: String? { "\(self)" } }
extension Bool: PostgresEncodable { public var postgresText: String? { self ? "true" : "false" } }
extension Decimal: PostgresEncodable {
    public var postgresText: String? { NSDecimalNumber(decimal: self).description(withLocale: posixLocale) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self?.postgresText }
}

/// A PostgreSQL `text[]` parameter.
public struct PostgresTextArray: PostgresEncodable {
    public var elements: [String]
    public init(_ elements: [String]) { self.elements = elements }

    public var postgresText: String? {
        // On UTF-8 bytes: the migrator sends every migration's text this way on each command.
        var literal: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in elements.enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            literal.append(UInt8(ascii: "\""))
            for byte in element.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return String(decoding: literal, as: UTF8.self)
    }
}

/// Made once: creating a Locale per value is costly on the bulk paths.
private let posixLocale = Locale(identifier: "en_US_POSIX")
