import Foundation
import HeadwayModel
import Yams

/// Reads YAML (or JSON) definition files as DESIGN.md ("Files") describes them.
///
/// Strict: unknown fields, missing required fields, malformed dates and numbers, and keys defined
/// twice are errors naming the file, line and field.
public enum DefinitionsReader {
    public static func read(path: String) throws -> Definitions {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            // Keep the system's reason (no such file, a directory, permission denied).
            var reason = error.localizedDescription
            if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
                reason = String(cString: strerror(Int32(underlying.code)))
            } else {
                let probe = open(path, O_RDONLY | O_CLOEXEC)
                if probe < 0 { reason = String(cString: strerror(errno)) } else { close(probe) }
            }
            throw InputError(file: path, line: 0, column: nil, message: "cannot read the file: \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: 0, column: nil, message: "is not valid UTF-8")
        }
        return try read(text: text, fileName: path)
    }

    static func isJSON(_ text: String, fileName: String) -> Bool {
        fileName.lowercased().hasSuffix(".json") || text.first(where: { !$0.isWhitespace }).map { $0 == "{" || $0 == "[" } == true
    }

    /// JSON is read as YAML (its superset), but JSON allows raw characters that YAML refuses
    /// (DEL, C1 controls) or reads as line breaks (NEL, U+2028, U+2029). Inside JSON strings
    /// those become `\uXXXX` escapes, which mean the same in both; outside strings JSON has no
    /// place for them. Lines stay where they were, so errors still name the right line.
    static func escapingForYAML(json text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x7F...0x9F, 0x2028, 0x2029, 0xFFFE, 0xFFFF:
                let hex = String(scalar.value, radix: 16)
                result.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            default:
                result.append(scalar)
            }
        }
        return String(result)
    }

    public static func read(text: String, fileName: String) throws -> Definitions {
        let root: Node?
        do {
            root = try Yams.compose(yaml: Self.isJSON(text, fileName: fileName) ? Self.escapingForYAML(json: text) : text)
        } catch let error as YamlError {
            throw describe(error, fileName: fileName, text: text)
        }
        guard let root else { return Definitions() }
        var reader = NodeReader(file: fileName)
        return try reader.definitions(root)
    }

    /// The YAML library's message, with what to do for the mistakes people make most: a tab
    /// for indentation, and a field without its colon (which YAML notices only a line later).
    private static func describe(_ error: YamlError, fileName: String, text: String) -> InputError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
            if problem.contains("cannot start any token") || problem.contains("tab character"), text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(mark.line - 1).first?
                .prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") == true
            {
                return InputError(file: fileName, line: mark.line, column: nil, message: "YAML indents with spaces, not tabs: replace the tab")
            }
            if problem.contains("mapping values are not allowed") || problem.contains("expected ':'"),
                let previous = lines[..<max(0, min(mark.line - 1, lines.count))].lastIndex(where: { !$0.isEmpty }),
                !lines[previous].contains(":"), !lines[previous].hasPrefix("#")
            {
                return InputError(
                    file: fileName, line: previous + 1, column: nil,
                    message: "no ':' after the field name (write `name: value`)")
            }
            return InputError(file: fileName, line: mark.line, column: nil, message: "not valid YAML: \(problem)")
        default:
            return InputError(file: fileName, line: 1, column: nil, message: "not valid YAML: \(error)")
        }
    }
}

/// Walks the YAML node tree, checking every field.
private struct NodeReader {
    let file: String

    func line(_ node: Node) -> Int { node.mark?.line ?? 1 }

    func fail(_ node: Node, _ field: String?, _ message: String) -> InputError {
        var error = InputError(file: file, line: line(node), column: field, message: message)
        error.label = "field"
        return error
    }

