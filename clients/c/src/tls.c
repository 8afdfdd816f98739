#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "connection.h"

/* The ALPN protocol id, in ALPN's wire form (length-prefixed). */
static const unsigned char alpn_wire[] = "\x0bmodelgate/1";
#define ALPN_ID "modelgate/1"

struct mg_tls {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO_METHOD *method;
    int wants_write;
    int failed;           /* a fatal error: no close_notify then */
    char ca_file[256];    /* for messages */
    char where[300];      /* "host:port", for messages */
    char alpn[256];       /* what the server chose; "" for none */
};

/*
 * A socket BIO of our own: OpenSSL's writes to the socket with write(), which
 * raises SIGPIPE when the server has gone; a library must not kill its host
 * process for that, so this one sends with MSG_NOSIGNAL.
 */
static int fd_of(BIO *bio) {
    return (int)(intptr_t)BIO_get_data(bio);
}

static int bio_write(BIO *bio, const char *data, int len) {
    BIO_clear_retry_flags(bio);
    ssize_t sent;
    do sent = send(fd_of(bio), data, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (sent < 0 && errno == EINTR);
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_write(bio);
    return (int)sent;
}

static int bio_read(BIO *bio, char *data, int len) {
    BIO_clear_retry_flags(bio);
    ssize_t got;
    do got = recv(fd_of(bio), data, (size_t)len, MSG_DONTWAIT);
    while (got < 0 && errno == EINTR);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(bio);
    return (int)got;
}

static long bio_ctrl(BIO *bio, int command, long number, void *pointer) {
    (void)bio;
    (void)number;
    (void)pointer;
    return command == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *bio) {
    BIO_set_init(bio, 1);
    return 1;
}

/* The reason of the first error OpenSSL queued, or fallback; clears the queue. */
static const char *openssl_reason(const char *fallback) {
    static __thread char reason[160];
    unsigned long error = ERR_get_error();
    ERR_clear_error();
    if (error == 0) return fallback;
    if (ERR_SYSTEM_ERROR(error)) return strerror(ERR_GET_REASON(error)); /* a file that cannot be opened */
    const char *text = ERR_reason_error_string(error);
    if (text == NULL) {
        ERR_error_string_n(error, reason, sizeof reason);
        return reason;
    }
    snprintf(reason, sizeof reason, "%s", text);
    return reason;
}

static int contains(const char *text, const char *part) {
    return strstr(text, part) != NULL;
}

/* What to change, for a failure OpenSSL describes with reason. */
static const char *hint_for(const char *reason) {
    if (contains(reason, "certificate required") || contains(reason, "handshake failure") ||
        contains(reason, "bad certificate") || contains(reason, "unknown ca"))
        return "; the server may require a client certificate it trusts (cert_file, key_file)";
    if (contains(reason, "wrong version number") || contains(reason, "packet length too long") ||
        contains(reason, "record layer failure"))
        return "; is the server serving TLS on this port?";
    if (contains(reason, "no application protocol")) return "; the server does not speak ALPN " ALPN_ID;
    return "";
}

/* A failed handshake as UNAVAILABLE, saying why and what to change. */
static int handshake_failure(mg_tls *tls, const char *name, mg_status *status) {
    long verify = SSL_get_verify_result(tls->ssl);
    const char *reason = openssl_reason("the server closed the connection");
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH)
        return mg_status_set(status, MG_UNAVAILABLE,
                             "TLS to %s: the server's certificate is not valid for '%s' (%s); connect by a name "
                             "the certificate carries or set server_name",
                             tls->where, name, X509_verify_cert_error_string(verify));
    if (verify == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || verify == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
        verify == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || verify == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
        verify == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE || verify == X509_V_ERR_CERT_UNTRUSTED) {
        char trust[300];
        if (tls->ca_file[0]) snprintf(trust, sizeof trust, "CA file '%s'", tls->ca_file);
        else snprintf(trust, sizeof trust, "the system trust store");
        return mg_status_set(status, MG_UNAVAILABLE,
                             "TLS to %s: the server's certificate is not trusted by %s (%s); pass the CA that "
                             "issued it as ca_file",
                             tls->where, trust, X509_verify_cert_error_string(verify));
    }
    if (verify != X509_V_OK)
        return mg_status_set(status, MG_UNAVAILABLE, "TLS to %s: the server's certificate is not valid: %s",
                             tls->where, X509_verify_cert_error_string(verify));
    return mg_status_set(status, MG_UNAVAILABLE, "TLS to %s failed: %s%s", tls->where, reason, hint_for(reason));
}

