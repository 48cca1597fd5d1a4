internal import Foundation
internal import GRDB
internal import TicketSyncServer

/// Turns what a database access threw into a ``ServerError`` a person can act on. Messages name
/// the file and the problem; they never quote SQL arguments (token hashes, ticket contents).
enum StorageFailure {
    static func serverError(_ error: any Error, doing action: String, path: String) -> ServerError {
        switch error {
        case let error as ServerError:
            return error
        case let error as DatabaseError:
            return serverError(error, doing: action, path: path)
        case is CancellationError:
            return ServerError(.storage, "\(action) was cancelled before it finished; what it had not committed was not written")
        default:
            return ServerError(.storage, "\(action) failed in the server store at \(path): \(error)")
        }
    }

    private static func serverError(_ error: DatabaseError, doing action: String, path: String) -> ServerError {
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_FULL:
            return ServerError(.storage, "\(action) failed: the disk holding \(path) is full; free space and retry (nothing of it was written)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return ServerError(
                .storage,
                "\(action) failed: \(path) stayed locked by another connection for more than 10 s "
                    + "(a long 'ticketsyncd' command or a backup?); retry"
            )
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return ServerError(
                .storage, "\(action) failed: \(path) is damaged or is not a TicketSync server store (\(detail)); restore it from a backup"
            )
        case .SQLITE_CANTOPEN:
            return ServerError(.storage, "cannot open the server store \(path): check that its directory exists and is writable (\(detail))")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return ServerError(.storage, "\(action) failed: \(path) is read-only for this process; check its permissions (\(detail))")
        case .SQLITE_IOERR:
            return ServerError(.storage, "\(action) failed: an I/O error on \(path) (\(detail)); check the disk")
        default:
            return ServerError(.storage, "\(action) failed in the server store at \(path): \(detail)")
        }
    }
}
