/* The modelgate.v1 calls of the public API, on the protocol layer in connection.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "modelgate/v1/auth.pb-c.h"
#include "modelgate/v1/identity.pb-c.h"
#include "modelgate/v1/scoring.pb-c.h"

#define METHOD(service, name) "/modelgate.v1." service "/" name

/* Calls on a connection that failed to open fail the same clear way. */
#define REQUIRE_CONNECTION(conn, status)                                                                \
    do {                                                                                                \
        if ((conn) == NULL) return mg_status_set((status), MG_UNAVAILABLE, "not connected (mg_connect failed)"); \
    } while (0)

static char *duplicate(const char *text) {
    return strdup(text != NULL ? text : "");
}

/* Packs message, calls method, unpacks the answer with descriptor. */
static int unary(mg_conn *conn, const char *method, const char *bearer, const ProtobufCMessage *request,
                 const ProtobufCMessageDescriptor *descriptor, ProtobufCMessage **response, mg_status *status) {
    *response = NULL;
    size_t len = protobuf_c_message_get_packed_size(request);
    uint8_t *payload = malloc(len ? len : 1);
    if (payload == NULL) return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    protobuf_c_message_pack(request, payload);
    uint8_t *answer;
    size_t answer_len;
    int rc = mg_call_unary(conn, method, bearer, payload, len, &answer, &answer_len, status);
    free(payload);
    if (rc != MG_OK) return rc;
    *response = protobuf_c_message_unpack(descriptor, NULL, answer_len, answer);
    free(answer);
    if (*response == NULL)
        return mg_status_set(status, MG_INTERNAL, "the server's answer to %s is not a valid %s", method,
                             descriptor->name);
    return MG_OK;
}

int mg_sign_in(mg_conn *conn, const char *client_id, const char *client_secret, mg_status *status) {
    REQUIRE_CONNECTION(conn, status);
    if (client_id == NULL || client_secret == NULL || !client_id[0] || !client_secret[0])
        return mg_status_set(status, MG_INVALID_ARGUMENT, "give both a client id and a client secret");
    Modelgate__V1__SignInRequest request = MODELGATE__V1__SIGN_IN_REQUEST__INIT;
    request.client_id = (char *)client_id;
    request.client_secret = (char *)client_secret;
    ProtobufCMessage *answer;
    int rc = unary(conn, METHOD("IdentityService", "SignIn"), NULL, &request.base,
                   &modelgate__v1__sign_in_response__descriptor, &answer, status);
    if (rc != MG_OK) return rc;
    Modelgate__V1__SignInResponse *response = (Modelgate__V1__SignInResponse *)answer;
    char *token = duplicate(response->access_token);
    protobuf_c_message_free_unpacked(answer, NULL);
    if (token == NULL) return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    if (token[0] == '\0') {
        free(token);
        return mg_status_set(status, MG_INTERNAL, "SignIn answered without an access token");
    }
    free(conn->access_token);
    conn->access_token = token;
    return MG_OK;
}

static int require_sign_in(mg_conn *conn, mg_status *status) {
    if (conn->access_token == NULL)
        return mg_status_set(status, MG_UNAUTHENTICATED, "sign in first (mg_sign_in): this call needs an access token");
    return MG_OK;
}

int mg_get_keys(mg_conn *conn, const char *workspace, const char *service, char **primary_key, char **secondary_key,
                mg_status *status) {
    *primary_key = NULL;
    if (secondary_key != NULL) *secondary_key = NULL;
    REQUIRE_CONNECTION(conn, status);
    int rc = require_sign_in(conn, status);
    if (rc != MG_OK) return rc;
    Modelgate__V1__GetKeysRequest request = MODELGATE__V1__GET_KEYS_REQUEST__INIT;
    request.workspace = (char *)workspace;
    request.service = (char *)service;
    ProtobufCMessage *answer;
    rc = unary(conn, METHOD("AuthService", "GetKeys"), conn->access_token, &request.base,
               &modelgate__v1__get_keys_response__descriptor, &answer, status);
    if (rc != MG_OK) return rc;
    Modelgate__V1__GetKeysResponse *response = (Modelgate__V1__GetKeysResponse *)answer;
    *primary_key = duplicate(response->primary_key);
    if (secondary_key != NULL) *secondary_key = duplicate(response->secondary_key);
    protobuf_c_message_free_unpacked(answer, NULL);
    if (*primary_key == NULL || (secondary_key != NULL && *secondary_key == NULL)) {
        free(*primary_key);
        *primary_key = NULL;
        if (secondary_key != NULL) {
            free(*secondary_key);
            *secondary_key = NULL;
        }
        return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    }
    return MG_OK;
}