static int is_ip_address(const char *name) {
    unsigned char address[16];
    return inet_pton(AF_INET, name, address) == 1 || inet_pton(AF_INET6, name, address) == 1;
}

int mg_tls_connect(int fd, const char *host, int port, const mg_tls_options *options, int64_t deadline_ms,
                   mg_tls **out, mg_status *status) {
    *out = NULL;
    const char *name = options->server_name && options->server_name[0] ? options->server_name : host;
    if ((options->cert_file == NULL) != (options->key_file == NULL))
        return mg_status_set(status, MG_INVALID_ARGUMENT,
                             "a TLS client certificate needs both cert_file and key_file");
    mg_tls *tls = calloc(1, sizeof *tls);
    if (tls == NULL) return mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory");
    snprintf(tls->where, sizeof tls->where, "%s:%d", host, port);
    if (options->ca_file) snprintf(tls->ca_file, sizeof tls->ca_file, "%s", options->ca_file);
    ERR_clear_error();

    tls->ctx = SSL_CTX_new(TLS_client_method());
    if (tls->ctx == NULL) goto out_of_memory;
    SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
    /* Frames carry their own lengths, so an end of stream without close_notify is
     * just the server going away, reported as such. */
    SSL_CTX_set_options(tls->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(tls->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_verify(tls->ctx, SSL_VERIFY_PEER, NULL);
    if (options->ca_file) {
        if (SSL_CTX_load_verify_locations(tls->ctx, options->ca_file, NULL) != 1) {
            mg_status_set(status, MG_INVALID_ARGUMENT, "cannot load TLS CA file '%s': %s", options->ca_file,
                          openssl_reason("not a PEM certificate file"));
            goto fail;
        }
    } else if (SSL_CTX_set_default_verify_paths(tls->ctx) != 1) {
        mg_status_set(status, MG_INVALID_ARGUMENT, "cannot load the system's trust store: %s",
                      openssl_reason("unknown error"));
        goto fail;
    }
    if (options->cert_file) {
        if (SSL_CTX_use_certificate_chain_file(tls->ctx, options->cert_file) != 1) {
            mg_status_set(status, MG_INVALID_ARGUMENT, "cannot load TLS client certificate '%s': %s",
                          options->cert_file, openssl_reason("not a PEM certificate"));
            goto fail;
        }
        if (SSL_CTX_use_PrivateKey_file(tls->ctx, options->key_file, SSL_FILETYPE_PEM) != 1 ||
            SSL_CTX_check_private_key(tls->ctx) != 1) {
            mg_status_set(status, MG_INVALID_ARGUMENT, "cannot use TLS client key '%s' with '%s': %s",
                          options->key_file, options->cert_file, openssl_reason("not its private key"));
            goto fail;
        }
    }
    if (SSL_CTX_set_alpn_protos(tls->ctx, alpn_wire, sizeof alpn_wire - 1) != 0) goto out_of_memory;

    tls->method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "modelgate socket");
    if (tls->method == NULL) goto out_of_memory;
    BIO_meth_set_write(tls->method, bio_write);
    BIO_meth_set_read(tls->method, bio_read);
    BIO_meth_set_ctrl(tls->method, bio_ctrl);
    BIO_meth_set_create(tls->method, bio_create);
    tls->ssl = SSL_new(tls->ctx);
    if (tls->ssl == NULL) goto out_of_memory;
    BIO *bio = BIO_new(tls->method);
    if (bio == NULL) goto out_of_memory;
    BIO_set_data(bio, (void *)(intptr_t)fd);
    SSL_set_bio(tls->ssl, bio, bio);
    /* SSL_set1_host takes an IP address as one, to match the certificate's IP
     * addresses; SNI carries host names only. */
    if (SSL_set1_host(tls->ssl, name) != 1) {
        mg_status_set(status, MG_INVALID_ARGUMENT, "TLS server name '%s' is not valid", name);
        goto fail;
    }
    if (!is_ip_address(name) && SSL_set_tlsext_host_name(tls->ssl, name) != 1) {
        mg_status_set(status, MG_INVALID_ARGUMENT, "TLS server name '%s' cannot be sent as SNI", name);
        goto fail;
    }

    for (;;) {
        ERR_clear_error();
        int rc = SSL_connect(tls->ssl);
        if (rc == 1) break;
        int error = SSL_get_error(tls->ssl, rc);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
            if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno != 0)
                mg_status_set(status, MG_UNAVAILABLE, "TLS to %s failed: %s", tls->where, strerror(errno));
            else
                handshake_failure(tls, name, status);
            goto fail;
        }
        int64_t left = deadline_ms - mg_now_ms();
        if (left <= 0) {
            mg_status_set(status, MG_UNAVAILABLE, "TLS handshake with %s did not complete in time", tls->where);
            goto fail;
        }
        struct pollfd poller = {.fd = fd, .events = error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT};
        if (poll(&poller, 1, (int)left) < 0 && errno != EINTR) {
            mg_status_set(status, MG_UNAVAILABLE, "TLS to %s: poll failed: %s", tls->where, strerror(errno));
            goto fail;
        }
    }
    const unsigned char *selected = NULL;
    unsigned int selected_len = 0;
    SSL_get0_alpn_selected(tls->ssl, &selected, &selected_len);
    if (selected_len != 0 && (selected_len != sizeof ALPN_ID - 1 || memcmp(selected, ALPN_ID, selected_len) != 0)) {
        mg_status_set(status, MG_UNAVAILABLE, "TLS to %s: the server chose ALPN protocol '%.*s', not '" ALPN_ID "'",
                      tls->where, (int)selected_len, (const char *)selected);
        goto fail;
    }
    snprintf(tls->alpn, sizeof tls->alpn, "%.*s", (int)selected_len, (const char *)selected);
    *out = tls;
    return MG_OK;

