import Foundation
import HeadwayModel

/// JSON-stat datasets (2.0, and a 1.0 bundle of one dataset), as Eurostat's statistics API and
/// many national offices publish them: dimensions with their categories, and `value` (an
/// array, or an object of the cells that have one) in row-major order over `id` and `size`
/// (json-stat.org/format). Errors name the cell as `value[N]`.
enum JSONStat {
    static func isDataset(_ root: JSONNode) -> Bool { dataset(in: root) != nil }

    /// Where a cell is in the document: `value`, or in a 1.0 bundle `NAME.value`.
    static func valuePath(in root: JSONNode) -> String {
        if root["dimension"] != nil { return "value" }
        return (root.members?.first?.key).map { "\($0).value" } ?? "value"
    }

    /// The dataset: the document itself (2.0), or the one dataset of a 1.0 bundle.
    static func dataset(in root: JSONNode) -> JSONNode? {
        if root["dimension"] != nil, root["value"] != nil { return root }
        guard root["class"] == nil, let members = root.members, members.count == 1 else { return nil }
        let only = members[0].value
        return only["dimension"] != nil && only["value"] != nil ? only : nil
    }

    static func read(_ root: JSONNode, into writer: FigureWriter) throws {
        let fileName = writer.fileName
        func refuse(_ message: String) -> InputError { InputError(file: fileName, line: 0, column: nil, message: "JSON-stat: \(message)") }
        if root["class"]?.text == "collection" { throw refuse("a collection; import one of its datasets") }
        guard let dataset = dataset(in: root), let dimension = dataset["dimension"] else { throw refuse("no dataset with dimension and value") }
        // 2.0 gives id and size at the top; 1.0 inside dimension.
        let ids = (dataset["id"] ?? dimension["id"])?.array?.compactMap(\.text) ?? []
        let sizes = (dataset["size"] ?? dimension["size"])?.array?.compactMap { $0.text.flatMap { Int($0) } } ?? []
        guard !ids.isEmpty, ids.count == sizes.count, sizes.allSatisfy({ (1...10_000_000).contains($0) }) else {
            throw refuse("id and size must list the same dimensions, each of 1 or more categories")
        }
        let cells = sizes.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard cells < Int(Int32.max) else { throw refuse("more than \(Int32.max) cells") }

        // Each dimension's category codes in index order, and their labels.
        var codes: [[String]] = []
        var labels: [[String]] = []
        for (id, size) in zip(ids, sizes) {
            guard let category = dimension[id]?["category"] else { throw refuse("dimension \(id) has no category") }
            var ordered = [String](repeating: "", count: size)
            if let list = category["index"]?.array {
                for (position, code) in list.enumerated() where position < size { ordered[position] = code.text ?? "" }
            } else if let map = category["index"]?.members {
                for (code, position) in map {
                    guard let index = position.text.flatMap({ Int($0) }), (0..<size).contains(index) else {
                        throw refuse("dimension \(id): category \(code) has no index below \(size)")
                    }
                    ordered[index] = code
                }
            } else if let map = category["label"]?.members, map.count == size {
                ordered = map.map(\.key)  // no index: a dimension of one category, its label's key
            } else {
                throw refuse("dimension \(id) has no category index")
            }
            codes.append(ordered)
            let named = Dictionary((category["label"]?.members ?? []).map { ($0.key, $0.value.text) }, uniquingKeysWith: { first, _ in first })
            labels.append(ordered.map { (named[$0] ?? nil) ?? $0 })
        }

        let roles = (dataset["role"] ?? dimension["role"])?["time"]?.array?.compactMap(\.text) ?? []
        let timeNames = ["time", "time_period", "tid", "year", "date", "period"]
        guard let time = ids.firstIndex(where: { roles.contains($0) }) ?? ids.firstIndex(where: { timeNames.contains($0.lowercased()) }) else {
            throw refuse("no time dimension (role.time, or a dimension called time)")
        }
        let seriesDimensions = ids.indices.filter { $0 != time }
        try writer.begin(dimensions: seriesDimensions.map { ids[$0] })
        let updated = dataset["updated"]?.text.flatMap(FigureWriter.publicationDate)
        try writer.requirePublishedOn(fileSays: updated != nil, "no updated")

        // The cells that have a value: every index of an array, the keys of an object.
        let value = dataset["value"]!
        let present: [(Int, JSONNode)]
        if let list = value.array {
            guard list.count == cells else { throw refuse("value has \(list.count) cells; the sizes make \(cells)") }
            present = list.enumerated().map { ($0, $1) }
        } else if let map = value.members {
            present = try map.map { key, node in
                guard let index = Int(key), (0..<cells).contains(index) else { throw refuse("value has a cell \(String(reflecting: key)) outside 0..<\(cells)") }
                return (index, node)
            }.sorted { $0.0 < $1.0 }
        } else {
            throw refuse("value is neither an array nor an object")
        }
        let statuses = dataset["status"]
        func status(at index: Int) -> String? {
            if let text = statuses?.text { return text }
            if let list = statuses?.array { return index < list.count ? list[index].text : nil }
            return statuses?[String(index)]?.text
        }

        for (index, node) in present {
            // Row-major: the last dimension varies fastest.
            var remainder = index
            var position = [Int](repeating: 0, count: ids.count)
            for dimension in ids.indices.reversed() {
                position[dimension] = remainder % sizes[dimension]
                remainder /= sizes[dimension]
            }
            let rowCodes = seriesDimensions.map { codes[$0][position[$0]] }
            guard writer.wants(codes: rowCodes, labels: seriesDimensions.map { labels[$0][position[$0]] }) else { continue }
            // The period is the time category's code, or else its label (the ONS codes its
            // years CI_0000001, labelled 2011).
            let timeCode = codes[time][position[time]]
            let period: DatePeriod
            do { period = try DatePeriod(parsing: timeCode) } catch {
                guard let labelled = try? DatePeriod(parsing: labels[time][position[time]]) else {
                    throw writer.error(origin: index, column: ids[time], "\(String(reflecting: timeCode)): \(error)")
                }
                period = labelled
            }
            let text: String
            switch node {
            case .null: text = ""
            case .number(let number), .string(let number): text = number
            default: throw writer.error(origin: index, column: nil, "a cell's value must be a number or null")
            }
            try writer.add(
                codes: rowCodes, period: period, value: text, note: status(at: index).map { "status=\($0)" } ?? "", publishedOn: updated,
                origin: index)
        }
    }
}
