import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a webhook may be sent: an http(s) URL whose host is on the public internet, unless the
/// hook allows private receivers. A server that POSTs wherever it is told can be made to reach
/// what only it can reach (server-side request forgery): the database, a cloud's metadata
/// service, an admin page on loopback. So loopback, private, link-local, shared (CGNAT) and
/// unspecified addresses are refused, both when the hook is added (an address written as such)
/// and before every delivery (the addresses its name resolves to then).
public enum WebhookAddress {
    /// Checks `text` as a receiver's URL and returns it.
    /// - Throws: `HeadwayError` (input) saying what is wrong: not http(s), no host, or a private
    ///   address without `allowPrivate`.
    public static func validated(_ text: String, allowPrivate: Bool) throws -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw HeadwayError("\(String(reflecting: text)) is not an http:// or https:// URL with a host, such as https://hooks.example.org/headway", kind: .input)
        }
        guard url.user == nil, url.password == nil else {
            throw HeadwayError("the webhook URL must not carry a user name or password: the signature authenticates Headway", kind: .input)
        }
        if !allowPrivate, let reason = privateReason(host: host) {
            throw refusal(host: host, reason: reason)
        }
        return text
    }

    /// The error for a receiver on a private address, saying how to allow it.
    public static func refusal(host: String, reason: String) -> HeadwayError {
        HeadwayError(
            "\(host) is \(reason): webhooks are not sent to loopback or private networks (server-side request forgery); "
                + "add the hook with --allow-private (\"allow_private\": true over the API) if this receiver is meant to be reached there",
            kind: .input)
    }

    /// Why `host` (a name or an address) is private, judging by what it says itself; nil when it
    /// may be public (a name is judged again by its addresses before each delivery).
    public static func privateReason(host: String) -> String? {
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if name == "localhost" || name.hasSuffix(".localhost") { return "a loopback name" }
        if let bytes = ipv4(name) { return privateReason(ipv4: bytes) }
        if let bytes = ipv6(name) { return privateReason(ipv6: bytes) }
        return nil
    }

    /// Resolves `host` and returns why one of its addresses is private; nil when all are public.
    /// Blocks while the name is resolved: call it off the event loops.
    /// - Throws: `HeadwayError` when the name does not resolve.
    public static func privateReasonResolving(host: String) throws -> String? {
        if let reason = privateReason(host: host) { return reason }
        let name = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0, let first = list else {
            throw HeadwayError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let address = current.pointee.ai_addr {
                let reason: String? =
                    switch Int32(address.pointee.sa_family) {
                    case AF_INET:
                        address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                            let raw = pointer.pointee.sin_addr.s_addr.bigEndian
                            return privateReason(ipv4: [UInt8(raw >> 24), UInt8((raw >> 16) & 0xff), UInt8((raw >> 8) & 0xff), UInt8(raw & 0xff)])
                        }
                    case AF_INET6:
                        address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                            withUnsafeBytes(of: pointer.pointee.sin6_addr) { privateReason(ipv6: Array($0)) }
                        }
                    default: nil
                    }
                if let reason { return "\(reason) (the address \(host) resolves to)" }
            }
            entry = current.pointee.ai_next
        }
        return nil
    }

    static func privateReason(ipv4 b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (127, _): "a loopback address"
        case (10, _), (172, 16...31), (192, 168): "a private-network address"
        case (169, 254): "a link-local address"
        case (100, 64...127): "a shared (carrier-grade NAT) address"
        case (0, _): "an unspecified address"
        case (224...255, _): "a multicast or reserved address"
        default: nil
        }
    }

    static func privateReason(ipv6 b: [UInt8]) -> String? {
        if b.allSatisfy({ $0 == 0 }) { return "an unspecified address" }
        if b.dropLast().allSatisfy({ $0 == 0 }) && b[15] == 1 { return "a loopback address" }
        // ::ffff:a.b.c.d, an IPv4 address written as IPv6.
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return privateReason(ipv4: Array(b[12..<16])) }
        if b[0] & 0xfe == 0xfc { return "a private-network (unique local) address" }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return "a link-local address" }
        if b[0] == 0xff { return "a multicast address" }
        return nil
    }

    private static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}
