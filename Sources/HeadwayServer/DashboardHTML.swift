import HeadwayReport

// Why typed Swift builders and not swift-mustache: an `HTML` value can only be made from markup
// written in this code or from text escaped by the report's own `HTMLReport.escape`, so an
// unescaped value does not compile, and the pages reuse the report's chart and formatting as
// plain function calls, with no template language or package to learn, load or keep in step.

/// A piece of HTML. A `String` interpolated into it is escaped; an `HTML` is spliced as it is.
///
/// ```swift
/// let cell: HTML = "<td>\(title)</td>"   // title "<b>" becomes "&lt;b&gt;"
/// ```
struct HTML: ExpressibleByStringInterpolation, Sendable {
    private(set) var text: String

    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    /// Markup made by HeadwayReport, which escapes every value itself (the chart, the status mark).
    init(escaped markup: String) { text = markup }

    static let empty: HTML = ""

    static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(escaped: lhs.text + rhs.text) }
    static func += (lhs: inout HTML, rhs: HTML) { lhs.text += rhs.text }

    struct Interpolation: StringInterpolationProtocol {
        var text = ""

        init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity + interpolationCount * 16) }

        mutating func appendLiteral(_ literal: String) { text += literal }
        mutating func appendInterpolation(_ value: String) { text += HTMLReport.escape(value) }
        mutating func appendInterpolation(_ value: some CustomStringConvertible) { text += HTMLReport.escape(value.description) }
        mutating func appendInterpolation(_ markup: HTML) { text += markup.text }
        mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { text += part.text } }
        mutating func appendInterpolation(_ markup: HTML?) { text += markup?.text ?? "" }
    }
}

extension Array where Element == HTML {
    func joined() -> HTML { HTML(escaped: map(\.text).joined()) }
}
