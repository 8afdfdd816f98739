/*
 * TLS under a connection, through the system's OpenSSL 3 (libssl): the handshake
 * on the connection's non-blocking socket, then reads and writes that behave like
 * recv/send with MSG_DONTWAIT. connection.c calls these instead of recv/send when
 * the connection was opened with mg_options.tls.
 */
#ifndef MODELGATE_TLS_H
#define MODELGATE_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "modelgate.h"

typedef struct mg_tls mg_tls;

/* What mg_tls_read / mg_tls_write return besides a byte count. */
enum {
    MG_TLS_AGAIN = -1,  /* nothing now: poll (mg_tls_wants_write says for what) and call again */
    MG_TLS_CLOSED = -2, /* the server closed the connection (close_notify or end of stream) */
    MG_TLS_FAILED = -3  /* a TLS error: *status says which */
};

/*
 * Makes a TLS session on fd (connected, non-blocking) and runs the handshake until
 * it completes or deadline_ms (mg_now_ms clock) passes: TLS 1.2 or later, ALPN
 * "modelgate/1", the server's certificate verified against options->ca_file (else
 * the system's trust store) and checked for options->server_name (else host; an
 * IP address is checked against the certificate's IP addresses and sends no SNI),
 * and a client certificate when options->cert_file is set. Returns MG_OK and *out,
 * or MG_INVALID_ARGUMENT (a file that cannot be used) / MG_UNAVAILABLE (the
 * handshake failed), with a message saying why and what to change.
 */
int mg_tls_connect(int fd, const char *host, int port, const mg_tls_options *options, int64_t deadline_ms,
                   mg_tls **out, mg_status *status);
/* Up to len decrypted bytes, or an MG_TLS_* value. */
ssize_t mg_tls_read(mg_tls *tls, void *buffer, size_t len, mg_status *status);
/* Writes up to len bytes (at least one record's worth when it can), or an MG_TLS_* value.
 * After MG_TLS_AGAIN the next call must offer at least the same bytes (it may offer more,
 * from a buffer that moved). */
ssize_t mg_tls_write(mg_tls *tls, const void *buffer, size_t len, mg_status *status);
/* Whether the last MG_TLS_AGAIN waits for the socket to be writable (not readable). */
int mg_tls_wants_write(const mg_tls *tls);
/* Decrypted bytes already held in the session, which poll cannot see. */
int mg_tls_has_pending(const mg_tls *tls);
/* The negotiated protocol version and ALPN protocol ("" for none). */
const char *mg_tls_session_version(const mg_tls *tls);
const char *mg_tls_session_alpn(const mg_tls *tls);
/* Sends close_notify if the socket takes it now, and frees the session (not the fd). */
void mg_tls_free(mg_tls *tls);

#endif
