import HeadwayModel
import HeadwayPostgres

/// A parsed decimal goes into a binary COPY as it is laid out, without being parsed again.
extension DecimalNumber: PostgresNumericLayout {}
