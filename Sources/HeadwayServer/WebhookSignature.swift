import Crypto
import Foundation
import HeadwayStore

/// The `webhook-signature` header of Standard Webhooks (standardwebhooks.com): `v1,` and the
/// base64 of HMAC-SHA256 over `id.timestamp.body`, keyed with the secret's decoded bytes. Any of
/// its libraries verifies it with the hook's `whsec_` secret.
enum WebhookSignature {
    /// - Throws: `HeadwayError` for a secret that is not `whsec_` and base64.
    static func header(secret: String, messageID: String, timestamp: Int, body: String) throws -> String {
        let key = SymmetricKey(data: try WebhookSecret.key(of: secret))
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(messageID).\(timestamp).\(body)".utf8), using: key)
        return "v1," + Data(code).base64EncodedString()
    }
}
