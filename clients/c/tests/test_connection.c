/*
 * The protocol layer against a scripted fake server on a real socket (127.0.0.1,
 * port 0, one thread per test): handshake, flow control both ways, half-close,
 * PING, GO_AWAY, trailers errors, deadlines and protocol violations; TLS against
 * peers that do not speak it, and unusable TLS options.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "frame.h"
#include "modelgate.h"
#include "modelgate/v1/scoring.pb-c.h"
#include "modelgate/v1/transport.pb-c.h"

/* The fake server's side. */

typedef struct fake_server fake_server;
typedef void (*script_fn)(fake_server *server);

struct fake_server {
    int listener, fd, port;
    pthread_t thread;
    script_fn script;
    /* What the script saw, checked by the test after joining. */
    int ok;
    char note[256];
    uint64_t counter;
    Modelgate__V1__Settings *client_settings;
};

typedef struct {
    uint8_t type, flags;
    uint32_t stream_id, length;
    uint8_t *payload;
} raw_frame;

static int read_exact(int fd, void *buffer, size_t len) {
    uint8_t *p = buffer;
    while (len > 0) {
        ssize_t got = recv(fd, p, len, 0);
        if (got <= 0) return -1;
        p += got;
        len -= (size_t)got;
    }
    return 0;
}

static int read_frame(fake_server *server, raw_frame *frame) {
    uint8_t header[10];
    if (read_exact(server->fd, header, 10) != 0) return -1;
    frame->length = mg_read_u32(header);
    frame->type = header[4];
    frame->flags = header[5];
    frame->stream_id = mg_read_u32(header + 6);
    frame->payload = malloc(frame->length + 1);
    if (read_exact(server->fd, frame->payload, frame->length) != 0) {
        free(frame->payload);
        return -1;
    }
    return 0;
}

static void write_frame(fake_server *server, uint8_t type, uint8_t flags, uint32_t stream, const void *payload,
                        size_t len) {
    uint8_t header[10];
    mg_frame_header_encode(header, (uint32_t)len, type, flags, stream);
    if (send(server->fd, header, 10, MSG_NOSIGNAL) != 10) return;
    if (len > 0) (void)!send(server->fd, payload, len, MSG_NOSIGNAL);
}

static void write_message(fake_server *server, uint8_t type, uint32_t stream, const ProtobufCMessage *message) {
    size_t len = protobuf_c_message_get_packed_size(message);
    uint8_t *payload = malloc(len + 1);
    protobuf_c_message_pack(message, payload);
    write_frame(server, type, 0, stream, payload, len);
    free(payload);
}

static void write_settings(fake_server *server, uint32_t stream_window, uint32_t connection_window) {
    Modelgate__V1__Settings settings = MODELGATE__V1__SETTINGS__INIT;
    settings.initial_stream_window = stream_window;
    settings.initial_connection_window = connection_window;
    settings.max_concurrent_streams = 10;
    write_message(server, MG_FRAME_SETTINGS, 0, &settings.base);
}

static void write_trailers(fake_server *server, uint32_t stream, int code, const char *message) {
    Modelgate__V1__Trailers trailers = MODELGATE__V1__TRAILERS__INIT;
    trailers.code = code;
    trailers.message = (char *)message;
    write_message(server, MG_FRAME_TRAILERS, stream, &trailers.base);
}

static void write_window_update(fake_server *server, uint32_t stream, uint32_t increment) {
    uint8_t payload[4];
    mg_write_u32(payload, increment);
    write_frame(server, MG_FRAME_WINDOW_UPDATE, 0, stream, payload, 4);
}

/* Accepts, reads the client's preface and SETTINGS, sends its own preface. */
static int handshake(fake_server *server) {
    server->fd = accept(server->listener, NULL, NULL);
    if (server->fd < 0) return -1;
    char preface[MG_PREFACE_LEN];
    if (read_exact(server->fd, preface, MG_PREFACE_LEN) != 0 || memcmp(preface, MG_PREFACE, MG_PREFACE_LEN) != 0)
        return -1;
    raw_frame frame;
    if (read_frame(server, &frame) != 0) return -1;
    if (frame.type == MG_FRAME_SETTINGS)
        server->client_settings = modelgate__v1__settings__unpack(NULL, frame.length, frame.payload);
    free(frame.payload);
    if (send(server->fd, MG_PREFACE, MG_PREFACE_LEN, MSG_NOSIGNAL) != MG_PREFACE_LEN) return -1;
    return server->client_settings != NULL ? 0 : -1;
}

