internal import PostgresNIO
internal import TicketSyncServer

/// Turns what a PostgreSQL access threw into a ``ServerError`` a person can act on. Messages name
/// the server (never its password) and the server's own message; they never quote query
/// arguments (token hashes, ticket contents): postgres-nio's errors keep them out of
/// `description`, and only the server's message and SQLSTATE are read here.
enum PostgresFailure {
    static func serverError(_ error: any Error, doing action: String, database: DatabaseURL) -> ServerError {
        switch error {
        case let error as ServerError:
            return error
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError {
                return serverError(inner, doing: action, database: database)
            }
            if let commit = error.commitError {
                // The outcome of a failed COMMIT is unknown; nothing was acknowledged, and a station
                // re-sends, which the store answers idempotently.
                return ServerError(
                    .storage, "\(action) failed at commit on \(database) (\(summary(commit))); it may or may not be stored; retry"
                )
            }
            return ServerError(.storage, "\(action) failed on \(database)")
        case let error as PSQLError:
            return serverError(error, doing: action, database: database)
        case is CancellationError:
            return ServerError(.storage, "\(action) was cancelled before it finished; what it had not committed was not written")
        default:
            return ServerError(.storage, "\(action) failed on \(database): \(type(of: error))")
        }
    }

    private static func serverError(_ error: PSQLError, doing action: String, database: DatabaseURL) -> ServerError {
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? "?"
            let message = error.serverInfo?[.message] ?? "no message"
            switch state {
            case "28P01", "28000":
                return ServerError(
                    .storage, "PostgreSQL at \(database) refused the credentials (\(message)); check the user and password (PGPASSWORD)"
                )
            case "3D000":
                return ServerError(.storage, "PostgreSQL at \(database) has no such database (\(message)); create it first (createdb)")
            case "53100":
                return ServerError(.storage, "\(action) failed: the disk of PostgreSQL at \(database) is full; free space and retry (nothing of it was written)")
            case "57P01", "57P02", "57P03":
                return ServerError(.storage, "\(action) failed: PostgreSQL at \(database) is shutting down or starting (\(message)); retry")
            case "25P03":
                return ServerError(.storage, "\(action) failed: the transaction stayed idle too long and PostgreSQL ended it; retry")
            default:
                return ServerError(.storage, "\(action) failed on \(database): \(message) (SQLSTATE \(state))")
            }
        case .connectionError, .serverClosedConnection, .uncleanShutdown:
            return ServerError(
                .storage, "\(action) failed: cannot reach PostgreSQL at \(database) (\(summary(error))); check that it runs and the --database URL"
            )
        case .poolClosed, .clientClosedConnection:
            return ServerError(.storage, "\(action) failed: the connection pool to \(database) is closed (the server is stopping)")
        case .sslUnsupported:
            return ServerError(.storage, "PostgreSQL at \(database) does not offer TLS, but sslmode=require was asked")
        case .authMechanismRequiresPassword:
            return ServerError(.storage, "PostgreSQL at \(database) asks for a password; put it in the URL or in PGPASSWORD")
        default:
            return ServerError(.storage, "\(action) failed on \(database): \(summary(error))")
        }
    }

    /// A short, secret-free account of an error (for PSQLError: its code and the server's message).
    static func summary(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(type(of: error))"
    }
}
