/// A table of text for people: left-aligned columns separated by two spaces. The last column
/// is cut to fit a width, when one is given (the terminal's), and ends in `…` when cut.
struct Table {
    /// The column headings.
    var headings: [String]
    /// The rows, each with one cell per heading.
    var rows: [[String]] = []

    /// The narrowest the last column is cut to, however narrow the terminal.
    static let minimumLastColumn = 12

    /// The table as lines of text, cut to `width` columns if given.
    func render(width: Int? = nil) -> String {
        let all = [headings] + rows
        var widths = headings.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        if let width, let last = widths.indices.last {
            let used = widths.dropLast().reduce(0, +) + 2 * (widths.count - 1)
            widths[last] = min(widths[last], max(Self.minimumLastColumn, width - used))
        }
        return all.map { cells in
            cells.enumerated().map { column, cell -> String in
                let fitted = cell.count > widths[column] ? String(cell.prefix(widths[column] - 1)) + "…" : cell
                return column == cells.count - 1
                    ? fitted : fitted + String(repeating: " ", count: widths[column] - fitted.count)
            }
            .joined(separator: "  ")
            .trimmingTrailingSpaces()
        }
        .joined(separator: "\n")
    }
}

extension String {
    /// The string without the spaces padding its end.
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
