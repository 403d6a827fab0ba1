import CLibPQ
import Foundation

/// Connection strings as libpq reads them, and shown without their password.
///
/// libpq accepts many spellings of a password (`password=s3cret`, `password = 's3 cret'`,
/// `postgresql://u:s3cret@h/db`, `?password=s3cret`, percent-encoded or not), so a connection
/// string is never masked by pattern: it is parsed by libpq itself (`PQconninfoParse`) and
/// written again from the options it found, the password replaced by `***`.
/// See https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING
public enum DatabaseURL {
    /// One option of a connection string, in libpq's order of options.
    public struct Option: Equatable, Sendable {
        public var keyword: String
        public var value: String
    }

    /// A connection string libpq cannot read, with libpq's reason (masked: it may quote the string).
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let reason: String
        public var description: String { "not a connection string libpq reads: \(reason)" }
    }

    /// The options `url` sets, as libpq parses it.
    public static func options(_ url: String) throws -> [Option] {
        // As PQconnectdbParams expands it: without `=` or a URI prefix, the string is a database name.
        if !url.contains("="), !url.hasPrefix("postgresql://"), !url.hasPrefix("postgres://") {
            return url.isEmpty ? [] : [Option(keyword: "dbname", value: url)]
        }
        var message: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(url, &message) else {
            defer { if let message { PQfreemem(message) } }
            let reason = message.map { String(cString: $0) } ?? "out of memory"
            throw ParseError(reason: maskingQuotedTokens(in: reason.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        defer { PQconninfoFree(parsed) }
        var options: [Option] = []
        var option = parsed
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { options.append(Option(keyword: String(cString: keyword), value: String(cString: value))) }
            option += 1
        }
        return options
    }

    /// The password `url` gives, if any.
    public static func password(_ url: String) -> String? {
        (try? options(url))?.first { $0.keyword == "password" }?.value
    }

    /// The URL or conninfo string with its password replaced by `***`, written again from what
    /// libpq parsed: a URL stays a URL, keyword/value stays keyword/value. A string libpq cannot
    /// read is not shown at all.
    public static func redacted(_ url: String) -> String {
        guard let options = try? options(url) else { return "(a connection string libpq cannot read)" }
        let masked = options.map { $0.keyword == "password" ? Option(keyword: "password", value: "***") : $0 }
        for scheme in ["postgresql://", "postgres://"] where url.hasPrefix(scheme) {
            return uri(scheme: scheme, masked)
        }
        return masked.map { "\($0.keyword)=\(quoted($0.value))" }.joined(separator: " ")
    }

    /// `text` with every spelling of `secrets` masked (as given, percent-encoded, quoted for
    /// conninfo), and anything that looks like a password in a connection string masked too:
    /// for free text, such as an error message, where no parser can find the options.
    public static func redactingSecrets(in text: String, secrets: [String] = []) -> String {
        var result = text
        for secret in secrets where !secret.isEmpty {
            let spellings = [
                secret, secret.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed),
                secret.addingPercentEncoding(withAllowedCharacters: .alphanumerics),
                secret.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"),
            ]
            for spelling in Set(spellings.compactMap { $0 }) where !spelling.isEmpty {
                result = result.replacingOccurrences(of: spelling, with: "***")
            }
        }
        return maskingPatterns(in: result)
    }

    /// The `user:secret@` of URLs and `password=secret` (spaces around `=` allowed) in free text.
    private static func maskingPatterns(in text: String) -> String {
        var result = ""
        var rest = Substring(text)
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
        while let found = rest.range(of: keyword, options: .caseInsensitive) {
            output += rest[..<found.upperBound]
            rest = rest[found.upperBound...]
            let afterSpaces = rest.drop(while: { $0 == " " || $0 == "\t" })
            guard afterSpaces.first == "=" else { continue }
            output += rest[..<afterSpaces.startIndex] + "="
            rest = afterSpaces.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
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

    /// libpq's parse errors quote the token they stopped at, which may be a password: each
    /// quoted token but `"="` becomes `"…"`.
    private static func maskingQuotedTokens(in message: String) -> String {
        let parts = message.split(separator: "\"", omittingEmptySubsequences: false)
        return parts.enumerated().map { index, part in index % 2 == 1 && part != "=" ? "…" : String(part) }.joined(separator: "\"")
    }

    /// A conninfo value, quoted when it must be.
    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" || $0 == "\t" || $0 == "\n" }) else {
            return value
        }
        return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// A URI from parsed options: user, password, a single host and port in the authority, the
    /// database as the path, everything else (socket directories, several hosts) as parameters.
    private static func uri(scheme: String, _ options: [Option]) -> String {
        func encoded(_ text: String, _ allowed: CharacterSet) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        var remaining = options
        func take(_ keyword: String) -> String? {
            guard let index = remaining.firstIndex(where: { $0.keyword == keyword }) else { return nil }
            return remaining.remove(at: index).value
        }
        let user = take("user"), password = take("password"), database = take("dbname")
        var authority = ""
        if user != nil || password != nil {
            authority = encoded(user ?? "", .urlUserAllowed) + (password.map { ":" + $0 } ?? "") + "@"
        }
        if let host = remaining.first(where: { $0.keyword == "host" })?.value, !host.isEmpty, !host.hasPrefix("/"), !host.contains(",") {
            _ = take("host")
            authority += host.contains(":") ? "[\(host)]" : encoded(host, .urlHostAllowed)
            if let port = remaining.first(where: { $0.keyword == "port" })?.value, !port.contains(",") {
                _ = take("port")
                authority += ":" + port
            }
        }
        var queryAllowed = CharacterSet.urlQueryAllowed
        queryAllowed.remove(charactersIn: "&=+#")
        let query = remaining.map { "\($0.keyword)=\(encoded($0.value, queryAllowed))" }.joined(separator: "&")
        return scheme + authority + "/" + encoded(database ?? "", .urlPathAllowed) + (query.isEmpty ? "" : "?" + query)
    }
}
