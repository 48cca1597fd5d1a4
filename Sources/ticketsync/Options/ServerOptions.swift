import ArgumentParser
import Foundation
import TicketSyncClient

/// The credential and trust settings for the server a station syncs with.
struct ServerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "This station's credential for the server; '-' reads it from stdin (keeps it out of `ps`).",
            valueName: "secret"
        )
    )
    var token: String?

    @Option(
        name: .customLong("ca"),
        help: ArgumentHelp("A PEM file of the certificate authority that signed the server's certificate.", valueName: "file"),
        completion: .file(extensions: ["pem", "crt"])
    )
    var caFile: String?

    @Option(
        help: ArgumentHelp("Trust only the server certificate with this SHA-256 fingerprint (64 hex digits).", valueName: "sha256")
    )
    var pin: String?

    func validate() throws {
        if caFile != nil && pin != nil { throw ValidationError("give either --ca or --pin, not both") }
    }

    /// The server settings, checked: one wss:// or https:// URL, or several separated by commas
    /// (the nodes of one cluster, tried in turn), a readable CA file, a well-formed pin, and the
    /// token (read from stdin for `--token -`).
    func settings(url: String) throws -> ServerSettings {
        let addresses = url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !addresses.isEmpty, addresses.count <= 16 else {
            throw CLIError.invalid("give between 1 and 16 server addresses, separated by commas")
        }
        for address in addresses {
            guard let parsed = URL(string: address), let scheme = parsed.scheme?.lowercased(), ["wss", "https"].contains(scheme),
                let host = parsed.host, !host.isEmpty
            else {
                throw CLIError.invalid(
                    "server '\(address.prefix(200))' is not a wss:// or https:// URL with a host, e.g. wss://tickets.example.com"
                )
            }
        }
        var settings = ServerSettings(url: addresses.joined(separator: ","), token: token)
        if token == "-" {
            settings.token = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
            if settings.token?.isEmpty ?? true { throw CLIError.invalid("--token -: no token on stdin") }
        }
        if let caFile {
            let absolute = URL(fileURLWithPath: (caFile as NSString).expandingTildeInPath).standardizedFileURL.path
            guard FileManager.default.isReadableFile(atPath: absolute) else {
                throw CLIError(.notFound, "the CA file \(absolute) does not exist or cannot be read")
            }
            settings.caFile = absolute
        }
        if let pin {
            let digits = pin.lowercased().filter { $0 != ":" }
            guard digits.count == 64, digits.allSatisfy(\.isHexDigit) else {
                throw CLIError.invalid("--pin takes a SHA-256 fingerprint: 64 hex digits (colons allowed)")
            }
            settings.pin = digits
        }
        return settings
    }
}

/// Checked server settings, ready to be recorded in a station.
struct ServerSettings {
    var url: String
    var token: String?
    var caFile: String?
    var pin: String?

    /// Records them in the station's store.
    func apply(to station: Station) throws(StationError) {
        try station.configureServer(url: url, token: token, pin: pin, caFile: caFile)
    }
}
