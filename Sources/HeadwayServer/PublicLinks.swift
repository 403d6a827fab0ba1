import Hummingbird

/// Absolute links to this server, as feeds, embeds and shared pages need them: from
/// `--public-url` when given, else from the request's Host (over http: behind a proxy that
/// ends TLS, give `--public-url`). A Host that is not a host name, with an optional port, is
/// refused, so no text from a request other than a host reaches a link.
struct PublicLinks: Sendable {
    /// `HeadwayServer.publicURL`: such as https://pledges.example.org, without a trailing slash.
    let publicURL: String?

    /// The scheme, host and port (and any path of `--public-url`) before a path such as "/feeds/…".
    func base(_ request: Request) throws -> String {
        if let publicURL { return publicURL }
        guard let host = request.head.authority, Self.isHost(host) else {
            throw Problem.badRequest("the Host header must name this server (a host name or address, and a port), or start it with --public-url")
        }
        return "http://\(host)"
    }

    /// A host name, IPv4 address or bracketed IPv6 address, then an optional port.
    static func isHost(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 255 && text.utf8.allSatisfy { allowed.contains($0) }
    }

    private static let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]".utf8)

    /// The host alone (no port or brackets), as a tag URI's authority: "pledges.example.org".
    static func host(of base: String) -> String {
        let authority = base.drop { $0 != "/" }.drop { $0 == "/" }.prefix { $0 != "/" }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") { return String(authority[authority.index(after: authority.startIndex)..<close]) }
        return String(authority.prefix { $0 != ":" })
    }
}