int mg_get_token(mg_conn *conn, const char *workspace, const char *service, char **token, int64_t *refresh_by_unix_ms,
                 mg_status *status) {
    *token = NULL;
    REQUIRE_CONNECTION(conn, status);
    int rc = require_sign_in(conn, status);
    if (rc != MG_OK) return rc;
    Modelgate__V1__GetTokenRequest request = MODELGATE__V1__GET_TOKEN_REQUEST__INIT;
    request.workspace = (char *)workspace;
    request.service = (char *)service;
    ProtobufCMessage *answer;
    rc = unary(conn, METHOD("AuthService", "GetToken"), conn->access_token, &request.base,
               &modelgate__v1__get_token_response__descriptor, &answer, status);
    if (rc != MG_OK) return rc;
    Modelgate__V1__GetTokenResponse *response = (Modelgate__V1__GetTokenResponse *)answer;
    *token = duplicate(response->token);
    if (refresh_by_unix_ms != NULL) *refresh_by_unix_ms = response->refresh_by_unix_ms;
    protobuf_c_message_free_unpacked(answer, NULL);
    if (*token == NULL) return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    return MG_OK;
}

/* Scoring. */

void mg_score_result_free(mg_score_result *result) {
    if (result == NULL) return;
    free(result->message);
    free(result->body);
    free(result->content_type);
    free(result->request_id);
    free(result->version);
    free(result->replica_id);
    memset(result, 0, sizeof *result);
}

/* A view of a decoded response: the strings point into it (valid while it lives). */
static void view_result(const Modelgate__V1__ScoreResponse *response, mg_score_result *result) {
    static char empty[1];
    memset(result, 0, sizeof *result);
    result->code = response->code;
    result->message = response->message ? response->message : empty;
    result->body = response->body.data;
    result->body_len = response->body.len;
    result->content_type = response->content_type ? response->content_type : empty;
    result->request_id = response->request_id ? response->request_id : empty;
    result->version = response->version ? response->version : empty;
    result->replica_id = response->replica_id ? response->replica_id : empty;
    result->latency_micros = response->latency_micros;
}

int mg_score(mg_conn *conn, const char *workspace, const char *service, const char *key, const void *body,
             size_t body_len, mg_score_result *result, mg_status *status) {
    memset(result, 0, sizeof *result);
    REQUIRE_CONNECTION(conn, status);
    Modelgate__V1__ScoreRequest request = MODELGATE__V1__SCORE_REQUEST__INIT;
    request.workspace = (char *)workspace;
    request.service = (char *)service;
    request.body.data = (uint8_t *)body;
    request.body.len = body_len;
    ProtobufCMessage *answer;
    int rc = unary(conn, METHOD("ScoringService", "Score"), key, &request.base,
                   &modelgate__v1__score_response__descriptor, &answer, status);
    if (rc != MG_OK) return rc;
    Modelgate__V1__ScoreResponse *response = (Modelgate__V1__ScoreResponse *)answer;
    if ((int)response->code != MG_OK) {
        rc = mg_status_set(status, response->code, "%s", response->message ? response->message : "");
        protobuf_c_message_free_unpacked(answer, NULL);
        return rc;
    }
    mg_score_result view;
    view_result(response, &view);
    result->code = MG_OK;
    result->message = strdup("");
    result->body = malloc(view.body_len + 1);
    if (result->body != NULL) {
        if (view.body_len) memcpy(result->body, view.body, view.body_len);
        result->body[view.body_len] = '\0'; /* handy for JSON, not counted in body_len */
    }
    result->body_len = view.body_len;
    result->content_type = strdup(view.content_type);
    result->request_id = strdup(view.request_id);
    result->version = strdup(view.version);
    result->replica_id = strdup(view.replica_id);
    result->latency_micros = view.latency_micros;
    protobuf_c_message_free_unpacked(answer, NULL);
    if (!result->message || !result->body || !result->content_type || !result->request_id || !result->version ||
        !result->replica_id) {
        mg_score_result_free(result);
        return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    }
    return mg_status_set(status, MG_OK, "%s", "");
}

