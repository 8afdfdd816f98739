/*
 * modelgate-c: scores a deployed ModelGate service from the command line.
 *
 *   modelgate-c --server H:P --credentials FILE --workspace W --service S
 *               [--key K | --token-from-server] score '<json>'
 *   modelgate-c ... stream FILE     one JSON request per line ("-" for stdin), many in
 *                                   flight on one ScoreStream call; prints one result
 *                                   per line in request order
 *   modelgate-c ... keys | token    prints the service's keys, or a scoring token
 *   modelgate-c ... connect         connects (and signs in); prints TLS version and ALPN
 *
 * Without --key or --token-from-server it signs in and uses the service's primary key.
 * Over TLS: --tls (the system trust store), --tls-ca FILE, --tls-server-name NAME,
 * --tls-cert FILE --tls-key FILE (a client certificate); any --tls-* option turns TLS on.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modelgate.h"

static const char usage[] =
    "usage: modelgate-c [--server HOST:PORT] [--credentials FILE] [--workspace W --service S]\n"
    "                   [--key KEY | --token-from-server] [--timeout SECONDS] [--max-in-flight N]\n"
    "                   [--window BYTES] [--tls] [--tls-ca FILE] [--tls-server-name NAME]\n"
    "                   [--tls-cert FILE --tls-key FILE] COMMAND\n"
    "commands:\n"
    "  score JSON     score one request; prints the answer's body\n"
    "  stream FILE    score one request per line of FILE (- for stdin) over one call;\n"
    "                 prints one line per request, in request order\n"
    "  keys           print the service's primary and secondary keys\n"
    "  token          print a scoring token for a token-auth service\n"
    "  connect        connect (and sign in, with --credentials); print the connection's\n"
    "                 TLS version and ALPN protocol (no --workspace or --service needed)\n"
    "exit status: 0 success, 1 the call failed, 2 some streamed requests failed, 64 usage\n";

static int fail(const mg_status *status) {
    fprintf(stderr, "error: %s: %s\n", mg_code_name(status->code), status->message);
    return 1;
}

/* Reads a whole file into a NUL-terminated buffer. */
static char *read_file(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    size_t cap = 4096, used = 0;
    char *data = malloc(cap);
    while (data != NULL) {
        size_t got = fread(data + used, 1, cap - used - 1, file);
        used += got;
        if (got == 0) break;
        if (cap - used - 1 == 0) {
            char *grown = realloc(data, cap * 2);
            if (grown == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = grown;
            cap *= 2;
        }
    }
    fclose(file);
    if (data != NULL) {
        data[used] = '\0';
        if (len != NULL) *len = used;
    }
    return data;
}

/*
 * The string value of a top-level "name" in a flat JSON object, decoded (\" \\ \/
 * \b \f \n \r \t and \u00XX escapes); NULL when absent or not a string. Enough for
 * credentials.json, which holds only strings.
 */
static char *json_string_field(const char *json, const char *name) {
    size_t name_len = strlen(name);
    const char *p = json;
    int depth = 0;
    while (*p) {
        if (*p == '{' || *p == '[') depth++;
        else if (*p == '}' || *p == ']') depth--;
        if (*p != '"') {
            p++;
            continue;
        }
        /* A string: a key when followed by ':' at depth 1. */
        const char *start = ++p;
        while (*p && *p != '"') p += (*p == '\\' && p[1]) ? 2 : 1;
        if (!*p) return NULL;
        const char *end = p++;
        const char *after = p;
        while (*after == ' ' || *after == '\t' || *after == '\n' || *after == '\r') after++;
        if (*after != ':') continue;
        int match = depth == 1 && (size_t)(end - start) == name_len && memcmp(start, name, name_len) == 0;
        p = after + 1;
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        if (!match) continue;
        if (*p != '"') return NULL;
        p++;
        char *value = malloc(strlen(p) + 1);
        if (value == NULL) return NULL;
        size_t n = 0;
        while (*p && *p != '"') {
            if (*p != '\\') {
                value[n++] = *p++;
                continue;
            }
            p++;
            char c = *p++;
            switch (c) {
            case 'b': value[n++] = '\b'; break;
            case 'f': value[n++] = '\f'; break;
            case 'n': value[n++] = '\n'; break;
            case 'r': value[n++] = '\r'; break;
            case 't': value[n++] = '\t'; break;
            case 'u': {
                unsigned code = 0;
                if (sscanf(p, "%4x", &code) != 1 || code > 0x7F) {
                    free(value);
                    return NULL;
                }
                value[n++] = (char)code;
                p += 4;
                break;
            }
            case '\0': free(value); return NULL;
            default: value[n++] = c;
            }
        }
        if (*p != '"') {
            free(value);
            return NULL;
        }
        value[n] = '\0';
        return value;
    }
    return NULL;
}

/* Appends text to out as a JSON string literal. */
static void print_json_string(FILE *out, const char *text) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", out);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

/* Streaming: requests come from a file, answers are printed in request order. */
typedef struct {
    FILE *input;
    char *line;
    size_t line_cap;
    int read_error;
    char **pending;       /* answer lines not yet printed, by request index (8 bytes per request) */
    size_t pending_cap;
    uint64_t next_to_print;
    uint64_t failed;
    uint64_t answered;
} stream_state;

static int next_request(void *user, const void **body, size_t *body_len) {
    stream_state *state = user;
    for (;;) {
        errno = 0;
        ssize_t len = getline(&state->line, &state->line_cap, state->input);
        if (len < 0) {
            if (ferror(state->input)) {
                state->read_error = errno ? errno : EIO;
                return -1;
            }
            return 0;
        }
        while (len > 0 && (state->line[len - 1] == '\n' || state->line[len - 1] == '\r')) state->line[--len] = '\0';
        if (len == 0) continue; /* blank lines are not requests */
        *body = state->line;
        *body_len = (size_t)len;
        return 1;
    }
}

static char *format_result(const mg_score_result *result) {
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL) return NULL;
    if (result->code == MG_OK) {
        fwrite(result->body, 1, result->body_len, out);
    } else {
        fputs("{\"error\": {\"code\": ", out);
        print_json_string(out, mg_code_name(result->code));
        fputs(", \"message\": ", out);
        print_json_string(out, result->message);
        fputs("}}", out);
    }
    fclose(out);
    return text;
}

