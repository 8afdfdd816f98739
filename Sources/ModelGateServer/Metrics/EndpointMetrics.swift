internal import CoreMetrics
internal import ModelGateAPI

/// One endpoint version's metrics, through swift-metrics: requests, errors by
/// status code, latency, replicas (desired, ready), utilisation, queue depth,
/// scale events and cold starts, labelled `endpoint` (`workspace/service`) and
/// `version` (empty for a plain web service).
///
/// Made with an explicit factory (the server's Prometheus one) rather than the
/// process-global `MetricsSystem`, so that tests running several servers in
/// one process each see their own. Handles with the same name and labels are
/// shared by the factory, so a pool that replaces another (an update) keeps
/// counting where it left off.
///
/// The request path only touches counters and the latency histogram, whose
/// handlers are atomic or take their own short lock; the gauges are set by
/// the autoscaler's loop once per sample.
final class EndpointMetrics: Sendable {
    private let requests: Counter
    /// One counter per gRPC status code (0...16), made up front so that the
    /// request path never creates one.
    private let errors: [Counter]
    private let latency: Timer
    private let desiredReplicas: Gauge
    private let readyReplicas: Gauge
    private let utilization: Gauge
    private let queueDepth: Gauge
    private let scaleUps: Counter
    private let scaleDowns: Counter
    private let coldStarts: Timer

    static let requestsName = "modelgate_requests_total"
    static let errorsName = "modelgate_request_errors_total"
    static let latencyName = "modelgate_request_duration_seconds"
    static let coldStartName = "modelgate_cold_start_duration_seconds"

    init(factory: any MetricsFactory, endpoint: String, version: String) {
        let labels = [("endpoint", endpoint), ("version", version)]
        self.requests = Counter(label: Self.requestsName, dimensions: labels, factory: factory)
        self.errors = (0...16).map { raw in
            Counter(
                label: Self.errorsName, dimensions: labels + [("code", StatusCode(rawValue: Int32(raw)).description)], factory: factory
            )
        }
        self.latency = Timer(label: Self.latencyName, dimensions: labels, factory: factory)
        self.desiredReplicas = Gauge(label: "modelgate_replicas_desired", dimensions: labels, factory: factory)
        self.readyReplicas = Gauge(label: "modelgate_replicas_ready", dimensions: labels, factory: factory)
        self.utilization = Gauge(label: "modelgate_utilization_ratio", dimensions: labels, factory: factory)
        self.queueDepth = Gauge(label: "modelgate_queue_depth", dimensions: labels, factory: factory)
        self.scaleUps = Counter(label: "modelgate_scale_events_total", dimensions: labels + [("direction", "up")], factory: factory)
        self.scaleDowns = Counter(label: "modelgate_scale_events_total", dimensions: labels + [("direction", "down")], factory: factory)
        self.coldStarts = Timer(label: Self.coldStartName, dimensions: labels, factory: factory)
    }

    /// Counts one answered or failed request; `latency` when it was answered.
    func recordRequest(code: StatusCode, latency: Duration?) {
        self.requests.increment()
        if code != .ok, let counter = self.errors[safe: Int(code.rawValue)] { counter.increment() }
        if let latency { self.latency.recordNanoseconds(Self.nanoseconds(latency)) }
    }

    /// The pool's load at one sample; `utilization` as a fraction (finite).
    func recordLoad(_ load: AutoscaleLoad, utilization: Double) {
        self.desiredReplicas.record(load.desiredReplicas)
        self.readyReplicas.record(load.readyReplicas)
        self.utilization.record(utilization.isFinite ? utilization : Double(load.queuedRequests))
        self.queueDepth.record(load.queuedRequests)
    }

    func recordScale(from old: Int, to new: Int) {
        if new > old { self.scaleUps.increment() } else if new < old { self.scaleDowns.increment() }
    }

    /// A request found no replica and started one: how long until it was ready.
    func recordColdStart(_ duration: Duration) {
        self.coldStarts.recordNanoseconds(Self.nanoseconds(duration))
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? {
        self.indices.contains(index) ? self[index] : nil
    }
}