/* Hands every unread answer to on_result. Non-zero when the application asked to stop. */
static int deliver(mg_call *call, mg_result_fn on_result, void *user, uint64_t *answered, mg_status *status) {
    mg_message *message;
    while ((message = mg_call_read(call)) != NULL) {
        Modelgate__V1__ScoreResponse *response = modelgate__v1__score_response__unpack(NULL, message->len,
                                                                                       message->data);
        free(message);
        if (response == NULL) {
            mg_call_cancel(call, MG_INTERNAL, "a ScoreStream answer is not a valid ScoreResponse");
            return mg_status_set(status, MG_INTERNAL, "a ScoreStream answer is not a valid ScoreResponse");
        }
        mg_score_result result;
        view_result(response, &result);
        char *end = NULL;
        unsigned long long index = strtoull(result.request_id, &end, 10);
        if (result.request_id[0] == '\0' || end == NULL || *end != '\0') {
            mg_status_set(status, MG_INTERNAL, "a ScoreStream answer names request '%s', which was never sent",
                          result.request_id);
            modelgate__v1__score_response__free_unpacked(response, NULL);
            mg_call_cancel(call, status->code, status->message);
            return -1;
        }
        result.index = index;
        (*answered)++;
        int stop = on_result(user, &result);
        modelgate__v1__score_response__free_unpacked(response, NULL);
        if (stop) {
            mg_call_cancel(call, MG_CANCELLED, "call cancelled by the application");
            return mg_status_set(status, MG_CANCELLED, "call cancelled by the application");
        }
    }
    return 0;
}

int mg_score_stream(mg_conn *conn, const char *workspace, const char *service, const char *key,
                    mg_next_request_fn next, mg_result_fn on_result, void *user, const mg_stream_options *options,
                    mg_status *status) {
    mg_status ignored;
    if (status == NULL) status = &ignored;
    REQUIRE_CONNECTION(conn, status);
    uint32_t max_in_flight = options != NULL ? options->max_in_flight : 0;
    mg_call *call;
    int rc = mg_call_open(conn, METHOD("ScoringService", "ScoreStream"), key, &call, status);
    if (rc != MG_OK) return rc;

    Modelgate__V1__ScoreRequest request = MODELGATE__V1__SCORE_REQUEST__INIT;
    request.workspace = (char *)workspace;
    request.service = (char *)service;
    char request_id[24];
    request.request_id = request_id;
    uint8_t *payload = NULL;
    size_t payload_cap = 0;
    uint64_t sent = 0, answered = 0;
    int sending = 1;
    rc = MG_OK;

    for (;;) {
        if (deliver(call, on_result, user, &answered, status) != 0) {
            rc = status->code;
            break;
        }
        if (call->finished) {
            rc = call->status.code;
            if (rc != MG_OK) *status = call->status;
            else if (sending) /* the server ended the call before taking every request */
                rc = mg_status_set(status, MG_INTERNAL, "the server ended ScoreStream after %" PRIu64 " requests",
                                   sent);
            else mg_status_set(status, MG_OK, "%s", "");
            break;
        }
        /* Send while credit allows, but not so much at once that answers wait. */
        while (sending && mg_call_can_send(call) && mg_conn_pending_output(conn) < 256 * 1024 &&
               (max_in_flight == 0 || sent - answered < max_in_flight)) {
            const void *body = NULL;
            size_t body_len = 0;
            int more = next(user, &body, &body_len);
            if (more < 0) {
                mg_call_cancel(call, MG_CANCELLED, "call cancelled by the application");
                rc = mg_status_set(status, MG_CANCELLED, "the request source failed after %" PRIu64 " requests", sent);
                goto done;
            }
            if (more == 0) {
                sending = 0;
                if ((rc = mg_call_half_close(call, status)) != MG_OK) goto done;
                break;
            }
            snprintf(request_id, sizeof request_id, "%" PRIu64, sent);
            request.body.data = (uint8_t *)body;
            request.body.len = body_len;
            size_t len = modelgate__v1__score_request__get_packed_size(&request);
            if (len > payload_cap) {
                uint8_t *grown = realloc(payload, len);
                if (grown == NULL) {
                    mg_call_cancel(call, MG_RESOURCE_EXHAUSTED, "out of memory");
                    rc = mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
                    goto done;
                }
                payload = grown;
                payload_cap = len;
            }
            modelgate__v1__score_request__pack(&request, payload);
            if ((rc = mg_call_send(call, payload, len, 0, status)) != MG_OK) {
                /* The server may have ended the call with its reason; that explains more. */
                if (call->finished && call->status.code != MG_OK) *status = call->status;
                rc = status->code;
                goto done;
            }
            sent++;
        }
        if (call->head != NULL) continue; /* answers already in: hand them over first */
        if (mg_conn_pump(conn, call) != 0 && !call->finished) {
            rc = mg_status_set(status, conn->closed_status.code, "%s", conn->closed_status.message);
            break;
        }
    }
done:
    free(payload);
    mg_call_end(call);
    if (rc == MG_OK && answered != sent)
        rc = mg_status_set(status, MG_INTERNAL, "ScoreStream ended with %" PRIu64 " answers to %" PRIu64 " requests",
                           answered, sent);
    return rc;
}
