import Foundation

/// Hostile text for every text field, and definitions and figures that carry it: the command
/// line's hostile-text suite and the dashboard's use the same (docs/RELIABILITY.md).
public enum HostileText {
    /// Valid as keys too: no control characters, no surrounding spaces, at most 200 characters.
    public static let keyValues = [
        "'; DROP TABLE headway.observations; --", "Robert\"); DELETE FROM headway.commitments;--",
        #"back\slash \\ \n \t \0 \'"#, "\u{202E}evil\u{202C} שלום مرحبا", "e\u{301}\u{301} Z\u{335}\u{321}a\u{334}l\u{338}g\u{337}o",
        "🏴‍☠️👩🏽‍💻🇬🇧", "<script>alert(1)</script><img src=x onerror=alert(2)>", "=HYPERLINK(\"http://evil.example\",\"x\")",
        "| pipe | *star* _under_ [link](javascript:alert(1))", "$1 $$ %s %n {0} \\(x) ${HOME} `id`",
    ]
    /// Only for free text: terminal escapes, line breaks, a 100 kB string.
    public static let textValues =
        keyValues + [
            "\u{1B}[31mred\u{1B}[0m\u{07}\u{9B}2J\u{1B}]0;title\u{07}", "line one\nline two\r\nline three",
            String(repeating: "Ab<>&\"'\\ ü🙂 ", count: 7_000),
        ]

    public static func key(_ index: Int) -> String { "k\(index) " + keyValues[index % keyValues.count] }
    public static func text(_ index: Int) -> String { textValues[index] }

    /// Definitions as JSON (which `headway apply` accepts), so every value is escaped exactly.
    public static func definitions() throws -> Data {
        let indices = Array(textValues.indices)
        let object: [String: Any] = [
            "sources": indices.map { ["key": key($0), "title": text($0), "publisher": text($0), "url": text($0)] },
            "metrics": indices.map { ["key": key($0), "name": text($0), "unit": text($0), "kind": "additive"] },
            "commitments": indices.map {
                [
                    "key": key($0), "title": text($0), "metric": key($0), "source": key($0), "made_by": text($0),
                    "baseline": ["date": "2024-01"], "target": ["value": "50"], "deadline": "2024-12", "tags": [key($0)],
                ] as [String: Any]
            },
        ]
        return try JSONSerialization.data(withJSONObject: object)
    }

    /// RFC 4180: every field quoted, quotes doubled.
    public static func figures() -> Data {
        func quoted(_ field: String) -> String { "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var text = "metric,period_start,period_end,value,qualifier,source,published_on,note\r\n"
        for index in textValues.indices {
            text += [key(index), "2024-01", "2024-06", "60", "exact", key(index), "2024-07-01", self.text(index)].map(quoted).joined(separator: ",") + "\r\n"
        }
        return Data(text.utf8)
    }

    /// The terminal controls and bidirectional overrides in `output`, in hexadecimal: none may
    /// get through to a page or a terminal.
    public static func controls(in output: String) -> [String] {
        output.unicodeScalars.filter {
            $0.value == 0x1B || $0.value == 0x07 || (0x80...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value)
        }.map { String($0.value, radix: 16) }
    }
}
