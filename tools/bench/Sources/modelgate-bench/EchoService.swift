import ModelGateAPI
import ModelGateRPC

/// The trivial handlers the benchmark serves: the response carries the
/// request's id and body back, so the work measured is the RPC layer's.
enum EchoService {
    static let unaryMethod = ModelGateMethods.Scoring.score
    static let streamMethod = ModelGateMethods.Scoring.scoreStream

    static func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        router.unary(Self.unaryMethod) { (request: ScoreRequest, _) in
            Self.echo(request)
        }
        router.bidirectional(Self.streamMethod) {
            (requests: RequestStream<ScoreRequest>, responses: ResponseWriter<ScoreResponse>, _) in
            for try await request in requests {
                try await responses.write(Self.echo(request))
            }
        }
        return router
    }

    static func echo(_ request: ScoreRequest) -> ScoreResponse {
        var response = ScoreResponse()
        response.requestID = request.requestID
        response.body = request.body
        return response
    }

    /// A scoring request with a `payload`-byte body.
    static func makeRequest(payload: Int) -> ScoreRequest {
        var request = ScoreRequest()
        request.requestID = "bench-0001"
        request.workspace = "bench"
        request.service = "echo"
        request.body = Array(repeating: 0x7A, count: payload)
        return request
    }
}