out_of_memory:
    mg_status_set(status, MG_RESOURCE_EXHAUSTED, "out of memory setting up TLS");
fail:
    ERR_clear_error();
    mg_tls_free(tls);
    return status->code;
}

/* An error on an established session (a TLS 1.3 server refusing the client's
 * certificate says so only after the handshake, on the first read). */
static ssize_t session_error(mg_tls *tls, int rc, mg_status *status) {
    int error = SSL_get_error(tls->ssl, rc);
    tls->wants_write = error == SSL_ERROR_WANT_WRITE;
    switch (error) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return MG_TLS_AGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return MG_TLS_CLOSED;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            if (errno == 0) return MG_TLS_CLOSED;
            tls->failed = 1;
            mg_status_set(status, MG_UNAVAILABLE, "connection lost: %s", strerror(errno));
            return MG_TLS_FAILED;
        }
        /* fall through */
    default: {
        const char *reason = openssl_reason("TLS error");
        tls->failed = 1;
        mg_status_set(status, MG_UNAVAILABLE, "TLS to %s failed: %s%s", tls->where, reason, hint_for(reason));
        return MG_TLS_FAILED;
    }
    }
}

ssize_t mg_tls_read(mg_tls *tls, void *buffer, size_t len, mg_status *status) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_read(tls->ssl, buffer, len > INT32_MAX ? INT32_MAX : (int)len);
    if (rc > 0) {
        tls->wants_write = 0;
        return rc;
    }
    return session_error(tls, rc, status);
}

ssize_t mg_tls_write(mg_tls *tls, const void *buffer, size_t len, mg_status *status) {
    ERR_clear_error();
    errno = 0;
    int rc = SSL_write(tls->ssl, buffer, len > INT32_MAX ? INT32_MAX : (int)len);
    if (rc > 0) return rc;
    return session_error(tls, rc, status);
}

int mg_tls_wants_write(const mg_tls *tls) {
    return tls->wants_write;
}

int mg_tls_has_pending(const mg_tls *tls) {
    /* Decrypted bytes only: without read-ahead OpenSSL takes no more from the
     * socket than the record it is reading, so anything else is a partial record
     * for which poll rightly waits. */
    return SSL_pending(tls->ssl) > 0;
}

const char *mg_tls_session_version(const mg_tls *tls) {
    return SSL_get_version(tls->ssl);
}

const char *mg_tls_session_alpn(const mg_tls *tls) {
    return tls->alpn;
}

void mg_tls_free(mg_tls *tls) {
    if (tls == NULL) return;
    if (tls->ssl != NULL) {
        if (!tls->failed && SSL_is_init_finished(tls->ssl)) SSL_shutdown(tls->ssl); /* close_notify, best effort */
        SSL_free(tls->ssl);
    }
    SSL_CTX_free(tls->ctx);
    BIO_meth_free(tls->method);
    ERR_clear_error();
    free(tls);
}
