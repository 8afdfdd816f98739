/*
 * ModelGate's frame format (proto/modelgate/v1/transport.proto), without I/O.
 *
 * A connection opens with the 15-byte preface from each side; then every frame is
 * a 10-byte header (u32 big-endian payload length, type byte, flags byte, u32
 * big-endian stream id) followed by the payload. Kept free of sockets so the codec
 * can be tested on bytes alone (tests/test_frames.c).
 */
#ifndef MODELGATE_FRAME_H
#define MODELGATE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define MG_PREFACE "MODELGATE/1\r\n\r\n"
#define MG_PREFACE_LEN 15
#define MG_FRAME_HEADER_SIZE 10

/* FrameType numbers. */
enum {
    MG_FRAME_HEADERS = 1,
    MG_FRAME_MESSAGE = 2,
    MG_FRAME_TRAILERS = 3,
    MG_FRAME_CANCEL = 4,
    MG_FRAME_WINDOW_UPDATE = 5,
    MG_FRAME_PING = 6,
    MG_FRAME_GO_AWAY = 7,
    MG_FRAME_SETTINGS = 8
};

/* FrameFlag bits: END_STREAM on a client's HEADERS/MESSAGE, ACK on PING (same bit). */
#define MG_FLAG_END_STREAM 0x1u
#define MG_FLAG_ACK 0x1u

/* The protocol's defaults, for SETTINGS fields a peer leaves 0. */
#define MG_DEFAULT_MAX_FRAME_SIZE (4u * 1024u * 1024u)
#define MG_DEFAULT_STREAM_WINDOW (1024u * 1024u)
#define MG_DEFAULT_CONNECTION_WINDOW (16u * 1024u * 1024u)
#define MG_MAX_STREAM_ID 0x7FFFFFFFu

/* One decoded frame; payload points into the decoder's buffer until its next feed. */
typedef struct {
    uint8_t type;
    uint8_t flags;
    uint32_t stream_id;
    uint32_t length;
    const uint8_t *payload;
} mg_frame;

/*
 * Splits a byte stream into frames. Each header is checked as soon as its 10 bytes
 * are in, before the payload is awaited, so a hostile length never makes the
 * client wait for (or buffer towards) a frame it would refuse.
 */
typedef struct {
    uint8_t *data;
    size_t start; /* first unconsumed byte */
    size_t len;   /* end of the buffered bytes */
    size_t cap;
    uint32_t max_frame_size;
    int awaiting_preface;
} mg_decoder;

void mg_decoder_init(mg_decoder *decoder, uint32_t max_frame_size, int expect_preface);
void mg_decoder_free(mg_decoder *decoder);
/* Appends received bytes; -1 when out of memory. Invalidates earlier frames' payloads. */
int mg_decoder_feed(mg_decoder *decoder, const void *bytes, size_t count);
/* 1 with the next frame in *frame, 0 when more bytes are needed, -1 on a protocol
 * error (described in error; the connection cannot continue). */
int mg_decoder_next(mg_decoder *decoder, mg_frame *frame, char *error, size_t error_size);
/* Bytes received but not yet returned as part of a frame. */
size_t mg_decoder_buffered(const mg_decoder *decoder);

/* 0 when a header could belong to a valid frame, else -1 with the reason in error. */
int mg_frame_check_header(uint32_t length, uint8_t type, uint32_t stream_id, uint32_t max_frame_size,
                          char *error, size_t error_size);
/* Writes a frame header into out[MG_FRAME_HEADER_SIZE]. */
void mg_frame_header_encode(uint8_t *out, uint32_t length, uint8_t type, uint8_t flags, uint32_t stream_id);
/* The name of a frame type ("HEADERS"), or NULL for an unknown one. */
const char *mg_frame_type_name(uint8_t type);

static inline uint32_t mg_read_u32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void mg_write_u32(uint8_t *p, uint32_t value) {
    p[0] = (uint8_t)(value >> 24);
    p[1] = (uint8_t)(value >> 16);
    p[2] = (uint8_t)(value >> 8);
    p[3] = (uint8_t)value;
}

#endif
