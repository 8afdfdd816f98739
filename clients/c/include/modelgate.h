/*
 * ModelGate C client: one ModelGate/1 connection (proto/modelgate/v1/transport.proto)
 * and the calls a scoring application needs: sign in, get a service's keys or a
 * scoring token, score one request, and score many over one ScoreStream call.
 *
 * Single-threaded and blocking: each call runs the connection's I/O (poll on a
 * non-blocking socket) until it completes. A connection is not thread-safe; use
 * one per thread. Every function that can fail returns a status code (MG_OK = 0,
 * else a gRPC canonical code such as MG_UNAUTHENTICATED) and fills *status, when
 * given, with the code and a human-readable message. Calls on a NULL connection
 * (mg_connect failed) return MG_UNAVAILABLE.
 */
#ifndef MODELGATE_H
#define MODELGATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* gRPC's canonical status codes, with gRPC's numbers (modelgate.v1.StatusCode). */
enum {
    MG_OK = 0,
    MG_CANCELLED = 1,
    MG_UNKNOWN = 2,
    MG_INVALID_ARGUMENT = 3,
    MG_DEADLINE_EXCEEDED = 4,
    MG_NOT_FOUND = 5,
    MG_ALREADY_EXISTS = 6,
    MG_PERMISSION_DENIED = 7,
    MG_RESOURCE_EXHAUSTED = 8,
    MG_FAILED_PRECONDITION = 9,
    MG_ABORTED = 10,
    MG_OUT_OF_RANGE = 11,
    MG_UNIMPLEMENTED = 12,
    MG_INTERNAL = 13,
    MG_UNAVAILABLE = 14,
    MG_DATA_LOSS = 15,
    MG_UNAUTHENTICATED = 16
};

/* The outcome of a call: a status code and, unless it is MG_OK, why. */
typedef struct {
    int code;
    char message[512];
} mg_status;

/* "UNAUTHENTICATED" for 16; "CODE_<n>" for numbers outside the enum. */
const char *mg_code_name(int code);

typedef struct mg_conn mg_conn;

/*
 * TLS to a server started with `modelgate serve --tls-cert FILE --tls-key FILE`:
 * TLS 1.2 or later through the system's OpenSSL 3, ALPN "modelgate/1", and the
 * server's certificate and name always verified (there is deliberately no way to
 * skip that; a development server's CA comes from `modelgate tls self-signed`).
 * NULL fields take the defaults. Link with -lssl -lcrypto.
 */
typedef struct {
    const char *ca_file;      /* PEM CA(s) that issued the server's certificate; NULL: the system trust store */
    const char *server_name;  /* the name the certificate must carry, sent as SNI; NULL: the host dialled
                                 (an IP address is checked against the certificate's IP addresses, no SNI) */
    const char *cert_file;    /* a client certificate (PEM), for a server started with --tls-client-ca */
    const char *key_file;     /* its private key (PEM); both or neither */
} mg_tls_options;

/* The client's own limits, sent in its SETTINGS; 0 means the protocol's default. */
typedef struct {
    uint32_t max_frame_size;     /* largest frame accepted from the server (4 MiB) */
    uint32_t stream_window;      /* receive credit each stream starts with (1 MiB) */
    uint32_t connection_window;  /* receive credit the connection starts with (16 MiB) */
    int connect_timeout_ms;      /* TCP connect plus handshakes (10 s) */
    const mg_tls_options *tls;   /* non-NULL: connect over TLS (only read during mg_connect) */
} mg_options;

/* Connects to host:port (over TLS with options->tls), exchanges prefaces and SETTINGS.
 * options may be NULL. MG_UNAVAILABLE when the server cannot be reached, fails the
 * TLS handshake (the message says why: not trusted by the CA file, not valid for
 * the name, a client certificate required) or is not a ModelGate/1 server;
 * MG_INVALID_ARGUMENT for a TLS file that cannot be used. */
int mg_connect(const char *host, int port, const mg_options *options, mg_conn **connection, mg_status *status);
/* Parses "host:port", "[v6]:port" or "host" (port 7070) and connects. */
int mg_connect_address(const char *address, const mg_options *options, mg_conn **connection, mg_status *status);
/* Over TLS, the protocol version ("TLSv1.3") and the ALPN protocol the server chose
 * ("modelgate/1"; "" when it chose none); NULL for a plaintext (or NULL) connection.
 * The strings live as long as the connection. */
