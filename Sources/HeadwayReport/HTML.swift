// Why typed Swift builders and not swift-mustache: an `HTML` value can only be made from markup
// written in this code or from text escaped by `HTMLReport.escape`, so an unescaped value does
// not compile, and the report and the dashboard share the chart and formatting as plain function
// calls, with no template language or package to learn, load or keep in step.

/// A piece of HTML. A `String` interpolated into it is escaped; an `HTML` is spliced as it is.
///
/// ```swift
/// let cell: HTML = "<td>\(title)</td>"   // title "<b>" becomes "&lt;b&gt;"
/// ```
public struct HTML: ExpressibleByStringInterpolation, Sendable {
    public private(set) var text: String

    public init(stringLiteral value: String) { text = value }
    public init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    /// Markup made and escaped elsewhere (bytes written by a renderer that escapes them itself).
    public init(escaped markup: String) { text = markup }

    public static let empty: HTML = ""

    public static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(escaped: lhs.text + rhs.text) }
    public static func += (lhs: inout HTML, rhs: HTML) { lhs.text += rhs.text }

    public struct Interpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + interpolationCount * 16) }

        public mutating func appendLiteral(_ literal: String) { text += literal }
        public mutating func appendInterpolation(_ value: String) { text += HTMLReport.escape(value) }
        public mutating func appendInterpolation(_ value: some CustomStringConvertible) { text += HTMLReport.escape(value.description) }
        public mutating func appendInterpolation(_ markup: HTML) { text += markup.text }
        public mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { text += part.text } }
        public mutating func appendInterpolation(_ markup: HTML?) { text += markup?.text ?? "" }
    }
}

extension Array where Element == HTML {
    public func joined() -> HTML { HTML(escaped: map(\.text).joined()) }
}
