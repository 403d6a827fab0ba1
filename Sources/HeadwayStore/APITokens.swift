import Foundation
import HeadwayPostgres

/// Bearer tokens for `headway serve`, in `headway.api_tokens` (sql/005): each a name, a scope
/// and the SHA-256 of the token. The token itself is returned once, by `create`, and stored
/// nowhere; it never appears in a message.
public struct APITokens {
    /// What a token allows: `read` the API, or `write` (which includes reading).
    public enum Scope: String, Sendable, CaseIterable {
        case read, write
    }

    /// A token as `headway token list` shows it: never its hash.
    public struct Listed: Sendable, Equatable {
        public let name: String
        public let scope: Scope
        /// UTC times, `2026-11-30T08:14:23Z`.
        public let createdAt: String
        public let revokedAt: String?
        public let lastUsedAt: String?
    }

    /// A live token that was presented: whose it is and what it allows.
    public struct Holder: Sendable, Equatable {
        public let name: String
        public let scope: Scope
    }

    let connection: PostgresConnection

    init(connection: PostgresConnection) { self.connection = connection }

    static let prefix = "hw_"
    /// 32 random bytes in base64url without padding.
    static let encodedLength = 43

    /// Creates a token and returns it: `hw_` and 32 random bytes (from the system's
    /// cryptographically secure generator) in base64url. Only its SHA-256 is stored.
    /// - Throws: `HeadwayError` (input) for a name that is malformed or taken.
    public func create(name: String, scope: Scope) throws -> String {
        guard name.range(of: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", options: .regularExpression) != nil else {
            throw HeadwayError(
                "\(String(reflecting: name)) cannot name a token: use 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit",
                kind: .input)
        }
        var generator = SystemRandomNumberGenerator()
        let token = Self.prefix + Self.base64url((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        do {
            try connection.execute(
                """
                INSERT INTO headway.api_tokens (name, scope, token_sha256)
                VALUES (\(name), \(scope.rawValue), sha256(convert_to(\(token), 'UTF8')))
                """)
        } catch let error as PostgresError where error.sqlState == .uniqueViolation && error.constraint == "api_tokens_pkey" {
            throw HeadwayError("a token named \(name) exists already (revoked ones too): choose another name", kind: .input)
        }
        return token
    }

    /// Every token, revoked ones included, by name.
    public func list() throws -> [Listed] {
        try connection.query(
            """
            SELECT name, scope, \(unsafeSQL: Self.utc("created_at")), \(unsafeSQL: Self.utc("revoked_at")), \(unsafeSQL: Self.utc("last_used_at"))
            FROM headway.api_tokens ORDER BY name
            """
        ).map { row in
            guard let scope = Scope(rawValue: try row.decode(String.self, at: 1)) else { throw HeadwayError("token scope unknown to this build") }
            return Listed(
                name: try row.decode(at: 0), scope: scope, createdAt: try row.decode(at: 2), revokedAt: try row.decode(String?.self, at: 3),
                lastUsedAt: try row.decode(String?.self, at: 4))
        }
    }

    /// Revokes the token named `name`; returns false when it was revoked already.
    /// - Throws: `HeadwayError` (input) when there is no such token.
    @discardableResult
    public func revoke(name: String) throws -> Bool {
        let rows = try connection.query(
            """
            UPDATE headway.api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE name = \(name)
            RETURNING revoked_at = now() AS revoked_now
            """)
        guard let row = rows.first else { throw HeadwayError("no token named \(String(reflecting: name))", kind: .input) }
        return try row.decode(Bool.self, at: 0)
    }

    /// Who holds `presented`, when it is a live (not revoked) token; nil otherwise. Every stored
    /// hash is compared in full, in constant time, so the time taken says nothing about how
    /// close a guess came. Reads only: `noteUse` records the use.
    public func holder(of presented: String) throws -> Holder? {
        // A string that cannot be a token is refused without asking the database.
        guard presented.hasPrefix(Self.prefix), presented.utf8.count == Self.prefix.utf8.count + Self.encodedLength,
            presented.utf8.dropFirst(Self.prefix.utf8.count).allSatisfy(Self.isBase64url)
        else { return nil }
        let rows = try connection.query(
            """
            SELECT encode(p.hash, 'hex'), t.name, t.scope, encode(t.token_sha256, 'hex')
            FROM (SELECT sha256(convert_to(\(presented), 'UTF8')) AS hash) p
            LEFT JOIN headway.api_tokens t ON t.revoked_at IS NULL
            """)
        var holder: Holder?
        for row in rows {
            guard let name = try row.decode(String?.self, at: 1), let stored = try row.decode(String?.self, at: 3) else { continue }
            if Self.constantTimeEqual(Array(try row.decode(String.self, at: 0).utf8), Array(stored.utf8)),
                let scope = Scope(rawValue: try row.decode(String.self, at: 2))
            {
                holder = Holder(name: name, scope: scope)
            }
        }
        return holder
    }

    /// Notes that the token `name` was used now, at most once a minute (on the primary: a
    /// standby that answered the token check cannot write).
    public func noteUse(of name: String) throws {
        try connection.execute(
            """
            UPDATE headway.api_tokens SET last_used_at = now()
            WHERE name = \(name) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
            """)
    }

    /// Whether `a` and `b` are equal, looking at every byte whatever the first difference.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }

    private static func isBase64url(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    /// RFC 4648 section 5, without padding.
    static func base64url(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for position in 0...chunk.count { out.append(alphabet[(value >> (18 - 6 * position)) & 63]) }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `column` (a timestamptz) as UTC text, `2026-11-30T08:14:23Z`.
    static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    }
}

extension Workspace {
    /// The API tokens of this database.
    public var tokens: APITokens { APITokens(connection: connection) }
}