const char *mg_tls_version(const mg_conn *connection);
const char *mg_tls_alpn(const mg_conn *connection);
/* Closes the connection and frees everything it holds. NULL is allowed. */
void mg_close(mg_conn *connection);

/* Time each later call may take, in milliseconds, sent to the server as the call's
 * deadline and enforced locally (the call is cancelled: MG_DEADLINE_EXCEEDED).
 * 0, the default, means no deadline. */
void mg_set_timeout(mg_conn *connection, int timeout_ms);

/* Exchanges a principal's client id and secret for an access token, which the
 * connection keeps for the control-plane calls below (GetKeys, GetToken). */
int mg_sign_in(mg_conn *connection, const char *client_id, const char *client_secret, mg_status *status);

/* A service's primary and secondary keys (AuthService.GetKeys; needs Contributor).
 * The strings are malloc'ed: release them with mg_free. */
int mg_get_keys(mg_conn *connection, const char *workspace, const char *service, char **primary_key,
                char **secondary_key, mg_status *status);

/* A scoring token for a token-auth service (AuthService.GetToken; needs Reader),
 * and when to fetch a new one (Unix ms; refresh_by_unix_ms may be NULL).
 * The token is malloc'ed: release it with mg_free. */
int mg_get_token(mg_conn *connection, const char *workspace, const char *service, char **token,
                 int64_t *refresh_by_unix_ms, mg_status *status);

/* Frees a string returned by this library. */
void mg_free(void *pointer);

/* One scoring answer. Owned by the library in stream callbacks (valid during the
 * callback); owned by the caller after mg_score (release with mg_score_result_free). */
typedef struct {
    uint64_t index;          /* the request's position in its stream (0 for mg_score) */
    int code;                /* MG_OK, or why this request failed */
    char *message;           /* empty on success */
    uint8_t *body;           /* what run() returned, usually JSON; from mg_score it is followed
                                by a NUL byte (not in body_len), in callbacks it is not */
    size_t body_len;
    char *content_type;
    char *request_id;
    char *version;           /* the endpoint version that answered */
    char *replica_id;        /* the replica that answered */
    uint64_t latency_micros;
} mg_score_result;

void mg_score_result_free(mg_score_result *result);

/* Scores one request (ScoringService.Score) with a service key or scoring token
 * (key; NULL or "" sends none). Returns the call's status, or the request's own
 * code when the call succeeded but the request failed (MG_INTERNAL when run()
 * raised); *result is filled only on MG_OK. */
int mg_score(mg_conn *connection, const char *workspace, const char *service, const char *key,
             const void *body, size_t body_len, mg_score_result *result, mg_status *status);

/* Supplies the stream's next request body: returns 1 and sets *body and *body_len
 * (valid until the next call), 0 when there are no more, or -1 to abandon the call
 * (it is cancelled; mg_score_stream returns MG_CANCELLED). */
typedef int (*mg_next_request_fn)(void *user, const void **body, size_t *body_len);
/* Receives one answer, in arrival order (any order; result->index says which
 * request it answers). Returns 0 to go on, non-zero to cancel the call. */
typedef int (*mg_result_fn)(void *user, const mg_score_result *result);

typedef struct {
    /* Most requests sent but not yet answered; 0 leaves it to flow control alone. */
    uint32_t max_in_flight;
} mg_stream_options;

/*
 * Scores many requests over one ScoreStream call. Requests are pulled from next
 * while flow-control credit (per stream and per connection) allows, and answers
 * are handed to on_result as they arrive, both on this thread with no extra
 * buffering: reading answers is what returns credit to the server, so sending
 * and receiving are interleaved and never wait on each other. Request i gets
 * request_id "i". After the last request the request side is half-closed with
 * an empty TRAILERS frame, and the call returns the server's TRAILERS status
 * once every answer is in. A failed request fails only its own result.
 * options may be NULL.
 */
int mg_score_stream(mg_conn *connection, const char *workspace, const char *service, const char *key,
                    mg_next_request_fn next, mg_result_fn on_result, void *user, const mg_stream_options *options,
                    mg_status *status);

#ifdef __cplusplus
}
#endif

#endif
