#ifndef CMODELGATE_OPENSSL_TLS_H
#define CMODELGATE_OPENSSL_TLS_H
// TLS termination and development certificates (ModelGateTLS). OpenSSL spells
// several calls as macros over SSL_CTX_ctrl/SSL_ctrl, which Swift cannot import:
// these inline functions give them names.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include <string.h>

static inline int mg_ssl_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int mg_ssl_ctx_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

/// No renegotiation, no compression, the server's cipher order, and small idle buffers.
static inline void mg_ssl_ctx_harden(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
}

static inline int mg_ssl_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/// The server's ALPN list (wire format: length-prefixed names), owned by the Swift context.
typedef struct mg_alpn_list {
    const unsigned char *data;
    unsigned int length;
} mg_alpn_list;

/// The ALPN select callback: picks the first of the server's protocols that the
/// client offers; a client offering only others gets a fatal
/// no_application_protocol alert. (A client offering none never gets here.)
static inline int mg_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                 const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl;
    const mg_alpn_list *server = (const mg_alpn_list *)arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, server->data, server->length, in, inlen) != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static inline void mg_ssl_ctx_set_alpn_select(SSL_CTX *ctx, mg_alpn_list *list) {
    SSL_CTX_set_alpn_select_cb(ctx, mg_alpn_select, list);
}

/// Bytes waiting in a memory BIO.
static inline size_t mg_bio_pending(BIO *bio) {
    return BIO_ctrl_pending(bio);
}

/// The text of the oldest error on this thread's OpenSSL error queue (0 when empty), which is removed.
static inline unsigned long mg_err_next(char *buffer, size_t length) {
    unsigned long code = ERR_get_error();
    if (code != 0) ERR_error_string_n(code, buffer, length);
    return code;
}
#endif
