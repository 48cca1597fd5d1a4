import ArgumentParser
import Foundation
import TicketModel
import TicketSyncClient

/// `ticketsync comment ID`: adds a comment (or edits or deletes one); prints the comment's id.
struct CommentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comment",
        abstract: "Comment on a ticket (public or internal); prints the comment's id.",
        discussion: """
            A public comment by an agent counts as a response for SLAs; an internal one is seen by \
            agents only. --edit and --delete take a comment id as 'show' prints it (REPLICA:SEQ); \
            a deleted comment stays in the history.
            """
    )

    @OptionGroup var home: HomeOptions
    @OptionGroup var ticket: TicketReference

    @Option(help: ArgumentHelp("The comment's text; '-' reads it from stdin.", valueName: "text"))
    var body: String?

    @Flag(help: "Visible to agents only (default: public, seen by the requester).")
    var `internal` = false

    @Option(help: ArgumentHelp("Replace the body of this comment instead of adding one.", valueName: "comment-id"))
    var edit: String?

    @Option(help: ArgumentHelp("Delete this comment.", valueName: "comment-id"))
    var delete: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if edit != nil && delete != nil { throw ValidationError("give either --edit or --delete, not both") }
        if delete != nil && body != nil { throw ValidationError("--delete takes no --body") }
        if delete == nil && body == nil { throw ValidationError("missing --body (use '--body -' to read it from stdin)") }
    }

    func run() throws {
        let station = try home.openStation()
        let id = try ticket.resolve(in: station)
        let commentID: CommentID
        let action: String
        if let delete {
            commentID = try Self.commentID(delete)
            try station.deleteComment(commentID, on: id)
            action = "deleted"
        } else if let edit {
            commentID = try Self.commentID(edit)
            try station.editComment(commentID, on: id, body: try readBody())
            action = "edited"
        } else {
            commentID = try station.comment(on: id, body: try readBody(), visibility: `internal` ? .internal : .public)
            action = "added"
        }
        if output.json {
            JSONOutput.print(["id": commentID.description, "ticket": id.description, "action": action] as JSONObject)
        } else {
            print(commentID)
        }
    }

    private func readBody() throws -> String {
        guard body == "-" else { return body ?? "" }
        let data = FileHandle.standardInput.readDataToEndOfFile()
        var text = String(decoding: data, as: UTF8.self)
        while text.last?.isNewline == true { text.removeLast() }
        return text
    }

    static func commentID(_ text: String) throws -> CommentID {
        guard let id = CommentID(text.trimmingCharacters(in: .whitespaces)) else {
            throw CLIError.invalid("'\(text.prefix(60))' is not a comment id; 'show' prints them as REPLICA:SEQ")
        }
        return id
    }
}
