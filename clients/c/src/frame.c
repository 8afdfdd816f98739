#include "frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
    NULL, "HEADERS", "MESSAGE", "TRAILERS", "CANCEL", "WINDOW_UPDATE", "PING", "GO_AWAY", "SETTINGS",
};

const char *mg_frame_type_name(uint8_t type) {
    return type < sizeof type_names / sizeof type_names[0] ? type_names[type] : NULL;
}

void mg_decoder_init(mg_decoder *decoder, uint32_t max_frame_size, int expect_preface) {
    memset(decoder, 0, sizeof *decoder);
    decoder->max_frame_size = max_frame_size;
    decoder->awaiting_preface = expect_preface;
}

void mg_decoder_free(mg_decoder *decoder) {
    free(decoder->data);
    decoder->data = NULL;
    decoder->start = decoder->len = decoder->cap = 0;
}

size_t mg_decoder_buffered(const mg_decoder *decoder) {
    return decoder->len - decoder->start;
}

int mg_decoder_feed(mg_decoder *decoder, const void *bytes, size_t count) {
    if (decoder->start > 0) {
        /* Frames returned so far are done with: move the rest to the front. */
        memmove(decoder->data, decoder->data + decoder->start, decoder->len - decoder->start);
        decoder->len -= decoder->start;
        decoder->start = 0;
    }
    if (count == 0) return 0;
    if (decoder->len + count > decoder->cap) {
        size_t cap = decoder->cap ? decoder->cap : 4096;
        while (cap < decoder->len + count) cap *= 2;
        uint8_t *grown = realloc(decoder->data, cap);
        if (grown == NULL) return -1;
        decoder->data = grown;
        decoder->cap = cap;
    }
    memcpy(decoder->data + decoder->len, bytes, count);
    decoder->len += count;
    return 0;
}

int mg_frame_check_header(uint32_t length, uint8_t type, uint32_t stream_id, uint32_t max_frame_size,
                          char *error, size_t error_size) {
    const char *name = mg_frame_type_name(type);
    if (name == NULL) {
        snprintf(error, error_size, "unknown frame type %u", type);
        return -1;
    }
    if (length > max_frame_size) {
        snprintf(error, error_size, "%s frame of %u bytes exceeds the limit of %u", name, length, max_frame_size);
        return -1;
    }
    int connection_only = type == MG_FRAME_PING || type == MG_FRAME_GO_AWAY || type == MG_FRAME_SETTINGS;
    int stream_only = type == MG_FRAME_HEADERS || type == MG_FRAME_MESSAGE || type == MG_FRAME_TRAILERS ||
                      type == MG_FRAME_CANCEL;
    if (connection_only && stream_id != 0) {
        snprintf(error, error_size, "%s frame on stream %u; it belongs on stream 0", name, stream_id);
        return -1;
    }
    if (stream_only && stream_id == 0) {
        snprintf(error, error_size, "%s frame on stream 0", name);
        return -1;
    }
    if (type == MG_FRAME_PING && length != 8) {
        snprintf(error, error_size, "PING payload of %u bytes, expected 8", length);
        return -1;
    }
    if (type == MG_FRAME_WINDOW_UPDATE && length != 4) {
        snprintf(error, error_size, "WINDOW_UPDATE payload of %u bytes, expected 4", length);
        return -1;
    }
    return 0;
}

int mg_decoder_next(mg_decoder *decoder, mg_frame *frame, char *error, size_t error_size) {
    size_t available = decoder->len - decoder->start;
    const uint8_t *p = decoder->data + decoder->start;
    if (decoder->awaiting_preface) {
        size_t seen = available < MG_PREFACE_LEN ? available : MG_PREFACE_LEN;
        if (memcmp(p, MG_PREFACE, seen) != 0) {
            snprintf(error, error_size, "not a ModelGate/1 peer: the connection did not start with its preface");
            return -1;
        }
        if (seen < MG_PREFACE_LEN) return 0;
        decoder->start += MG_PREFACE_LEN;
        decoder->awaiting_preface = 0;
        available -= MG_PREFACE_LEN;
        p += MG_PREFACE_LEN;
    }
    if (available < MG_FRAME_HEADER_SIZE) return 0;
    uint32_t length = mg_read_u32(p);
    uint8_t type = p[4];
    uint32_t stream_id = mg_read_u32(p + 6);
    if (mg_frame_check_header(length, type, stream_id, decoder->max_frame_size, error, error_size) != 0) return -1;
    if (available - MG_FRAME_HEADER_SIZE < length) return 0;
    frame->length = length;
    frame->type = type;
    frame->flags = p[5];
    frame->stream_id = stream_id;
    frame->payload = p + MG_FRAME_HEADER_SIZE;
    decoder->start += MG_FRAME_HEADER_SIZE + (size_t)length;
    return 1;
}

void mg_frame_header_encode(uint8_t *out, uint32_t length, uint8_t type, uint8_t flags, uint32_t stream_id) {
    mg_write_u32(out, length);
    out[4] = type;
    out[5] = flags;
    mg_write_u32(out + 6, stream_id);
}
