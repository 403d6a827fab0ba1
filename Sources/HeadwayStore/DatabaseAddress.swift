import HeadwayPostgres

/// Where the database is, and how its URL may be shown: the configured URL, or the embedded
/// cluster's; passwords masked in whatever spelling libpq accepts them.
public enum DatabaseAddress {
    /// `configured`, or else the embedded cluster's URL, starting that cluster first.
    public static func resolve(configured: String?) throws -> String {
        if let configured { return configured }
        let cluster = EmbeddedCluster(home: EmbeddedCluster.defaultHome())
        try cluster.start()
        return cluster.url
    }

    /// The URL with its password masked.
    public static func redacted(_ url: String) -> String { DatabaseURL.redacted(url) }

    /// The password a URL or conninfo carries, as libpq reads it.
    public static func password(_ url: String) -> String? { DatabaseURL.password(url) }

    /// `text` with every password-like part masked, and every one of `secrets`.
    public static func redactingSecrets(in text: String, secrets: [String] = []) -> String {
        DatabaseURL.redactingSecrets(in: text, secrets: secrets)
    }
}