    /// A mapping's fields by name; unknown or repeated names are errors.
    func fields(_ node: Node, allowed: [String], what: String) throws -> [String: Node] {
        guard let mapping = node.mapping else { throw fail(node, nil, "\(what) must be a mapping of field: value") }
        var result: [String: Node] = [:]
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string else { throw fail(keyNode, nil, "a field name must be text") }
            guard allowed.contains(name) else {
                if !name.isEmpty, name.allSatisfy(\.isNumber) {
                    // `{ value: 30,000 }`: in braces a comma separates fields, so 000 became one.
                    throw fail(
                        keyNode, name,
                        "looks like the rest of a number written with a thousands separator: write numbers without separators (30000), or quote text that has commas")
                }
                throw fail(keyNode, name, "unknown field in \(what) (expected some of: \(allowed.joined(separator: ", ")))")
            }
            guard result[name] == nil else { throw fail(keyNode, name, "appears twice in \(what)") }
            if !isNull(value) { result[name] = value }
        }
        return result
    }

    func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func text(_ node: Node, _ field: String) throws -> String {
        guard let scalar = node.scalar else { throw fail(node, field, "must be text, not a list or mapping") }
        return scalar.string
    }

    func required(_ fields: [String: Node], _ field: String, in node: Node, what: String) throws -> Node {
        guard let value = fields[field] else { throw fail(node, field, "is required in \(what)") }
        return value
    }

    func requiredText(_ fields: [String: Node], _ field: String, in node: Node, what: String) throws -> String {
        let value = try text(try required(fields, field, in: node, what: what), field)
        guard !value.trimmingSpaces.isEmpty else { throw fail(fields[field]!, field, "must not be empty") }
        return value
    }

    /// A key (of a definition, or naming one): what the database's `headway.key` accepts, and
    /// short enough to index.
    func requiredKey(_ fields: [String: Node], _ field: String, in node: Node, what: String) throws -> String {
        try checkedKey(try requiredText(fields, field, in: node, what: what), fields[field]!, field)
    }

    func optionalKey(_ fields: [String: Node], _ field: String) throws -> String? {
        try fields[field].map { try checkedKey(try text($0, field), $0, field) }
    }

    private func checkedKey(_ key: String, _ node: Node, _ field: String) throws -> String {
        if key.trimmingSpaces != key { throw fail(node, field, "a key must not start or end with spaces") }
        if key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw fail(node, field, "a key must not contain control characters")
        }
        if key.count > Self.maximumKeyLength { throw fail(node, field, "a key is at most \(Self.maximumKeyLength) characters") }
        return key
    }

    static let maximumKeyLength = 200

    func optionalText(_ fields: [String: Node], _ field: String) throws -> String? {
        try fields[field].map { try text($0, field) }
    }

    func period(_ node: Node, _ field: String) throws -> DatePeriod {
        do {
            return try DatePeriod(parsing: try text(node, field))
        } catch let error as DateParseError {
            throw fail(node, field, error.description)
        }
    }

    func decimal(_ node: Node, _ field: String) throws -> Decimal {
        let raw = try text(node, field)
        let number: DecimalNumber
        do {
            number = try DecimalNumber(parsing: raw.trimmingSpaces)
        } catch {
            throw fail(node, field, error.description)
        }
        guard let value = number.decimal else {
            throw fail(node, field, "\(String(reflecting: raw)) cannot be computed with exactly (Headway keeps 38 significant digits and exponents from -128 to 127)")
        }
        return value
    }

    func lines(_ fields: [String: Node]) -> [String: Int] { fields.mapValues(line) }

    func list(_ node: Node, _ field: String) throws -> [Node] {
        guard let sequence = node.sequence else { throw fail(node, field, "must be a list") }
        return Array(sequence)
    }

    mutating func definitions(_ root: Node) throws -> Definitions {
        let top = try fields(root, allowed: ["sources", "metrics", "commitments"], what: "a definitions file")
        var definitions = Definitions()
        for node in try top["sources"].map({ try list($0, "sources") }) ?? [] {
            definitions.sources = try Definitions.merged(definitions.sources, [try source(node)], \.key, "source")
        }
        for node in try top["metrics"].map({ try list($0, "metrics") }) ?? [] {
            definitions.metrics = try Definitions.merged(definitions.metrics, [try metric(node)], \.key, "metric")
        }
        for node in try top["commitments"].map({ try list($0, "commitments") }) ?? [] {
            definitions.commitments = try Definitions.merged(definitions.commitments, [try commitment(node)], \.key, "commitment")
        }
        return definitions
    }

    func source(_ node: Node) throws -> Located<Source> {
        let what = "a source"
        let fields = try fields(node, allowed: ["key", "title", "publisher", "url", "published_on"], what: what)
        let source = Source(
            key: try requiredKey(fields, "key", in: node, what: what),
            title: try requiredText(fields, "title", in: node, what: what),
            publisher: try optionalText(fields, "publisher"), url: try optionalText(fields, "url"),
            publishedOn: try fields["published_on"].map { try period($0, "published_on").last })
        return Located(value: source, file: file, line: line(node), fieldLines: lines(fields))
    }

    func metric(_ node: Node) throws -> Located<Metric> {
        let what = "a metric"
        let fields = try fields(node, allowed: ["key", "name", "unit", "kind", "min", "max"], what: what)
        let kindText = try requiredText(fields, "kind", in: node, what: what)
        guard let kind = Metric.Kind(rawValue: kindText) else {
            throw fail(fields["kind"]!, "kind", "\(String(reflecting: kindText)) is not additive or level")
        }
        let minimum = try fields["min"].map { try decimal($0, "min") }
        let maximum = try fields["max"].map { try decimal($0, "max") }
        if let minimum, let maximum, minimum > maximum {
            throw fail(fields["max"]!, "max", "\(DecimalText.format(maximum)) is below min \(DecimalText.format(minimum))")
        }
        let metric = Metric(
            key: try requiredKey(fields, "key", in: node, what: what), name: try requiredText(fields, "name", in: node, what: what),
            unit: try requiredText(fields, "unit", in: node, what: what), kind: kind, minimum: minimum, maximum: maximum)
        return Located(value: metric, file: file, line: line(node), fieldLines: lines(fields))
    }

    func commitment(_ node: Node) throws -> Located<Commitment> {
        let what = "a commitment"
        let fields = try fields(
            node,
            allowed: [
                "key", "title", "metric", "made_by", "made_on", "source", "baseline", "target", "comparison", "deadline",
                "milestones", "extends", "tags",
            ], what: what)
        var fieldLines = lines(fields)

        let baselineNode = try required(fields, "baseline", in: node, what: what)
        let baseline: Commitment.Baseline
        if baselineNode.scalar != nil {
            baseline = Commitment.Baseline(date: try period(baselineNode, "baseline").first)
        } else {
            let parts = try self.fields(baselineNode, allowed: ["date", "value"], what: "a baseline")
            baseline = Commitment.Baseline(
                date: try period(try required(parts, "date", in: baselineNode, what: "a baseline"), "baseline.date").first,
                value: try parts["value"].map { try decimal($0, "baseline.value") })
        }

        let targetNode = try required(fields, "target", in: node, what: what)
        var target: Commitment.Target
        var comparison: Commitment.Comparison?
        var over: (value: Commitment.Over, node: Node)?
        if targetNode.scalar != nil {
            target = try parseTarget(targetNode, "target")
        } else {
            let parts = try self.fields(targetNode, allowed: ["value", "change", "comparison", "over"], what: "a target")
            switch (parts["value"], parts["change"]) {
            case (let value?, nil):
                target = .value(try decimal(value, "target.value"))
            case (nil, let change?):
                target = try parseTarget(change, "target.change")
                if case .value(let amount) = target { target = .change(amount) }  // "change: 500" is a change
            case (nil, nil):
                throw fail(targetNode, "target", "needs a value (2000) or a change (+20000, -10%)")
            default:
                throw fail(targetNode, "target", "has both a value and a change; give one")
            }
            comparison = try parts["comparison"].map { try parseComparison($0, "target.comparison") }
            fieldLines["target.comparison"] = parts["comparison"].map(line)
            if let node = parts["over"] {
                let raw = try text(node, "target.over")
                guard let value = Commitment.Over(rawValue: raw) else {
                    throw fail(node, "target.over", "\(String(reflecting: raw)) is not period, year, quarter or month")
                }
                over = (value, node)
                fieldLines["target.over"] = line(node)
            }
        }
        if let top = fields["comparison"] {
            guard comparison == nil else { throw fail(top, "comparison", "is given twice (here and in target)") }
            comparison = try parseComparison(top, "comparison")
        }

        let deadlineNode = try required(fields, "deadline", in: node, what: what)
        let deadline = try period(deadlineNode, "deadline")
        guard deadline.last > baseline.date else {
            throw fail(deadlineNode, "deadline", "\(deadline.last) is not after the baseline date \(baseline.date)")
        }
        // The window ending on the deadline must start on or after the baseline: a total over a
        // year cannot be asked of a commitment that runs for less than a year.
        if let over, let start = over.value.windowStart(endingOn: deadline.last), start < baseline.date {
            throw fail(
                over.node, "target.over",
                "a \(over.value.rawValue) is longer than the commitment's span (\(baseline.date) to \(deadline.last)): its window ending on the deadline would start on \(start)"
            )
        }

        var milestones: [Commitment.Milestone] = []
        for item in try fields["milestones"].map({ try list($0, "milestones") }) ?? [] {
            let parts = try self.fields(item, allowed: ["date", "value"], what: "a milestone")
            let date = try period(try required(parts, "date", in: item, what: "a milestone"), "milestones.date").last
            let value = try decimal(try required(parts, "value", in: item, what: "a milestone"), "milestones.value")
            if let previous = milestones.last, previous.date >= date {
                throw fail(item, "milestones", "milestone dates must increase (\(date) is not after \(previous.date))")
            }
            guard date > baseline.date, date <= deadline.last else {
                throw fail(item, "milestones", "milestone \(date) is not between the baseline and the deadline")
            }
            milestones.append(Commitment.Milestone(date: date, value: value))
        }

        var tags: [String] = []
        if let tagsNode = fields["tags"] {
            tags = try list(tagsNode, "tags").map { item in
                let tag = try text(item, "tags")
                // A tag is a label in a list, a chart legend, a status_counts row: one line, no controls.
                if tag.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    throw fail(item, "tags", "a tag must not contain control characters")
                }
                return tag
            }
        }

        let commitment = Commitment(
            key: try requiredKey(fields, "key", in: node, what: what), title: try requiredText(fields, "title", in: node, what: what),
            metric: try requiredKey(fields, "metric", in: node, what: what), madeBy: try optionalText(fields, "made_by"),
            madeOn: try fields["made_on"].map { try period($0, "made_on").first }, source: try optionalKey(fields, "source"),
            baseline: baseline, target: target, comparison: comparison, over: over?.value, deadline: deadline, milestones: milestones,
            extends: try optionalKey(fields, "extends"), tags: tags)
        return Located(value: commitment, file: file, line: line(node), fieldLines: fieldLines)
    }

    func parseTarget(_ node: Node, _ field: String) throws -> Commitment.Target {
        do {
            return try Commitment.Target(parsing: try text(node, field))
        } catch let error as TargetParseError {
            throw fail(node, field, error.description)
        }
    }

    func parseComparison(_ node: Node, _ field: String) throws -> Commitment.Comparison {
        let raw = try text(node, field)
        guard let comparison = Commitment.Comparison(rawValue: raw) else {
            throw fail(node, field, "\(String(reflecting: raw)) is not at_least or at_most")
        }
        return comparison
    }
}
