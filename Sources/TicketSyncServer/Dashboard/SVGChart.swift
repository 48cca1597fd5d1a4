/// Small server-side SVG charts for the dashboard: no script, no external resource.
enum SVGChart {
    /// One bar.
    struct Bar {
        var label: String
        var value: Double
        var text: String
        var color: String = "#2f6fde"
    }

    /// Horizontal bars scaled to `maximum` (default: the largest value).
    static func horizontal(_ bars: [Bar], maximum: Double? = nil, id: String, title: String) -> String {
        guard !bars.isEmpty else { return empty(title) }
        let top = max(maximum ?? bars.map(\.value).max() ?? 1, 1e-9)
        let row = 28, width = 520, labelWidth = 170, barWidth = 260
        var svg = "<svg id=\"\(id)\" role=\"img\" aria-label=\"\(HTML.escape(title))\" viewBox=\"0 0 \(width) \(bars.count * row + 8)\" class=\"chart\">"
        for (index, bar) in bars.enumerated() {
            let y = index * row + 4
            let length = Int((bar.value / top * Double(barWidth)).rounded())
            svg += "<text x=\"0\" y=\"\(y + 18)\" class=\"label\">\(HTML.escape(String(bar.label.prefix(24))))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(max(length, 1))\" height=\"18\" rx=\"3\" fill=\"\(bar.color)\"/>"
            svg += "<text x=\"\(labelWidth + max(length, 1) + 6)\" y=\"\(y + 18)\" class=\"value\">\(HTML.escape(bar.text))</text>"
        }
        return svg + "</svg>"
    }

    /// Vertical columns, each a stack of (value, color) segments, with labels below.
    static func columns(_ columns: [(label: String, segments: [(Double, String)])], id: String, title: String, legend: [(String, String)] = []) -> String {
        let total = columns.map { $0.segments.reduce(0) { $0 + $1.0 } }.max() ?? 0
        guard !columns.isEmpty, total > 0 else { return empty(title) }
        let height = 160, width = 520, base = 180
        let step = width / columns.count
        var svg = "<svg id=\"\(id)\" role=\"img\" aria-label=\"\(HTML.escape(title))\" viewBox=\"0 0 \(width) \(base + 40)\" class=\"chart\">"
        for (index, column) in columns.enumerated() {
            var y = Double(base)
            let x = index * step + step / 6
            for (value, color) in column.segments where value > 0 {
                let h = value / total * Double(height)
                y -= h
                svg += "<rect x=\"\(x)\" y=\"\(Int(y))\" width=\"\(max(step * 2 / 3, 2))\" height=\"\(max(Int(h.rounded()), 1))\" fill=\"\(color)\"/>"
            }
            let sum = column.segments.reduce(0) { $0 + $1.0 }
            if sum > 0 { svg += "<text x=\"\(x)\" y=\"\(Int(y) - 4)\" class=\"value\">\(Int(sum))</text>" }
            svg += "<text x=\"\(x)\" y=\"\(base + 16)\" class=\"tick\">\(HTML.escape(column.label))</text>"
        }
        for (index, entry) in legend.enumerated() {
            svg += "<rect x=\"\(index * 110)\" y=\"\(base + 26)\" width=\"10\" height=\"10\" fill=\"\(entry.1)\"/>"
            svg += "<text x=\"\(index * 110 + 14)\" y=\"\(base + 35)\" class=\"tick\">\(HTML.escape(entry.0))</text>"
        }
        return svg + "</svg>"
    }

    static func empty(_ title: String) -> String { "<p class=\"empty\">No data yet for \(HTML.escape(title.lowercased())).</p>" }
}

/// HTML text escaping.
enum HTML {
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
