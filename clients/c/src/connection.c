#include "connection.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "modelgate/v1/transport.pb-c.h"

#define READ_CHUNK (256 * 1024)
#define DEFAULT_PORT 7070
#define DEFAULT_CONNECT_TIMEOUT_MS 10000

static const char *const code_names[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
};

const char *mg_code_name(int code) {
    static __thread char other[32];
    if (code >= 0 && code < (int)(sizeof code_names / sizeof code_names[0])) return code_names[code];
    snprintf(other, sizeof other, "CODE_%d", code);
    return other;
}

int mg_status_set(mg_status *status, int code, const char *format, ...) {
    if (status != NULL) {
        status->code = code;
        va_list args;
        va_start(args, format);
        vsnprintf(status->message, sizeof status->message, format, args);
        va_end(args);
    }
    return code;
}

static int status_copy(mg_status *status, const mg_status *from) {
    if (status != NULL && status != from) *status = *from;
    return from->code;
}

int64_t mg_now_ms(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* A MESSAGE's flow-control cost: its length, or 1 when empty (so empty messages are bounded too). */
static int64_t message_cost(size_t len) {
    return len > 0 ? (int64_t)len : 1;
}

void mg_free(void *pointer) {
    free(pointer);
}

/* Output. */

static int out_reserve(mg_conn *conn, size_t extra) {
    if (conn->out_start > 0 && conn->out_start == conn->out_len) conn->out_start = conn->out_len = 0;
    if (conn->out_len + extra <= conn->out_cap) return 0;
    if (conn->out_start > 0) {
        memmove(conn->out, conn->out + conn->out_start, conn->out_len - conn->out_start);
        conn->out_len -= conn->out_start;
        conn->out_start = 0;
        if (conn->out_len + extra <= conn->out_cap) return 0;
    }
    size_t cap = conn->out_cap ? conn->out_cap : 64 * 1024;
    while (cap < conn->out_len + extra) cap *= 2;
    uint8_t *grown = realloc(conn->out, cap);
    if (grown == NULL) return -1;
    conn->out = grown;
    conn->out_cap = cap;
    return 0;
}

static void tear_down(mg_conn *conn, int code, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* Queues one frame; -1 (and the connection torn down) when out of memory. */
static int queue_frame(mg_conn *conn, uint8_t type, uint8_t flags, uint32_t stream_id, const uint8_t *payload,
                       size_t len) {
    if (conn->closed) return -1;
    if (out_reserve(conn, MG_FRAME_HEADER_SIZE + len) != 0) {
        tear_down(conn, MG_RESOURCE_EXHAUSTED, "out of memory queueing a %zu-byte frame", len);
        return -1;
    }
    mg_frame_header_encode(conn->out + conn->out_len, (uint32_t)len, type, flags, stream_id);
    if (len > 0) memcpy(conn->out + conn->out_len + MG_FRAME_HEADER_SIZE, payload, len);
    conn->out_len += MG_FRAME_HEADER_SIZE + len;
    /* Keep the queue short: most of it goes to the kernel at once. */
    if (conn->out_len - conn->out_start >= 256 * 1024) mg_conn_flush(conn);
    return 0;
}

size_t mg_conn_pending_output(const mg_conn *conn) {
    return conn->out_len - conn->out_start;
}

void mg_conn_flush(mg_conn *conn) {
    while (!conn->closed && conn->out_len > conn->out_start) {
        if (conn->tls != NULL) {
            mg_status failure;
            ssize_t sent = mg_tls_write(conn->tls, conn->out + conn->out_start, conn->out_len - conn->out_start,
                                        &failure);
            if (sent > 0) {
                conn->out_start += (size_t)sent;
                continue;
            }
            if (sent == MG_TLS_AGAIN) return;
            if (sent == MG_TLS_CLOSED) tear_down(conn, MG_UNAVAILABLE, "connection closed by the server");
            else tear_down(conn, failure.code, "%s", failure.message);
            return;
        }
        ssize_t sent = send(conn->fd, conn->out + conn->out_start, conn->out_len - conn->out_start,
                            MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            conn->out_start += (size_t)sent;
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        tear_down(conn, MG_UNAVAILABLE, "connection lost: %s", sent < 0 ? strerror(errno) : "write failed");
        return;
    }
    if (conn->out_start == conn->out_len) conn->out_start = conn->out_len = 0;
}

/* Streams. */

static void call_unlink(mg_call *call) {
    mg_conn *conn = call->conn;
    if (conn == NULL) return;
    for (mg_call **link = &conn->calls; *link != NULL; link = &(*link)->next) {
        if (*link == call) {
            *link = call->next;
            conn->open_calls--;
            break;
        }
    }
    call->next = NULL;
}

static void call_finish(mg_call *call, int code, const char *message) {
    if (call->finished) return;
    call->finished = 1;
    call->status.code = code;
    snprintf(call->status.message, sizeof call->status.message, "%s", message ? message : "");
    call_unlink(call);
}

static mg_call *find_call(mg_conn *conn, uint32_t id) {
    for (mg_call *call = conn->calls; call != NULL; call = call->next)
        if (call->id == id) return call;
    return NULL;
}

static void tear_down(mg_conn *conn, int code, const char *format, ...) {
    if (conn->closed) return;
    conn->closed = 1;
    conn->closed_status.code = code;
    va_list args;
    va_start(args, format);
    vsnprintf(conn->closed_status.message, sizeof conn->closed_status.message, format, args);
    va_end(args);
    while (conn->calls != NULL) call_finish(conn->calls, code, conn->closed_status.message);
}

static void return_connection_credit(mg_conn *conn, int64_t cost) {
    conn->conn_unreturned += cost;
    int64_t batch = conn->local_connection_window / 4;
    if (batch < 1) batch = 1;
    if (conn->conn_unreturned >= batch && !conn->closed) {
        while (conn->conn_unreturned > 0) {
            uint32_t increment = conn->conn_unreturned > 0x7FFFFFFF ? 0x7FFFFFFF : (uint32_t)conn->conn_unreturned;
            uint8_t payload[4];
            mg_write_u32(payload, increment);
            if (queue_frame(conn, MG_FRAME_WINDOW_UPDATE, 0, 0, payload, 4) != 0) return;
            conn->recv_credit += increment;
            conn->conn_unreturned -= increment;
        }
    }
}

/* Gives back the credit of a message the application has read, in batches. */
static void consumed(mg_call *call, int64_t cost) {
    mg_conn *conn = call->conn;
    if (conn == NULL || conn->closed) return;
    if (!call->finished) {
        call->unreturned += cost;
        int64_t batch = conn->local_stream_window / 4;
        if (batch < 1) batch = 1;
        if (call->unreturned >= batch) {
            uint32_t increment = call->unreturned > 0x7FFFFFFF ? 0x7FFFFFFF : (uint32_t)call->unreturned;
            uint8_t payload[4];
            mg_write_u32(payload, increment);
            if (queue_frame(conn, MG_FRAME_WINDOW_UPDATE, 0, call->id, payload, 4) == 0) {
                call->recv_credit += increment;
                call->unreturned -= increment;
            }
        }
    }
    return_connection_credit(conn, cost);
}

mg_message *mg_call_read(mg_call *call) {
    mg_message *message = call->head;
    if (message == NULL) return NULL;
    call->head = message->next;
    if (call->head == NULL) call->tail = NULL;
    message->next = NULL;
    consumed(call, message_cost(message->len));
    return message;
}

static void drop_messages(mg_call *call) {
    while (call->head != NULL) {
        mg_message *message = call->head;
        call->head = message->next;
        /* Never to be read: its connection credit goes back now. */
        if (call->conn != NULL) return_connection_credit(call->conn, message_cost(message->len));
        free(message);
    }
    call->tail = NULL;
}

void mg_call_cancel(mg_call *call, int code, const char *message) {
    if (call->finished) return;
    if (call->conn != NULL) queue_frame(call->conn, MG_FRAME_CANCEL, 0, call->id, NULL, 0);
    call_finish(call, code, message);
    drop_messages(call);
}

void mg_call_end(mg_call *call) {
    if (call == NULL) return;
    mg_call_cancel(call, MG_CANCELLED, "call cancelled by the client");
    drop_messages(call);
    if (call->conn != NULL) mg_conn_flush(call->conn);
    free(call);
}

/* Receiving. */

static int protocol_error(mg_conn *conn, const char *format, ...) __attribute__((format(printf, 2, 3)));

static int protocol_error(mg_conn *conn, const char *format, ...) {
    char problem[400];
    va_list args;
    va_start(args, format);
    vsnprintf(problem, sizeof problem, format, args);
    va_end(args);
    Modelgate__V1__GoAway goaway = MODELGATE__V1__GO_AWAY__INIT;
    goaway.code = MODELGATE__V1__STATUS_CODE__STATUS_CODE_INTERNAL;
    goaway.message = problem;
    uint8_t payload[512];
    size_t len = modelgate__v1__go_away__get_packed_size(&goaway);
    if (len <= sizeof payload) {
        modelgate__v1__go_away__pack(&goaway, payload);
        queue_frame(conn, MG_FRAME_GO_AWAY, 0, 0, payload, len);
        mg_conn_flush(conn);
    }
    tear_down(conn, MG_UNAVAILABLE, "protocol error from the server: %s", problem);
    return -1;
}

static int check_opened(mg_conn *conn, const mg_frame *frame) {
    if (frame->stream_id % 2 == 0 || frame->stream_id >= conn->next_id)
        return protocol_error(conn, "%s frame on stream %u, which was never opened", mg_frame_type_name(frame->type),
                              frame->stream_id);
    return 0;
}

static int on_settings(mg_conn *conn, const mg_frame *frame) {
    Modelgate__V1__Settings *settings = modelgate__v1__settings__unpack(NULL, frame->length, frame->payload);
    if (settings == NULL) return protocol_error(conn, "malformed SETTINGS");
    if (settings->max_frame_size) conn->peer_max_frame_size = settings->max_frame_size;
    if (settings->max_concurrent_streams) conn->peer_max_concurrent_streams = settings->max_concurrent_streams;
    if (settings->max_header_size) conn->peer_max_header_size = settings->max_header_size;
    if (settings->initial_stream_window) conn->peer_stream_window = settings->initial_stream_window;
    if (!conn->settings_received) {
        if (settings->initial_connection_window) conn->send_credit = settings->initial_connection_window;
        conn->settings_received = 1;
    }
    modelgate__v1__settings__free_unpacked(settings, NULL);
    return 0;
}

static void on_go_away(mg_conn *conn, const mg_frame *frame) {
    Modelgate__V1__GoAway *goaway = modelgate__v1__go_away__unpack(NULL, frame->length, frame->payload);
    uint32_t last = goaway ? goaway->last_stream_id : 0;
    int code = goaway ? goaway->code : MG_UNAVAILABLE;
    if (goaway != NULL && goaway->message != NULL && goaway->message[0] != '\0')
        snprintf(conn->going_away_reason, sizeof conn->going_away_reason, "%s", goaway->message);
    else
        snprintf(conn->going_away_reason, sizeof conn->going_away_reason, "%s", mg_code_name(code));
    if (goaway != NULL) modelgate__v1__go_away__free_unpacked(goaway, NULL);
    conn->going_away = 1;
    char message[400];
    snprintf(message, sizeof message, "call not processed: server is going away (%s)", conn->going_away_reason);
    for (mg_call *call = conn->calls, *next; call != NULL; call = next) {
        next = call->next;
        if (call->id > last) call_finish(call, MG_UNAVAILABLE, message);
    }
    if (!conn->settings_received)
        tear_down(conn, code == MG_OK ? MG_UNAVAILABLE : code, "server refused the connection: %s",
                  conn->going_away_reason);
}

static int on_trailers(mg_conn *conn, mg_call *call, const mg_frame *frame) {
    (void)conn;
    Modelgate__V1__Trailers *trailers = modelgate__v1__trailers__unpack(NULL, frame->length, frame->payload);
    if (trailers == NULL) {
        call_finish(call, MG_INTERNAL, "malformed trailers from the server");
        return 0;
    }
    char message[sizeof call->status.message];
    snprintf(message, sizeof message, "%s", trailers->message ? trailers->message : "");
    int code = trailers->code;
    modelgate__v1__trailers__free_unpacked(trailers, NULL);
    call_finish(call, code, message);
    return 0;
}

static int handle_frame(mg_conn *conn, const mg_frame *frame) {
    if (!conn->settings_received && frame->type != MG_FRAME_SETTINGS && frame->type != MG_FRAME_GO_AWAY)
        return protocol_error(conn, "expected SETTINGS as the server's first frame, got %s",
                              mg_frame_type_name(frame->type));
    switch (frame->type) {
    case MG_FRAME_MESSAGE: {
        if (check_opened(conn, frame) != 0) return -1;
        int64_t cost = message_cost(frame->length);
        if (conn->recv_credit <= 0) return protocol_error(conn, "flow control: message sent beyond the connection window");
        conn->recv_credit -= cost;
        mg_call *call = find_call(conn, frame->stream_id);
        if (call == NULL) { /* a call that ended here: drop it, but give the credit back */
            return_connection_credit(conn, cost);
            return 0;
        }
        if (call->recv_credit <= 0)
            return protocol_error(conn, "flow control: message sent beyond the window of stream %u", call->id);
        call->recv_credit -= cost;
        mg_message *message = malloc(sizeof *message + frame->length);
        if (message == NULL) {
            tear_down(conn, MG_RESOURCE_EXHAUSTED, "out of memory receiving a %u-byte message", frame->length);
            return -1;
        }
        message->next = NULL;
        message->len = frame->length;
        memcpy(message->data, frame->payload, frame->length);
        if (call->tail) call->tail->next = message;
        else call->head = message;
        call->tail = message;
        return 0;
    }
    case MG_FRAME_TRAILERS: {
        if (check_opened(conn, frame) != 0) return -1;
        mg_call *call = find_call(conn, frame->stream_id);
        return call != NULL ? on_trailers(conn, call, frame) : 0;
    }
    case MG_FRAME_WINDOW_UPDATE: {
        uint32_t increment = mg_read_u32(frame->payload);
        if (increment == 0) return protocol_error(conn, "WINDOW_UPDATE with a zero increment");
        if (frame->stream_id == 0) {
            conn->send_credit += increment;
        } else {
            if (check_opened(conn, frame) != 0) return -1;
            mg_call *call = find_call(conn, frame->stream_id);
            if (call != NULL) call->send_credit += increment;
        }
        return 0;
    }
    case MG_FRAME_CANCEL: {
        if (check_opened(conn, frame) != 0) return -1;
        mg_call *call = find_call(conn, frame->stream_id);
        if (call != NULL) call_finish(call, MG_CANCELLED, "call cancelled by the server");
        return 0;
    }
    case MG_FRAME_PING:
        if (!(frame->flags & MG_FLAG_ACK)) return queue_frame(conn, MG_FRAME_PING, MG_FLAG_ACK, 0, frame->payload, 8);
        return 0;
    case MG_FRAME_SETTINGS:
        return on_settings(conn, frame);
    case MG_FRAME_GO_AWAY:
        on_go_away(conn, frame);
        return 0;
    default: /* HEADERS: only clients open streams */
        return protocol_error(conn, "%s frame from the server on stream %u", mg_frame_type_name(frame->type),
                              frame->stream_id);
    }
}

/* The server ended the connection (end of stream, or close_notify over TLS). */
static void closed_by_server(mg_conn *conn) {
    if (conn->going_away)
        tear_down(conn, MG_UNAVAILABLE, "connection closed by the server: %s", conn->going_away_reason);
    else if (conn->tls != NULL && !conn->settings_received)
        /* A server refusing a TLS client after a TLS 1.3 handshake may just close. */
        tear_down(conn, MG_UNAVAILABLE, "connection closed by the server before its ModelGate/1 handshake; over "
                                        "TLS, the server may require a client certificate it trusts (cert_file, "
                                        "key_file)");
    else if (!conn->settings_received)
        /* A TLS server closes on a plaintext client's preface. */
        tear_down(conn, MG_UNAVAILABLE, "connection closed by the server before its ModelGate/1 handshake; if it "
                                        "serves TLS, connect with mg_options.tls (modelgate-c: --tls-ca FILE)");
    else
        tear_down(conn, MG_UNAVAILABLE, "connection closed by the server");
}

/* Reads what the socket (or the TLS session) has: > 0 bytes, 0 nothing now, -1 closed. */
static ssize_t read_some(mg_conn *conn, uint8_t *buffer, size_t len) {
    if (conn->tls != NULL) {
        mg_status failure;
        ssize_t got = mg_tls_read(conn->tls, buffer, len, &failure);
        if (got > 0) return got;
        if (got == MG_TLS_AGAIN) return 0;
        if (got == MG_TLS_CLOSED) closed_by_server(conn);
        else tear_down(conn, failure.code, "%s", failure.message);
        return -1;
    }
    for (;;) {
        ssize_t got = recv(conn->fd, buffer, len, MSG_DONTWAIT);
        if (got > 0) return got;
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (got < 0) tear_down(conn, MG_UNAVAILABLE, "connection lost: %s", strerror(errno));
        else closed_by_server(conn);
        return -1;
    }
}

static void read_available(mg_conn *conn) {
    uint8_t chunk[16 * 1024];
    size_t total = 0;
    while (!conn->closed && total < READ_CHUNK) {
        ssize_t got = read_some(conn, chunk, sizeof chunk);
        if (got <= 0) return;
        total += (size_t)got;
        if (mg_decoder_feed(&conn->decoder, chunk, (size_t)got) != 0) {
            tear_down(conn, MG_RESOURCE_EXHAUSTED, "out of memory buffering input");
            return;
        }
        mg_frame frame;
        char error[256];
        int rc = 0;
        while (!conn->closed && (rc = mg_decoder_next(&conn->decoder, &frame, error, sizeof error)) == 1)
            if (handle_frame(conn, &frame) != 0) return;
        if (!conn->closed && rc < 0) {
            protocol_error(conn, "%s", error);
            return;
        }
    }
}

/*
 * Waits up to timeout ms (-1: no limit) for the socket, then writes and reads
 * what it can. Over TLS, bytes the session already decrypted are invisible to
 * poll, so they count as readable at once; and a read that must first write
 * (TLS key update) waits for the socket to be writable.
 */
static void wait_and_handle(mg_conn *conn, int timeout) {
    int buffered = conn->tls != NULL && mg_tls_has_pending(conn->tls);
    int read_wants_write = conn->tls != NULL && mg_tls_wants_write(conn->tls);
    struct pollfd poller = {.fd = conn->fd, .events = POLLIN};
    if (mg_conn_pending_output(conn) > 0 || read_wants_write) poller.events |= POLLOUT;
    int ready = poll(&poller, 1, buffered ? 0 : timeout);
    if (ready < 0) {
        if (errno != EINTR) tear_down(conn, MG_UNAVAILABLE, "poll failed: %s", strerror(errno));
        return;
    }
    if (buffered) poller.revents |= POLLIN;
    if (poller.revents == 0) return;
    if (poller.revents & POLLOUT) mg_conn_flush(conn);
    if (poller.revents & (POLLIN | POLLHUP | POLLERR) || (read_wants_write && poller.revents & POLLOUT))
        read_available(conn);
    if (!conn->closed && mg_conn_pending_output(conn) > 0) mg_conn_flush(conn);
}

int mg_conn_pump(mg_conn *conn, mg_call *call) {
    if (conn->closed) return -1;
    int timeout = -1;
    if (call != NULL && call->deadline_ms > 0 && !call->finished) {
        int64_t left = call->deadline_ms - mg_now_ms();
        if (left <= 0) {
            mg_call_cancel(call, MG_DEADLINE_EXCEEDED, "deadline exceeded");
            char message[sizeof call->status.message];
            snprintf(message, sizeof message, "%s took longer than its timeout", call->method);
            snprintf(call->status.message, sizeof call->status.message, "%s", message);
            mg_conn_flush(conn);
            return 0;
        }
        timeout = left > 60000 ? 60000 : (int)left;
    }
    wait_and_handle(conn, timeout);
    return conn->closed ? -1 : 0;
}

/* Calls. */

int mg_call_open(mg_conn *conn, const char *method, const char *bearer, mg_call **out, mg_status *status) {
    *out = NULL;
    if (conn->closed) return status_copy(status, &conn->closed_status);
    if (conn->going_away)
        return mg_status_set(status, MG_UNAVAILABLE, "server is going away: %s", conn->going_away_reason);
    if ((uint32_t)conn->open_calls >= conn->peer_max_concurrent_streams)
        return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "%d calls already open, the server's limit",
                             conn->open_calls);
    if (conn->next_id > MG_MAX_STREAM_ID)
        return mg_status_set(status, MG_UNAVAILABLE, "this connection has used up its stream ids; reconnect");

    Modelgate__V1__CallHeaders headers = MODELGATE__V1__CALL_HEADERS__INIT;
    Modelgate__V1__CallHeaders__MetadataEntry entry = MODELGATE__V1__CALL_HEADERS__METADATA_ENTRY__INIT;
    Modelgate__V1__CallHeaders__MetadataEntry *entries[1] = {&entry};
    char *authorization = NULL;
    headers.method = (char *)method;
    if (bearer != NULL && bearer[0] != '\0') {
        size_t len = strlen(bearer) + sizeof "Bearer ";
        authorization = malloc(len);
        if (authorization == NULL) return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
        snprintf(authorization, len, "Bearer %s", bearer);
        entry.key = "authorization";
        entry.value = authorization;
        headers.n_metadata = 1;
        headers.metadata = entries;
    }
    if (conn->timeout_ms > 0) headers.timeout_micros = (uint64_t)conn->timeout_ms * 1000;
    size_t len = modelgate__v1__call_headers__get_packed_size(&headers);
    if (len > conn->peer_max_header_size) {
        free(authorization);
        return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "call headers of %zu bytes exceed the server's limit of %u",
                             len, conn->peer_max_header_size);
    }
    uint8_t *payload = malloc(len ? len : 1);
    mg_call *call = calloc(1, sizeof *call);
    if (payload == NULL || call == NULL) {
        free(authorization);
        free(payload);
        free(call);
        return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    }
    modelgate__v1__call_headers__pack(&headers, payload);
    free(authorization);
    call->conn = conn;
    call->id = conn->next_id;
    call->method = method;
    call->send_credit = conn->peer_stream_window;
    call->recv_credit = conn->local_stream_window;
    if (conn->timeout_ms > 0) call->deadline_ms = mg_now_ms() + conn->timeout_ms;
    conn->next_id += 2;
    int rc = queue_frame(conn, MG_FRAME_HEADERS, 0, call->id, payload, len);
    free(payload);
    if (rc != 0) {
        free(call);
        return status_copy(status, &conn->closed_status);
    }
    call->next = conn->calls;
    conn->calls = call;
    conn->open_calls++;
    *out = call;
    return MG_OK;
}

int mg_call_can_send(const mg_call *call) {
    return call->conn != NULL && call->send_credit > 0 && call->conn->send_credit > 0;
}

int mg_call_send(mg_call *call, const uint8_t *payload, size_t len, int end, mg_status *status) {
    mg_conn *conn = call->conn;
    if (len > conn->peer_max_frame_size)
        return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "message of %zu bytes exceeds the server's limit of %u",
                             len, conn->peer_max_frame_size);
    if (call->half_closed)
        return mg_status_set(status, MG_FAILED_PRECONDITION, "the request side of this call is already closed");
    while (!mg_call_can_send(call)) {
        if (call->finished) {
            if (call->status.code != MG_OK) return status_copy(status, &call->status);
            return mg_status_set(status, MG_FAILED_PRECONDITION, "the server already ended this call");
        }
        if (mg_conn_pump(conn, call) != 0 && !call->finished) return status_copy(status, &conn->closed_status);
    }
    if (call->finished) {
        if (call->status.code != MG_OK) return status_copy(status, &call->status);
        return mg_status_set(status, MG_FAILED_PRECONDITION, "the server already ended this call");
    }
    int64_t cost = message_cost(len);
    call->send_credit -= cost;
    conn->send_credit -= cost;
    if (end) call->half_closed = 1;
    if (queue_frame(conn, MG_FRAME_MESSAGE, end ? MG_FLAG_END_STREAM : 0, call->id, payload, len) != 0)
        return status_copy(status, &conn->closed_status);
    return MG_OK;
}