static void *run_script(void *argument) {
    fake_server *server = argument;
    server->script(server);
    if (server->fd >= 0) close(server->fd);
    return NULL;
}

static void start(fake_server *server, script_fn script) {
    memset(server, 0, sizeof *server);
    server->fd = -1;
    server->script = script;
    server->listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(server->listener, (struct sockaddr *)&address, sizeof address);
    listen(server->listener, 1);
    socklen_t len = sizeof address;
    getsockname(server->listener, (struct sockaddr *)&address, &len);
    server->port = ntohs(address.sin_port);
    pthread_create(&server->thread, NULL, run_script, server);
}

static void finish(fake_server *server) {
    pthread_join(server->thread, NULL);
    close(server->listener);
    if (server->client_settings) modelgate__v1__settings__free_unpacked(server->client_settings, NULL);
    if (!server->ok) fprintf(stderr, "fake server: %s\n", server->note);
}

/* Flow control on ScoreStream: a 100-byte stream window, a 150-byte connection
 * window. The server checks the client never sends beyond its credit, grants
 * more as it reads, answers every request, and sees the empty TRAILERS. */

#define STREAM_REQUESTS 40

static void flow_control_script(fake_server *server) {
    if (handshake(server) != 0) return;
    write_settings(server, 100, 150);
    int64_t stream_credit = 100, connection_credit = 150;
    uint64_t answered = 0;
    int half_closed = 0;
    raw_frame frame;
    while (!half_closed && read_frame(server, &frame) == 0) {
        if (frame.type == MG_FRAME_MESSAGE) {
            if (stream_credit <= 0 || connection_credit <= 0) {
                snprintf(server->note, sizeof server->note, "MESSAGE sent without credit (%lld, %lld)",
                         (long long)stream_credit, (long long)connection_credit);
                free(frame.payload);
                return;
            }
            int64_t cost = frame.length ? frame.length : 1;
            stream_credit -= cost;
            connection_credit -= cost;
            Modelgate__V1__ScoreRequest *request = modelgate__v1__score_request__unpack(NULL, frame.length, frame.payload);
            Modelgate__V1__ScoreResponse response = MODELGATE__V1__SCORE_RESPONSE__INIT;
            response.request_id = request->request_id;
            response.body = request->body; /* echo */
            if (strcmp(request->service, "svc") != 0) response.code = MODELGATE__V1__STATUS_CODE__STATUS_CODE_INTERNAL;
            write_message(server, MG_FRAME_MESSAGE, frame.stream_id, &response.base);
            modelgate__v1__score_request__free_unpacked(request, NULL);
            answered++;
            /* Out of credit: a correct client now sends no MESSAGE until granted more.
             * Wait a little, check nothing but a TRAILERS followed, then grant. */
            if (stream_credit <= 0 || connection_credit <= 0) {
                usleep(20000);
                uint8_t peek[10];
                ssize_t got = recv(server->fd, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
                if (got >= 5 && peek[4] == MG_FRAME_MESSAGE) {
                    snprintf(server->note, sizeof server->note, "MESSAGE sent without credit (%lld, %lld)",
                             (long long)stream_credit, (long long)connection_credit);
                    free(frame.payload);
                    return;
                }
                server->counter++;
                if (stream_credit <= 0) {
                    write_window_update(server, frame.stream_id, (uint32_t)(100 - stream_credit));
                    stream_credit = 100;
                }
                if (connection_credit <= 0) {
                    write_window_update(server, 0, (uint32_t)(150 - connection_credit));
                    connection_credit = 150;
                }
            }
        } else if (frame.type == MG_FRAME_TRAILERS && frame.length == 0) {
            half_closed = 1;
            write_trailers(server, frame.stream_id, 0, "");
        }
        free(frame.payload);
    }
    server->ok = half_closed && answered == STREAM_REQUESTS && server->counter >= 10;
    if (!server->ok) snprintf(server->note, sizeof server->note, "answered %llu, half-closed %d",
                              (unsigned long long)answered, half_closed);
}

typedef struct {
    int sent;
    char body[64];
    int seen[STREAM_REQUESTS];
    int results, wrong;
} stream_test;

static int next_body(void *user, const void **body, size_t *len) {
    stream_test *test = user;
    if (test->sent == STREAM_REQUESTS) return 0;
    *len = (size_t)snprintf(test->body, sizeof test->body, "{\"data\": [[%d, 0, 0]]}", test->sent);
    *body = test->body;
    test->sent++;
    return 1;
}

static int collect(void *user, const mg_score_result *result) {
    stream_test *test = user;
    char want[64];
    int n = snprintf(want, sizeof want, "{\"data\": [[%d, 0, 0]]}", (int)result->index);
    if (result->index >= STREAM_REQUESTS || result->code != MG_OK || result->body_len != (size_t)n ||
        memcmp(result->body, want, (size_t)n) != 0)
        test->wrong++;
    else test->seen[result->index]++;
    test->results++;
    return 0;
}

static void a_stream_respects_small_windows_and_half_closes_with_empty_trailers(void) {
    fake_server server;
    start(&server, flow_control_script);
    mg_conn *conn = NULL;
    mg_status status;
    CHECK(mg_connect("127.0.0.1", server.port, NULL, &conn, &status) == MG_OK);
    stream_test test = {0};
    if (conn != NULL)
        CHECK(mg_score_stream(conn, "ws", "svc", "key", next_body, collect, &test, NULL, &status) == MG_OK);
    mg_close(conn);
    finish(&server);
    CHECK(server.ok);
    CHECK(test.results == STREAM_REQUESTS && test.wrong == 0);
    for (int i = 0; i < STREAM_REQUESTS; i++) CHECK(test.seen[i] == 1);
}

/* The client's SETTINGS carry its limits; a message beyond its receive window is a
 * protocol violation that closes the connection with GO_AWAY. */

static void overrun_script(fake_server *server) {
    if (handshake(server) != 0) return;
    write_settings(server, 0, 0);
    raw_frame frame;
    if (read_frame(server, &frame) != 0) return; /* HEADERS */
    uint32_t stream = frame.stream_id;
    free(frame.payload);
    server->counter = server->client_settings->initial_stream_window;
    uint8_t big[100] = {0};
    write_frame(server, MG_FRAME_MESSAGE, 0, stream, big, sizeof big); /* uses the 64-byte window up */
    write_frame(server, MG_FRAME_MESSAGE, 0, stream, big, sizeof big); /* beyond it */
    while (read_frame(server, &frame) == 0) {
        if (frame.type == MG_FRAME_GO_AWAY) {
            Modelgate__V1__GoAway *goaway = modelgate__v1__go_away__unpack(NULL, frame.length, frame.payload);
            server->ok = goaway != NULL && goaway->code == MODELGATE__V1__STATUS_CODE__STATUS_CODE_INTERNAL &&
                         strstr(goaway->message, "flow control") != NULL;
            if (goaway) modelgate__v1__go_away__free_unpacked(goaway, NULL);
        }
        free(frame.payload);
    }
}

static void a_message_beyond_the_clients_window_closes_the_connection(void) {
    fake_server server;
    start(&server, overrun_script);
    mg_options options = {.stream_window = 64};
    mg_conn *conn = NULL;
    mg_status status;
    CHECK(mg_connect("127.0.0.1", server.port, &options, &conn, &status) == MG_OK);
    mg_score_result result;
    if (conn != NULL) {
        CHECK(mg_score(conn, "ws", "svc", NULL, "{}", 2, &result, &status) == MG_UNAVAILABLE);
        CHECK_CONTAINS(status.message, "flow control: message sent beyond the window of stream 1");
        /* The connection is unusable afterwards, with the same reason. */
        CHECK(mg_score(conn, "ws", "svc", NULL, "{}", 2, &result, &status) == MG_UNAVAILABLE);
        CHECK_CONTAINS(status.message, "flow control");
    }
    mg_close(conn);
    finish(&server);
    CHECK(server.ok);
    CHECK(server.counter == 64);
}

/* PING is answered with ACK and the same 8 bytes; trailers errors reach the caller. */

static void ping_then_error_script(fake_server *server) {
    if (handshake(server) != 0) return;
    write_settings(server, 0, 0);
    raw_frame frame;
    if (read_frame(server, &frame) != 0) return; /* HEADERS */
    uint32_t stream = frame.stream_id;
    Modelgate__V1__CallHeaders *headers = modelgate__v1__call_headers__unpack(NULL, frame.length, frame.payload);
    free(frame.payload);
    int authorized = headers && headers->n_metadata == 1 && strcmp(headers->metadata[0]->key, "authorization") == 0 &&
                     strcmp(headers->metadata[0]->value, "Bearer the-key") == 0 &&
                     strcmp(headers->method, "/modelgate.v1.ScoringService/Score") == 0 &&
                     headers->timeout_micros == 5000000;
    if (headers) modelgate__v1__call_headers__free_unpacked(headers, NULL);
    if (read_frame(server, &frame) != 0) return; /* the request, with END_STREAM */
    int ended = frame.type == MG_FRAME_MESSAGE && (frame.flags & MG_FLAG_END_STREAM);
    free(frame.payload);
    write_frame(server, MG_FRAME_PING, 0, 0, "pingpong", 8);
    if (read_frame(server, &frame) != 0) return;
    int acked = frame.type == MG_FRAME_PING && frame.flags == MG_FLAG_ACK && frame.length == 8 &&
                memcmp(frame.payload, "pingpong", 8) == 0;
    free(frame.payload);
    write_trailers(server, stream, MG_UNAUTHENTICATED, "wrong key for ws/svc");
    server->ok = authorized && ended && acked;
    snprintf(server->note, sizeof server->note, "authorized %d, ended %d, acked %d", authorized, ended, acked);
    while (read_frame(server, &frame) == 0) free(frame.payload);
}

static void a_ping_is_acknowledged_and_a_trailers_error_reaches_the_caller(void) {
    fake_server server;
    start(&server, ping_then_error_script);
    mg_conn *conn = NULL;
    mg_status status;
    CHECK(mg_connect("127.0.0.1", server.port, NULL, &conn, &status) == MG_OK);
    if (conn != NULL) {
        mg_set_timeout(conn, 5000);
        mg_score_result result;
        CHECK(mg_score(conn, "ws", "svc", "the-key", "{}", 2, &result, &status) == MG_UNAUTHENTICATED);
        CHECK(strcmp(status.message, "wrong key for ws/svc") == 0);
        CHECK(strcmp(mg_code_name(status.code), "UNAUTHENTICATED") == 0);
    }
    mg_close(conn);
    finish(&server);
    CHECK(server.ok);
}

/* A deadline cancels the call locally and sends CANCEL. */

static void silent_script(fake_server *server) {
    if (handshake(server) != 0) return;
    write_settings(server, 0, 0);
    raw_frame frame;
    while (read_frame(server, &frame) == 0) {
        if (frame.type == MG_FRAME_CANCEL && frame.stream_id == 1) server->ok = 1;
        free(frame.payload);
    }
}

static void a_deadline_cancels_the_call(void) {
    fake_server server;
    start(&server, silent_script);
    mg_conn *conn = NULL;
    mg_status status;
    CHECK(mg_connect("127.0.0.1", server.port, NULL, &conn, &status) == MG_OK);
    if (conn != NULL) {
        mg_set_timeout(conn, 200);
        mg_score_result result;
        CHECK(mg_score(conn, "ws", "svc", NULL, "{}", 2, &result, &status) == MG_DEADLINE_EXCEEDED);
        CHECK_CONTAINS(status.message, "took longer than its timeout");
    }
    mg_close(conn);
    finish(&server);
    CHECK(server.ok);
}

/* GO_AWAY instead of SETTINGS refuses the connection with its code and reason. */

static void refuse_script(fake_server *server) {
    if (handshake(server) != 0) return;
    Modelgate__V1__GoAway goaway = MODELGATE__V1__GO_AWAY__INIT;
    goaway.code = MODELGATE__V1__STATUS_CODE__STATUS_CODE_RESOURCE_EXHAUSTED;
    goaway.message = "too many connections";
    write_message(server, MG_FRAME_GO_AWAY, 0, &goaway.base);
    server->ok = 1;
}

static void a_go_away_before_settings_refuses_the_connection(void) {
    fake_server server;
    start(&server, refuse_script);
    mg_conn *conn = NULL;
    mg_status status;
    CHECK(mg_connect("127.0.0.1", server.port, NULL, &conn, &status) == MG_RESOURCE_EXHAUSTED);
    CHECK(conn == NULL);
    CHECK_CONTAINS(status.message, "server refused the connection: too many connections");
    finish(&server);
    CHECK(server.ok);
}

/* A frame on a stream the client never opened is a protocol error. */

static void stray_frame_script(fake_server *server) {
    if (handshake(server) != 0) return;
    write_settings(server, 0, 0);
    raw_frame frame;
    if (read_frame(server, &frame) != 0) return;
    free(frame.payload);
    write_trailers(server, 7, 0, "");
    while (read_frame(server, &frame) == 0) {
        if (frame.type == MG_FRAME_GO_AWAY) server->ok = 1;
        free(frame.payload);
    }
}

static void a_frame_on_a_stream_never_opened_is_a_protocol_error(void) {
    fake_server server;
    start(&server, stray_frame_script);
    mg_conn *conn = NULL;
    mg_status status;
    CHECK(mg_connect("127.0.0.1", server.port, NULL, &conn, &status) == MG_OK);
    if (conn != NULL) {
        mg_score_result result;
        CHECK(mg_score(conn, "ws", "svc", NULL, "{}", 2, &result, &status) == MG_UNAVAILABLE);
        CHECK_CONTAINS(status.message, "TRAILERS frame on stream 7, which was never opened");
    }
    mg_close(conn);
    finish(&server);
    CHECK(server.ok);
}

/* TLS against peers that do not speak it, and TLS options that cannot be used.
 * (The handshakes with a real TLS server are in tests/e2e.sh.) */

static void plaintext_peer_script(fake_server *server) {
    /* A plaintext ModelGate/1 server: its preface and SETTINGS at once, then it
     * reads (a ClientHello) until the client goes. */
    server->fd = accept(server->listener, NULL, NULL);
    if (server->fd < 0) return;
    send(server->fd, MG_PREFACE, MG_PREFACE_LEN, MSG_NOSIGNAL);
    write_settings(server, 0, 0);
    char buffer[4096];
    while (recv(server->fd, buffer, sizeof buffer, 0) > 0) server->ok = 1;
}

static void a_tls_client_on_a_plaintext_server_is_told_so(void) {
    fake_server server;
    start(&server, plaintext_peer_script);
    mg_tls_options tls = {0};
    mg_options options = {.tls = &tls, .connect_timeout_ms = 5000};
    mg_conn *conn = NULL;
    mg_status status;
    CHECK(mg_connect("127.0.0.1", server.port, &options, &conn, &status) == MG_UNAVAILABLE);
    CHECK(conn == NULL);
    CHECK_CONTAINS(status.message, "is the server serving TLS on this port?");
    finish(&server);
    CHECK(server.ok);
}

static void closing_script(fake_server *server) {
    /* A TLS server refusing a plaintext client: it reads what the client sent (the
     * preface and SETTINGS; unread bytes would make the close a reset) and closes. */
    server->fd = accept(server->listener, NULL, NULL);
    if (server->fd < 0) return;
    char preface[MG_PREFACE_LEN];
    raw_frame frame;
    server->ok = read_exact(server->fd, preface, MG_PREFACE_LEN) == 0 && read_frame(server, &frame) == 0;
    if (server->ok) free(frame.payload);
}

static void a_plaintext_client_closed_on_before_the_handshake_hears_of_tls(void) {
    fake_server server;
    start(&server, closing_script);
    mg_conn *conn = NULL;
    mg_status status;
    CHECK(mg_connect("127.0.0.1", server.port, NULL, &conn, &status) == MG_UNAVAILABLE);
    CHECK_CONTAINS(status.message, "before its ModelGate/1 handshake; if it serves TLS, connect with mg_options.tls");
    finish(&server);
    CHECK(server.ok);
}

static void accept_only_script(fake_server *server) {
    server->fd = accept(server->listener, NULL, NULL);
    server->ok = server->fd >= 0;
}

static void unusable_tls_options_are_invalid_arguments(void) {
    const mg_tls_options cases[] = {
        {.ca_file = "/nonexistent/ca.pem"},
        {.cert_file = "/nonexistent/client.pem"},
        {.key_file = "/nonexistent/client-key.pem"},
        {.cert_file = "/nonexistent/client.pem", .key_file = "/nonexistent/client-key.pem"},
    };
    const char *const messages[] = {
        "cannot load TLS CA file '/nonexistent/ca.pem': No such file or directory",
        "needs both cert_file and key_file",
        "needs both cert_file and key_file",
        "cannot load TLS client certificate '/nonexistent/client.pem'",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fake_server server;
        start(&server, accept_only_script);
        mg_options options = {.tls = &cases[i]};
        mg_conn *conn = NULL;
        mg_status status;
        CHECK(mg_connect("127.0.0.1", server.port, &options, &conn, &status) == MG_INVALID_ARGUMENT);
        CHECK(conn == NULL);
        CHECK_CONTAINS(status.message, messages[i]);
        finish(&server);
        CHECK(server.ok);
    }
}

static void addresses_parse_or_are_refused(void) {
    mg_conn *conn = NULL;
    mg_status status;
    CHECK(mg_connect_address("127.0.0.1:99999", NULL, &conn, &status) == MG_INVALID_ARGUMENT);
    CHECK(mg_connect_address(":80", NULL, &conn, &status) == MG_INVALID_ARGUMENT);
    CHECK(mg_connect_address("[::1", NULL, &conn, &status) == MG_INVALID_ARGUMENT);
    CHECK(mg_connect_address("127.0.0.1:x", NULL, &conn, &status) == MG_INVALID_ARGUMENT);
    CHECK(conn == NULL);
    CHECK(strcmp(mg_code_name(99), "CODE_99") == 0);
    /* Calls on a connection that never opened fail cleanly. */
    mg_score_result result;
    char *key = NULL;
    CHECK(mg_sign_in(NULL, "id", "secret", &status) == MG_UNAVAILABLE);
    CHECK(mg_get_keys(NULL, "ws", "svc", &key, NULL, &status) == MG_UNAVAILABLE && key == NULL);
    CHECK(mg_score(NULL, "ws", "svc", key, "{}", 2, &result, &status) == MG_UNAVAILABLE);
    CHECK_CONTAINS(status.message, "not connected");
    mg_score_result_free(&result);
    mg_close(NULL);
}

int main(void) {
    RUN(a_stream_respects_small_windows_and_half_closes_with_empty_trailers);
    RUN(a_message_beyond_the_clients_window_closes_the_connection);
    RUN(a_ping_is_acknowledged_and_a_trailers_error_reaches_the_caller);
    RUN(a_deadline_cancels_the_call);
    RUN(a_go_away_before_settings_refuses_the_connection);
    RUN(a_frame_on_a_stream_never_opened_is_a_protocol_error);
    RUN(a_tls_client_on_a_plaintext_server_is_told_so);
    RUN(a_plaintext_client_closed_on_before_the_handshake_hears_of_tls);
    RUN(unusable_tls_options_are_invalid_arguments);
    RUN(addresses_parse_or_are_refused);
    return report("test_connection");
}