static int on_result(void *user, const mg_score_result *result) {
    stream_state *state = user;
    uint64_t index = result->index;
    if (index >= ((uint64_t)1 << 40)) {
        fprintf(stderr, "error: answer to unknown request %" PRIu64 "\n", index);
        return 1;
    }
    if (index >= state->pending_cap) {
        size_t cap = state->pending_cap ? state->pending_cap : 1024;
        while (cap <= index) cap *= 2;
        char **grown = realloc(state->pending, cap * sizeof *grown);
        if (grown == NULL) return 1;
        memset(grown + state->pending_cap, 0, (cap - state->pending_cap) * sizeof *grown);
        state->pending = grown;
        state->pending_cap = cap;
    }
    if (index < state->next_to_print || state->pending[index] != NULL) {
        fprintf(stderr, "error: request %" PRIu64 " answered twice\n", index);
        return 1;
    }
    char *line = format_result(result);
    if (line == NULL) return 1;
    state->pending[index] = line;
    state->answered++;
    if (result->code != MG_OK) state->failed++;
    /* Print the answers now complete from the front; slots before next_to_print stay NULL. */
    while (state->next_to_print < state->pending_cap && state->pending[state->next_to_print] != NULL) {
        puts(state->pending[state->next_to_print]);
        free(state->pending[state->next_to_print]);
        state->pending[state->next_to_print] = NULL;
        state->next_to_print++;
    }
    return 0;
}

