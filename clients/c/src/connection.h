/*
 * The protocol layer under the public calls: one connection, its streams (calls),
 * flow control, pings and GO_AWAY. Moves encoded messages (bytes) and knows nothing
 * of the services; client.c builds the modelgate.v1 calls on it.
 */
#ifndef MODELGATE_CONNECTION_H
#define MODELGATE_CONNECTION_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "modelgate.h"
#include "tls.h"

/* One received message waiting for the application. */
typedef struct mg_message {
    struct mg_message *next;
    size_t len;
    uint8_t data[];
} mg_message;

/* One call on a connection: its credit both ways, its unread messages and, once
 * finished, its status. Owned by whoever opened it (mg_call_open ... mg_call_end). */
typedef struct mg_call {
    struct mg_call *next;      /* in the connection's list of open calls */
    mg_conn *conn;
    uint32_t id;
    const char *method;        /* for messages; a string literal */
    int64_t send_credit;       /* what the server still lets this call send */
    int64_t recv_credit;       /* what the server may still send on it */
    int64_t unreturned;        /* consumed, not yet given back with WINDOW_UPDATE */
    mg_message *head, *tail;   /* received, not yet read */
    int finished;              /* TRAILERS, CANCEL or the connection's end came */
    int half_closed;
    int64_t deadline_ms;       /* monotonic; 0 for none */
    mg_status status;          /* once finished */
} mg_call;

struct mg_conn {
    int fd;
    mg_tls *tls;               /* NULL for plaintext */
    mg_decoder decoder;
    uint8_t *out;              /* bytes queued for the socket */
    size_t out_start, out_len, out_cap;
    uint32_t local_max_frame_size, local_stream_window, local_connection_window;
    uint32_t peer_max_frame_size, peer_max_concurrent_streams, peer_max_header_size, peer_stream_window;
    int64_t send_credit;       /* connection-wide credit the server granted */
    int64_t recv_credit;       /* what the server may still send on the connection */
    int64_t conn_unreturned;
    uint32_t next_id;
    int settings_received;
    int closed;
    mg_status closed_status;   /* why it closed */
    int going_away;
    char going_away_reason[256];
    mg_call *calls;            /* open calls */
    int open_calls;
    char *access_token;
    int timeout_ms;
};

int mg_status_set(mg_status *status, int code, const char *format, ...) __attribute__((format(printf, 3, 4)));
int64_t mg_now_ms(void);

/* Opens a call: HEADERS with the method, "authorization: Bearer <bearer>" unless
 * bearer is NULL or empty, and the connection's timeout. */
int mg_call_open(mg_conn *conn, const char *method, const char *bearer, mg_call **call, mg_status *status);
/* Whether a MESSAGE may go out now (credit on the call and the connection). */
int mg_call_can_send(const mg_call *call);
/* Queues one MESSAGE, waiting for credit first; end half-closes with it. */
int mg_call_send(mg_call *call, const uint8_t *payload, size_t len, int end, mg_status *status);
/* Says no more messages follow (an empty TRAILERS frame). */
int mg_call_half_close(mg_call *call, mg_status *status);
/* The next unread message (free() it), or NULL; reading gives its credit back. */
mg_message *mg_call_read(mg_call *call);
/* Ends a call: CANCEL if the server has not finished it, then frees it. */
void mg_call_end(mg_call *call);
/* Cancels a call that is still running, giving it status code/message. */
void mg_call_cancel(mg_call *call, int code, const char *message);
/* One round of I/O: waits (up to the call's deadline, if call is given) until the
 * socket is readable or the queued output writable, and handles what arrived.
 * -1 once the connection is closed (conn->closed_status says why); a passed
 * deadline cancels the call with DEADLINE_EXCEEDED. */
int mg_conn_pump(mg_conn *conn, mg_call *call);
/* Writes queued output now as far as the socket takes it without waiting. */
void mg_conn_flush(mg_conn *conn);
/* Bytes queued for the socket. */
size_t mg_conn_pending_output(const mg_conn *conn);

/* One request, one response; *response is malloc'ed. */
int mg_call_unary(mg_conn *conn, const char *method, const char *bearer, const uint8_t *request, size_t request_len,
                  uint8_t **response, size_t *response_len, mg_status *status);

#endif
