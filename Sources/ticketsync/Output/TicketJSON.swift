import Foundation
import TicketModel
import TicketSyncClient

/// The JSON shapes of tickets: the full object (`show`, `new`, `export`) and the list row.
extension Ticket {
    /// Every field, tags, watchers, comments and escalations; with `history` when given.
    func json(history: [HistoryEntry]? = nil) -> JSONObject {
        var object: JSONObject = [
            "id": id.description,
            "title": title,
            "status": status.rawValue,
            "priority": priority.rawValue,
            "tags": tags,
            "watchers": watchers,
            "tier": tier,
            "operation_count": operationCount,
            "created_at": JSONOutput.orNull(createdStamp?.timestamp.isoText),
            "created_hlc": JSONOutput.orNull(createdStamp?.timestamp.hlcText),
            "created_by": JSONOutput.orNull(createdBy?.json),
            "updated_at": JSONOutput.orNull(updatedStamp?.timestamp.isoText),
            "updated_hlc": JSONOutput.orNull(updatedStamp?.timestamp.hlcText),
            "comments": comments.map(\.json),
            "escalations": escalations.map(\.json),
        ]
        let optional: [(String, FieldKey)] = [
            ("description", .description), ("category", .category), ("site", .site), ("order_ref", .orderRef),
            ("requester", .requester), ("assignee", .assignee), ("group", .group), ("root_cause", .rootCause),
            ("csat", .csat),
        ]
        for (key, field) in optional { object[key] = fields[field]?.json ?? NSNull() }
        var custom: JSONObject = [:]
        var sla: JSONObject = [:]
        for (field, value) in fields {
            if field.isCustom { custom[String(field.name.dropFirst("custom.".count))] = value.json }
            if field.isServerOwned { sla[String(field.name.dropFirst("sla.".count))] = value.json }
        }
        object["custom"] = custom
        object["sla"] = sla
        if let history { object["history"] = history.map(\.json) }
        return object
    }
}

extension TicketSummary {
    /// The list row: the fields `list` shows.
    var json: JSONObject {
        [
            "id": id.description,
            "title": title,
            "status": status.rawValue,
            "priority": priority.rawValue,
            "category": JSONOutput.orNull(category),
            "site": JSONOutput.orNull(site),
            "assignee": JSONOutput.orNull(assignee),
            "group": JSONOutput.orNull(group),
            "tags": tags,
            "tier": tier,
            "created_at": TimeText.iso(millis: createdMillis),
            "updated_at": TimeText.iso(millis: updatedMillis),
        ]
    }
}

extension TicketComment {
    var json: JSONObject {
        [
            "id": id.description,
            "author": author.json,
            "created_at": timestamp.isoText,
            "created_hlc": timestamp.hlcText,
            "visibility": visibility.name,
            "body": body,
            "deleted": isDeleted,
        ]
    }
}

extension EscalationEntry {
    var json: JSONObject {
        [
            "id": id.description,
            "at": timestamp.isoText,
            "hlc": timestamp.hlcText,
            "author": author.json,
            "decision": isDecision,
            "tier": JSONOutput.orNull(tier),
            "kind": JSONOutput.orNull(kind?.description),
            "reason": reason,
            "to_team": JSONOutput.orNull(toTeam),
        ]
    }
}

extension Author {
    /// `{"kind": "agent", "name": "alice"}`.
    var json: JSONObject { ["kind": kind.rawValue, "name": name] }
}

extension CommentVisibility {
    /// `public` or `internal`.
    var name: String { self == .public ? "public" : "internal" }
}
