public import TicketModel

extension StationRecord {
    /// The station an append is made for, as its store holds it inside the append's transaction,
    /// and the replica its operations must carry: refuses an unknown, revoked or unbound station
    /// (a credential revoked or rebound since the session looked it up is caught here). Both
    /// server stores start every append with it.
    package static func appending(_ found: StationRecord?, name: String) throws(ServerError) -> (StationRecord, ReplicaID) {
        guard let station = found else {
            throw ServerError(.notFound, "no station named '\(name.prefix(80))'; its operations are refused")
        }
        if station.revoked {
            throw ServerError(.invalidArgument, "station '\(station.name)' was revoked; its operations are refused")
        }
        guard let replica = station.replica else {
            throw ServerError(
                .invalidArgument, "station '\(station.name)' is not bound to a replica yet; bind it (bind(station:to:)) before appending"
            )
        }
        return (station, replica)
    }
}
