import HeadwayCSV

extension JSONRowWriter {
    /// Appends the row as one CSV record (no line end) of the values `write(into:value:)` puts in
    /// its JSON object, in the same order, under Headway's one CSV policy (`CSVField`): strings,
    /// dates and timestamps as text (a leading =, +, -, @, tab or carriage return defused), finite
    /// numbers and booleans as they are, arrays and json as their JSON text, null as an empty field.
    func writeCSV(into bytes: inout [UInt8], value: (Int) -> UnsafeBufferPointer<UInt8>?) {
        for (index, kind) in kinds.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            guard let text = value(index) else { continue }
            switch kind {
            case .boolean:
                bytes.append(contentsOf: text.first == UInt8(ascii: "t") ? Self.true : Self.false)
            case .number where Self.isJSONNumber(text):
                CSVField.number(String(decoding: text, as: UTF8.self)).write(to: &bytes)
            case .number, .string, .date:
                CSVField.appendText(text, to: &bytes)
            case .timestamp:
                CSVField.appendText(Self.isoTimestamp(Array(text)), to: &bytes)
            case .json, .array:
                var json: [UInt8] = []
                Self.append(text, as: kind, to: &json)
                CSVField.inferred(String(decoding: json, as: UTF8.self)).write(to: &bytes)
            }
        }
    }
}
