/// Why a client's send failed: the server already ended the call with OK, so
/// the caller should stop sending and read the response.
struct StreamFinishedByPeer: Error {}
