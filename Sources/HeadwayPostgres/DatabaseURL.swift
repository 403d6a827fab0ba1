/// Helpers that keep passwords out of anything printed.
public enum DatabaseURL {
    /// The URL or conninfo string with any password replaced by `***`.
    ///
    /// Handles `postgresql://user:secret@host/db`, `?password=secret` and `password=secret`
    /// (keyword/value conninfo, quoted or not).
    public static func redacted(_ url: String) -> String { redactingSecrets(in: url) }

    /// Masks anything in free text that looks like a password in a connection string.
    public static func redactingSecrets(in text: String) -> String {
        var result = ""
        var rest = Substring(text)
        // user:secret@ inside scheme://...
        while let scheme = rest.range(of: "://") {
            result += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == " " || $0 == "\n" }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                result += authority[...colon] + "***" + authority[at...]
                rest = rest[authorityEnd...]
            }
        }
        result += rest
        return maskKeyword("password", in: result)
    }

    private static func maskKeyword(_ keyword: String, in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let found = rest.range(of: keyword + "=", options: .caseInsensitive) {
            output += rest[..<found.upperBound]
            rest = rest[found.upperBound...]
            if rest.first == "'" {
                // A quoted conninfo value runs to the next unescaped quote.
                var index = rest.index(after: rest.startIndex)
                while index < rest.endIndex, rest[index] != "'" {
                    if rest[index] == "\\" { index = rest.index(after: index) }
                    if index < rest.endIndex { index = rest.index(after: index) }
                }
                rest = index < rest.endIndex ? rest[rest.index(after: index)...] : rest[rest.endIndex...]
            } else {
                let end = rest.firstIndex(where: { $0 == "&" || $0 == " " || $0 == "\n" || $0 == "\t" }) ?? rest.endIndex
                rest = rest[end...]
            }
            output += "***"
        }
        return output + rest
    }
}