int mg_call_half_close(mg_call *call, mg_status *status) {
    if (call->half_closed || call->finished) {
        call->half_closed = 1;
        return MG_OK;
    }
    call->half_closed = 1;
    if (queue_frame(call->conn, MG_FRAME_TRAILERS, 0, call->id, NULL, 0) != 0)
        return status_copy(status, &call->conn->closed_status);
    return MG_OK;
}

int mg_call_unary(mg_conn *conn, const char *method, const char *bearer, const uint8_t *request, size_t request_len,
                  uint8_t **response, size_t *response_len, mg_status *status) {
    *response = NULL;
    *response_len = 0;
    mg_call *call;
    int rc = mg_call_open(conn, method, bearer, &call, status);
    if (rc != MG_OK) return rc;
    rc = mg_call_send(call, request, request_len, 1, status);
    mg_message *answer = NULL;
    while (rc == MG_OK) {
        mg_message *message = mg_call_read(call);
        if (message != NULL) {
            if (answer != NULL) {
                free(message);
                rc = mg_status_set(status, MG_INTERNAL, "the server sent more than one response to %s", method);
                break;
            }
            answer = message;
            continue;
        }
        if (call->finished) {
            if (call->status.code != MG_OK) rc = status_copy(status, &call->status);
            else if (answer == NULL)
                rc = mg_status_set(status, MG_INTERNAL, "the server ended %s without a response", method);
            break;
        }
        if (mg_conn_pump(conn, call) != 0 && !call->finished) rc = status_copy(status, &conn->closed_status);
    }
    mg_call_end(call);
    if (rc != MG_OK) {
        free(answer);
        return rc;
    }
    *response_len = answer->len;
    *response = malloc(answer->len ? answer->len : 1);
    if (*response == NULL) {
        free(answer);
        return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    }
    memcpy(*response, answer->data, answer->len);
    free(answer);
    return mg_status_set(status, MG_OK, "%s", "");
}