static int run_stream(mg_conn *conn, const char *workspace, const char *service, const char *key, const char *path,
                      uint32_t max_in_flight) {
    stream_state state = {0};
    state.input = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (state.input == NULL) {
        fprintf(stderr, "error: INVALID_ARGUMENT: cannot read '%s': %s\n", path, strerror(errno));
        return 1;
    }
    mg_stream_options options = {.max_in_flight = max_in_flight};
    mg_status status;
    int rc = mg_score_stream(conn, workspace, service, key, next_request, on_result, &state, &options, &status);
    int exit_code = 0;
    if (state.read_error) {
        fprintf(stderr, "error: INVALID_ARGUMENT: reading '%s': %s\n", path, strerror(state.read_error));
        exit_code = 1;
    } else if (rc != MG_OK) {
        exit_code = fail(&status);
    } else if (state.failed > 0) {
        fprintf(stderr, "%" PRIu64 " of %" PRIu64 " requests failed\n", state.failed, state.answered);
        exit_code = 2;
    }
    for (size_t i = 0; i < state.pending_cap; i++) free(state.pending[i]);
    free(state.pending);
    free(state.line);
    if (state.input != stdin) fclose(state.input);
    return exit_code;
}

int main(int argc, char **argv) {
    const char *server = NULL, *credentials_path = NULL, *workspace = NULL, *service = NULL, *key = NULL;
    int token_from_server = 0, use_tls = 0;
    mg_tls_options tls = {0};
    double timeout = 0;
    long max_in_flight = 0, window = 0;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *option = argv[i];
        if (strcmp(option, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(option, "--token-from-server") == 0) {
            token_from_server = 1;
            continue;
        }
        if (strcmp(option, "--tls") == 0) {
            use_tls = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "error: %s needs a value\n%s", option, usage);
            return 64;
        }
        const char *value = argv[++i];
        if (strcmp(option, "--server") == 0) server = value;
        else if (strcmp(option, "--credentials") == 0) credentials_path = value;
        else if (strcmp(option, "--workspace") == 0) workspace = value;
        else if (strcmp(option, "--service") == 0) service = value;
        else if (strcmp(option, "--key") == 0) key = value;
        else if (strcmp(option, "--timeout") == 0) timeout = strtod(value, NULL);
        else if (strcmp(option, "--max-in-flight") == 0) max_in_flight = strtol(value, NULL, 10);
        else if (strcmp(option, "--window") == 0) window = strtol(value, NULL, 10);
        else if (strcmp(option, "--tls-ca") == 0) tls.ca_file = value, use_tls = 1;
        else if (strcmp(option, "--tls-server-name") == 0) tls.server_name = value, use_tls = 1;
        else if (strcmp(option, "--tls-cert") == 0) tls.cert_file = value, use_tls = 1;
        else if (strcmp(option, "--tls-key") == 0) tls.key_file = value, use_tls = 1;
        else {
            fprintf(stderr, "error: unknown option %s\n%s", option, usage);
            return 64;
        }
    }
    if (i >= argc || (key != NULL && token_from_server) || max_in_flight < 0 || window < 0 || window > 0x7FFFFFFF ||
        timeout < 0) {
        fputs(usage, stderr);
        return 64;
    }
    const char *command = argv[i++];
    const char *argument = i < argc ? argv[i++] : NULL;
    int connect_only = strcmp(command, "connect") == 0;
    int needs_argument = strcmp(command, "score") == 0 || strcmp(command, "stream") == 0;
    int known = needs_argument || connect_only || strcmp(command, "keys") == 0 || strcmp(command, "token") == 0;
    if (!known || (needs_argument && argument == NULL) || (!needs_argument && argument != NULL) || i != argc ||
        (!connect_only && (workspace == NULL || service == NULL))) {
        fputs(usage, stderr);
        return 64;
    }

    /* Credentials: needed to sign in, and they may name the server. */
    int needs_sign_in = !connect_only && (key == NULL || strcmp(command, "keys") == 0 || strcmp(command, "token") == 0);
    char *credentials = NULL, *client_id = NULL, *client_secret = NULL, *recorded_server = NULL;
    int exit_code = 1;
    mg_conn *conn = NULL;
    char *fetched = NULL, *secondary = NULL;
    mg_status status;
    if (credentials_path != NULL) {
        credentials = read_file(credentials_path, NULL);
        if (credentials == NULL) {
            fprintf(stderr, "error: UNAUTHENTICATED: cannot read credentials file '%s': %s\n", credentials_path,
                    strerror(errno));
            goto out;
        }
        client_id = json_string_field(credentials, "client_id");
        client_secret = json_string_field(credentials, "client_secret");
        recorded_server = json_string_field(credentials, "server");
    }
    if (needs_sign_in && (client_id == NULL || client_secret == NULL)) {
        fprintf(stderr, "error: UNAUTHENTICATED: %s\n",
                credentials_path ? "the credentials file has no client_id and client_secret"
                                 : "give --credentials FILE (or --key KEY to score without signing in)");
        goto out;
    }
    if (server == NULL) server = recorded_server ? recorded_server : "127.0.0.1:7070";

    mg_options options = {.stream_window = (uint32_t)window, .tls = use_tls ? &tls : NULL};
    if (mg_connect_address(server, &options, &conn, &status) != MG_OK) {
        exit_code = fail(&status);
        goto out;
    }
    if (timeout > 0) mg_set_timeout(conn, (int)(timeout * 1000));
    if (needs_sign_in && mg_sign_in(conn, client_id, client_secret, &status) != MG_OK) {
        exit_code = fail(&status);
        goto out;
    }
    if (connect_only) {
        /* Signs in when there are credentials; says how the connection went. */
        if (client_id != NULL && client_secret != NULL && mg_sign_in(conn, client_id, client_secret, &status) != MG_OK) {
            exit_code = fail(&status);
            goto out;
        }
        if (mg_tls_version(conn) != NULL)
            printf("connected to %s over %s, ALPN %s\n", server, mg_tls_version(conn),
                   mg_tls_alpn(conn)[0] ? mg_tls_alpn(conn) : "(none)");
        else
            printf("connected to %s (plaintext)\n", server);
        if (client_id != NULL && client_secret != NULL) printf("signed in as %s\n", client_id);
        exit_code = 0;
        goto out;
    }
    if (strcmp(command, "keys") == 0) {
        if (mg_get_keys(conn, workspace, service, &fetched, &secondary, &status) != MG_OK) exit_code = fail(&status);
        else exit_code = printf("%s\n%s\n", fetched, secondary) < 0;
        goto out;
    }
    if (strcmp(command, "token") == 0) {
        int64_t refresh_by = 0;
        if (mg_get_token(conn, workspace, service, &fetched, &refresh_by, &status) != MG_OK) exit_code = fail(&status);
        else exit_code = printf("%s\n", fetched) < 0;
        goto out;
    }
    if (token_from_server) {
        if (mg_get_token(conn, workspace, service, &fetched, NULL, &status) != MG_OK) {
            exit_code = fail(&status);
            goto out;
        }
        key = fetched;
    } else if (key == NULL) {
        if (mg_get_keys(conn, workspace, service, &fetched, NULL, &status) != MG_OK) {
            exit_code = fail(&status);
            goto out;
        }
        key = fetched;
    }
    if (strcmp(command, "score") == 0) {
        mg_score_result result;
        if (mg_score(conn, workspace, service, key, argument, strlen(argument), &result, &status) != MG_OK) {
            exit_code = fail(&status);
        } else {
            fwrite(result.body, 1, result.body_len, stdout);
            fputc('\n', stdout);
            exit_code = 0;
        }
        mg_score_result_free(&result);
    } else {
        exit_code = run_stream(conn, workspace, service, key, argument, (uint32_t)max_in_flight);
    }

out:
    mg_close(conn);
    mg_free(fetched);
    mg_free(secondary);
    free(credentials);
    free(client_id);
    free(client_secret);
    free(recorded_server);
    if (fflush(stdout) != 0 && exit_code == 0) exit_code = 1;
    return exit_code;
}
