import Foundation
import HeadwayStore
import Hummingbird

/// Who may do what: writes need a write token, reads a read or write token when the server
/// requires one (`--require-read-token`). Tokens arrive as `Authorization: Bearer TOKEN` and
/// are checked against their stored hashes; a token never reaches a log or an answer.
struct Access: Sendable {
    /// Token checks for reads go where reads go; a write's on the primary, which it needs anyway.
    let reads: Reads
    let writes: DatabasePool
    let requireReadToken: Bool
    /// When each token's use was last noted: at most once a minute each, so reads do not queue
    /// writes of it behind the writes that matter.
    let notes = TokenUseNotes()

    /// Refuses the request unless its token grants `scope`: 401 without a live token, 403 with
    /// a read token where a write token is needed.
    func require(_ scope: APITokens.Scope, _ request: Request) async throws {
        guard let presented = Self.bearerToken(request.headers[.authorization]) else {
            throw Problem(
                status: .unauthorized, detail: "this needs a \(scope.rawValue) token: Authorization: Bearer TOKEN (headway token create)",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        let found: APITokens.Holder?
        if scope == .write {
            found = try await writes.withWorkspace { try $0.tokens.holder(of: presented) }
        } else {
            found = try await reads.withSnapshot { try $0.tokens.holder(of: presented) }
        }
        guard let holder = found else {
            throw Problem(
                status: .unauthorized, detail: "the token is not a live token of this server (unknown or revoked)",
                headers: [.wwwAuthenticate: #"Bearer error="invalid_token""#])
        }
        if scope == .write && holder.scope != .write {
            throw Problem(
                status: .forbidden, detail: "token \(holder.name) may only read; writing needs a write token",
                headers: [.wwwAuthenticate: #"Bearer error="insufficient_scope", scope="write""#])
        }
        // The last use is noted on the primary, best effort: it never holds up or fails a read.
        if notes.due(holder.name), writes.hasIdleThread {
            let writes = writes
            Task.detached { try? await writes.withWorkspace { try $0.tokens.noteUse(of: holder.name) } }
        }
    }

    /// The token of an `Authorization: Bearer TOKEN` header (the scheme in any case, RFC 9110).
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// When each token's use was last noted (`Access`).
final class TokenUseNotes: @unchecked Sendable {
    private let lock = NSLock()
    private var noted: [String: Date] = [:]

    /// Whether the use of `name` is to be noted now (and from now, not for a minute).
    func due(_ name: String) -> Bool {
        lock.withLock {
            let now = Date()
            if let last = noted[name], now.timeIntervalSince(last) < 60 { return false }
            if noted.count > 10_000 { noted.removeAll() }
            noted[name] = now
            return true
        }
    }
}