/* Connecting. */

static int connect_socket(const char *host, int port, int timeout_ms, mg_status *status) {
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *addresses = NULL;
    int gai = getaddrinfo(host, service, &hints, &addresses);
    if (gai != 0) {
        mg_status_set(status, MG_UNAVAILABLE, "cannot connect to %s:%d: %s", host, port, gai_strerror(gai));
        return -1;
    }
    int64_t deadline = mg_now_ms() + timeout_ms;
    int fd = -1;
    char reason[200] = "no address";
    for (struct addrinfo *address = addresses; address != NULL && fd < 0; address = address->ai_next) {
        fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, address->ai_protocol);
        if (fd < 0) {
            snprintf(reason, sizeof reason, "%s", strerror(errno));
            continue;
        }
        if (connect(fd, address->ai_addr, address->ai_addrlen) != 0 && errno != EINPROGRESS) {
            snprintf(reason, sizeof reason, "%s", strerror(errno));
            close(fd);
            fd = -1;
            continue;
        }
        struct pollfd poller = {.fd = fd, .events = POLLOUT};
        int64_t left = deadline - mg_now_ms();
        int ready = left > 0 ? poll(&poller, 1, (int)left) : 0;
        int error = 0;
        socklen_t error_len = sizeof error;
        if (ready <= 0) {
            snprintf(reason, sizeof reason, "timed out after %d ms", timeout_ms);
            error = -1;
        } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_len) != 0 || error != 0) {
            snprintf(reason, sizeof reason, "%s", strerror(error ? error : errno));
            error = -1;
        }
        if (error != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(addresses);
    if (fd < 0) {
        mg_status_set(status, MG_UNAVAILABLE, "cannot connect to %s:%d: %s", host, port, reason);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int mg_connect(const char *host, int port, const mg_options *options, mg_conn **out, mg_status *status) {
    mg_status ignored;
    if (status == NULL) status = &ignored;
    *out = NULL;
    if (port <= 0 || port > 65535) return mg_status_set(status, MG_INVALID_ARGUMENT, "port %d is not valid", port);
    mg_options defaults = {0};
    if (options == NULL) options = &defaults;
    int timeout_ms = options->connect_timeout_ms > 0 ? options->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
    mg_conn *conn = calloc(1, sizeof *conn);
    if (conn == NULL) return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    conn->local_max_frame_size = options->max_frame_size ? options->max_frame_size : MG_DEFAULT_MAX_FRAME_SIZE;
    conn->local_stream_window = options->stream_window ? options->stream_window : MG_DEFAULT_STREAM_WINDOW;
    conn->local_connection_window =
        options->connection_window ? options->connection_window : MG_DEFAULT_CONNECTION_WINDOW;
    conn->peer_max_frame_size = MG_DEFAULT_MAX_FRAME_SIZE;
    conn->peer_max_concurrent_streams = 100;
    conn->peer_max_header_size = 16 * 1024;
    conn->peer_stream_window = MG_DEFAULT_STREAM_WINDOW;
    conn->send_credit = MG_DEFAULT_CONNECTION_WINDOW;
    conn->recv_credit = conn->local_connection_window;
    conn->next_id = 1;
    mg_decoder_init(&conn->decoder, conn->local_max_frame_size, 1);
    int64_t deadline = mg_now_ms() + timeout_ms;
    conn->fd = connect_socket(host, port, timeout_ms, status);
    if (conn->fd < 0) {
        free(conn);
        return status->code;
    }
    if (options->tls != NULL && mg_tls_connect(conn->fd, host, port, options->tls, deadline, &conn->tls, status) != MG_OK) {
        close(conn->fd);
        free(conn);
        return status->code;
    }

    Modelgate__V1__Settings settings = MODELGATE__V1__SETTINGS__INIT;
    settings.max_frame_size = conn->local_max_frame_size;
    settings.initial_stream_window = conn->local_stream_window;
    settings.initial_connection_window = conn->local_connection_window;
    uint8_t payload[64];
    size_t len = modelgate__v1__settings__pack(&settings, payload);
    out_reserve(conn, MG_PREFACE_LEN);
    if (conn->out == NULL) {
        mg_close(conn);
        return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    }
    memcpy(conn->out, MG_PREFACE, MG_PREFACE_LEN);
    conn->out_len = MG_PREFACE_LEN;
    queue_frame(conn, MG_FRAME_SETTINGS, 0, 0, payload, len);

    /* The handshake: the server's preface and SETTINGS, within the connect timeout. */
    while (!conn->closed && !conn->settings_received) {
        int64_t left = deadline - mg_now_ms();
        if (left <= 0) {
            mg_status_set(status, MG_UNAVAILABLE, "%s:%d sent no ModelGate/1 handshake within %d ms", host, port,
                          timeout_ms);
            mg_close(conn);
            return MG_UNAVAILABLE;
        }
        wait_and_handle(conn, (int)left);
    }
    if (conn->closed) {
        int code = status_copy(status, &conn->closed_status);
        mg_close(conn);
        return code;
    }
    *out = conn;
    return mg_status_set(status, MG_OK, "%s", "");
}

int mg_connect_address(const char *address, const mg_options *options, mg_conn **out, mg_status *status) {
    *out = NULL;
    char host[256];
    int port = DEFAULT_PORT;
    const char *text = address;
    if (strncmp(text, "modelgate://", 12) == 0) text += 12;
    else if (strncmp(text, "tcp://", 6) == 0) text += 6;
    const char *port_text = NULL;
    size_t host_len;
    if (text[0] == '[') {
        const char *end = strchr(text, ']');
        if (end == NULL || (end[1] != '\0' && end[1] != ':'))
            return mg_status_set(status, MG_INVALID_ARGUMENT, "server address '%s' is not HOST:PORT", address);
        host_len = (size_t)(end - text - 1);
        text++;
        if (end[1] == ':') port_text = end + 2;
    } else {
        const char *colon = strchr(text, ':');
        if (colon != NULL && strchr(colon + 1, ':') == NULL) {
            host_len = (size_t)(colon - text);
            port_text = colon + 1;
        } else {
            host_len = strlen(text);
        }
    }
    if (host_len == 0 || host_len >= sizeof host)
        return mg_status_set(status, MG_INVALID_ARGUMENT, "server address '%s' has no valid host", address);
    memcpy(host, text, host_len);
    host[host_len] = '\0';
    if (port_text != NULL) {
        char *end;
        long value = strtol(port_text, &end, 10);
        if (port_text[0] == '\0' || *end != '\0' || value <= 0 || value > 65535)
            return mg_status_set(status, MG_INVALID_ARGUMENT, "server address '%s' has no valid port", address);
        port = (int)value;
    }
    return mg_connect(host, port, options, out, status);
}

void mg_set_timeout(mg_conn *conn, int timeout_ms) {
    if (conn == NULL) return;
    conn->timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
}

const char *mg_tls_version(const mg_conn *conn) {
    return conn != NULL && conn->tls != NULL ? mg_tls_session_version(conn->tls) : NULL;
}

const char *mg_tls_alpn(const mg_conn *conn) {
    return conn != NULL && conn->tls != NULL ? mg_tls_session_alpn(conn->tls) : NULL;
}

void mg_close(mg_conn *conn) {
    if (conn == NULL) return;
    mg_conn_flush(conn);
    tear_down(conn, MG_UNAVAILABLE, "connection closed by the client");
    mg_tls_free(conn->tls);
    if (conn->fd >= 0) close(conn->fd);
    mg_decoder_free(&conn->decoder);
    free(conn->out);
    free(conn->access_token);
    free(conn);
}
