import HeadwayPostgres

/// Logins for SQL clients: members of `headway_reader` (the documented views, nothing else) or
/// `headway_writer` (apply, load, report). The groups themselves come from `sql/002_sql_clients.sql`.
public struct LoginGrants {
    public enum Group: String, Sendable {
        case reader = "headway_reader"
        case writer = "headway_writer"
    }

    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Makes `login` a member of `group`, creating it as a login role if it does not exist, and
    /// sets its password when one is given. A reader's sessions in this database also default to
    /// read-only transactions. Returns whether the role was created.
    @discardableResult
    public func grant(_ group: Group, to login: String, password: String?) throws -> Bool {
        guard !login.isEmpty, login.utf8.count <= 63, !login.hasPrefix("pg_"), !login.hasPrefix("headway_") else {
            throw HeadwayError("\(String(reflecting: login)) cannot be a login name: use 1 to 63 bytes, not starting with pg_ or headway_")
        }
        return try connection.transaction { connection in
            let existing = try connection.query("SELECT rolsuper FROM pg_roles WHERE rolname = \(login)")
            if group == .reader, try existing.first?.decode(Bool.self, at: 0) == true {
                throw HeadwayError("\(login) is a superuser, which reads and writes everything; a reader must be an ordinary role")
            }
            if existing.isEmpty { try run("SELECT format('CREATE ROLE %I LOGIN', \(login)::text)") }
            if let password {
                let verifier = try connection.encryptedPassword(password, user: login)
                try run("SELECT format('ALTER ROLE %I PASSWORD %L', \(login)::text, \(verifier)::text)")
            }
            try run("SELECT format('GRANT %I TO %I', \(group.rawValue)::text, \(login)::text)")
            if group == .reader {
                try run("SELECT format('ALTER ROLE %I IN DATABASE %I SET default_transaction_read_only = on', \(login)::text, current_database())")
            }
            return existing.isEmpty
        }
    }

    /// Runs the statement that `formatting` builds on the server: identifiers and literals are
    /// quoted by PostgreSQL's own `format()` (%I, %L), since DDL takes no parameters.
    private func run(_ formatting: SQLQuery) throws {
        let statement = try connection.query(formatting)[0].decode(String.self, at: 0)
        try connection.execute(SQLQuery(statement, parameters: []))
    }
}
