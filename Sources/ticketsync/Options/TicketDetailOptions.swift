import ArgumentParser
import TicketModel

/// The ticket fields `new` and `edit` both set by name, and `--field` for any other.
struct TicketDetailOptions: ParsableArguments {
    @Option(name: .customLong("description"), help: ArgumentHelp("Free text describing the problem.", valueName: "text"))
    var details: String?

    @Option(
        help: ArgumentHelp("How urgent: \(ArgumentValues.priorities.joined(separator: ", ")).", valueName: "priority"),
        completion: .list(ArgumentValues.priorities)
    )
    var priority: String?

    @Option(help: ArgumentHelp("A category token, e.g. shipping_delay or damaged_item.", valueName: "category"))
    var category: String?

    @Option(help: ArgumentHelp("The warehouse or location code, e.g. DFW1.", valueName: "site"))
    var site: String?

    @Option(name: .customLong("order"), help: ArgumentHelp("The shop's order reference.", valueName: "ref"))
    var orderRef: String?

    @Option(help: ArgumentHelp("Who asked: customer, carrier or internal requester.", valueName: "name"))
    var requester: String?

    @Option(help: ArgumentHelp("The agent working the ticket.", valueName: "agent"))
    var assignee: String?

    @Option(help: ArgumentHelp("The team or group that owns the ticket.", valueName: "group"))
    var group: String?

    @Option(
        name: .customLong("field"),
        help: ArgumentHelp(
            "Set any field as NAME=VALUE (repeatable), e.g. custom.carrier=ups; an empty VALUE clears it.",
            valueName: "name=value"
        )
    )
    var fields: [String] = []

    /// The field writes these options ask for; named options win over `--field` for the same field.
    func changes() throws(CLIError) -> [FieldKey: FieldValue] {
        var changes: [FieldKey: FieldValue] = [:]
        for text in fields {
            let (field, value) = try ArgumentValues.fieldAssignment(text)
            changes[field] = value
        }
        if let priority { changes[.priority] = .text(try ArgumentValues.priority(priority).rawValue) }
        let named: [(FieldKey, String?)] = [
            (.description, details), (.category, category), (.site, site), (.orderRef, orderRef),
            (.requester, requester), (.assignee, assignee), (.group, group),
        ]
        for (field, option) in named {
            if let value = ArgumentValues.text(option) { changes[field] = value }
        }
        return changes
    }
}
