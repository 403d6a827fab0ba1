import Foundation

/// A webhook's signing secret as Standard Webhooks writes it: `whsec_` and the base64 of the
/// HMAC-SHA256 key, which is what receivers' libraries take.
public enum WebhookSecret {
    static let prefix = "whsec_"

    /// A new secret: 32 bytes from the system's cryptographically secure generator.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
    }

    /// The HMAC key of `secret`: the base64-decoded part after `whsec_`.
    /// - Throws: `HeadwayError` for a secret not in that form.
    public static func key(of secret: String) throws -> [UInt8] {
        guard secret.hasPrefix(prefix), let key = Data(base64Encoded: String(secret.dropFirst(prefix.count))), !key.isEmpty else {
            throw HeadwayError("a webhook secret must be whsec_ and base64")
        }
        return Array(key)
    }
}
