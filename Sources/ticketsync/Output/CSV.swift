import Foundation

/// Comma-separated values as RFC 4180 writes them: CRLF line ends; a field containing a comma,
/// a double quote, CR or LF is quoted, and its double quotes doubled.
enum CSV {
    /// One record, with its line end.
    static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// One field, quoted if it must be.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
