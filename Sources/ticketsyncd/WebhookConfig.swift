import Foundation
import TicketSyncServer
import Yams

/// The `webhooks:` section of the configuration file: endpoints by name, each with a `url`, a
/// `secret` (or `secret_file`, read once at start, surrounding white space dropped) and
/// optionally the `events` it receives.
enum WebhookConfig {
    static let keys = ["url", "secret", "secret_file", "events"]

    static func parse(_ node: Node, path: String) throws(ServerError) -> [WebhookEndpoint] {
        let line = node.mark?.line ?? 0
        guard case .mapping(let mapping) = node else {
            throw ServerError(.invalidArgument, "\(path):\(line): 'webhooks' takes endpoints by name (name: {url, secret})")
        }
        var endpoints: [WebhookEndpoint] = []
        for (nameNode, body) in mapping {
            let line = nameNode.mark?.line ?? line
            guard let name = nameNode.string, case .mapping(let fields) = body else {
                throw ServerError(.invalidArgument, "\(path):\(line): each webhook is a name with url and secret under it")
            }
            var url: String?
            var secret: [UInt8]?
            var events: Set<String>?
            for (keyNode, value) in fields {
                let keyLine = keyNode.mark?.line ?? line
                guard let key = keyNode.string, keys.contains(key) else {
                    throw ServerError(
                        .invalidArgument,
                        "\(path):\(keyLine): webhook '\(name)': unknown key '\(keyNode.string ?? "?")'; known keys: \(keys.joined(separator: ", "))"
                    )
                }
                switch key {
                case "url":
                    url = value.string
                case "secret":
                    secret = value.string.map { Array($0.utf8) }
                case "secret_file":
                    guard let file = value.string else { break }
                    do {
                        let text = try String(contentsOfFile: file, encoding: .utf8)
                        secret = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
                    } catch {
                        throw ServerError(.invalidArgument, "\(path):\(keyLine): webhook '\(name)': cannot read secret_file \(file): \(error.localizedDescription)")
                    }
                default:
                    guard case .sequence(let items) = value else {
                        throw ServerError(.invalidArgument, "\(path):\(keyLine): webhook '\(name)': events is a list, e.g. [sla.breach, sla.escalation]")
                    }
                    events = Set(items.compactMap(\.string))
                }
            }
            guard let url else { throw ServerError(.invalidArgument, "\(path):\(line): webhook '\(name)' has no url") }
            guard let secret else { throw ServerError(.invalidArgument, "\(path):\(line): webhook '\(name)' has no secret or secret_file") }
            do {
                endpoints.append(try WebhookEndpoint(name: name, url: url, secret: secret, events: events))
            } catch {
                throw ServerError(.invalidArgument, "\(path):\(line): \(error.message)")
            }
        }
        return endpoints.sorted { $0.name < $1.name }
    }
}
