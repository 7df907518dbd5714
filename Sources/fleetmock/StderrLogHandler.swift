import Foundation
import Logging

/// Log lines on standard error, formatted only when a line is written. (swift-log's
/// `StreamLogHandler` re-renders its metadata on every change, and Hummingbird adds a request id
/// to every request's logger: at `--log-level error` that rendering was a few percent of a
/// request's CPU for lines that are never written.)
struct StderrLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit { merged.merge(explicit) { _, new in new } }
        let rendered = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = Date().formatted(.iso8601)
        FileHandle.standardError.write(Data("\(time) \(level) \(label) :\(rendered) \(message)\n".utf8))
    }
}
