/* The frame codec on bytes alone: encoding, splitting, and refusing malformed or oversized frames. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "frame.h"

static size_t put_frame(uint8_t *out, uint8_t type, uint8_t flags, uint32_t stream, const void *payload, uint32_t len) {
    mg_frame_header_encode(out, len, type, flags, stream);
    if (len) memcpy(out + MG_FRAME_HEADER_SIZE, payload, len);
    return MG_FRAME_HEADER_SIZE + len;
}

static void header_is_big_endian_length_type_flags_stream(void) {
    uint8_t out[10];
    mg_frame_header_encode(out, 0x01020304, MG_FRAME_MESSAGE, MG_FLAG_END_STREAM, 0x0A0B0C0D);
    const uint8_t want[10] = {1, 2, 3, 4, 2, 1, 0x0A, 0x0B, 0x0C, 0x0D};
    CHECK(memcmp(out, want, 10) == 0);
}

static void frames_split_at_every_byte_decode_the_same(void) {
    uint8_t bytes[256];
    size_t n = 0;
    memcpy(bytes, MG_PREFACE, MG_PREFACE_LEN);
    n += MG_PREFACE_LEN;
    n += put_frame(bytes + n, MG_FRAME_SETTINGS, 0, 0, "\x08\x64", 2);
    n += put_frame(bytes + n, MG_FRAME_MESSAGE, 0, 1, "hello", 5);
    n += put_frame(bytes + n, MG_FRAME_MESSAGE, 0, 1, NULL, 0);
    n += put_frame(bytes + n, MG_FRAME_TRAILERS, 0, 1, "\x08\x10", 2);
    for (size_t split = 1; split <= n; split++) {
        mg_decoder decoder;
        mg_decoder_init(&decoder, 1024, 1);
        mg_frame frames[4];
        uint8_t payloads[4][8];
        int count = 0, rc;
        char error[128];
        for (size_t at = 0; at < n; at += split) {
            size_t len = n - at < split ? n - at : split;
            CHECK(mg_decoder_feed(&decoder, bytes + at, len) == 0);
            mg_frame frame;
            while ((rc = mg_decoder_next(&decoder, &frame, error, sizeof error)) == 1 && count < 4) {
                memcpy(payloads[count], frame.payload, frame.length);
                frames[count] = frame;
                frames[count].payload = payloads[count];
                count++;
            }
            CHECK(rc == 0);
        }
        CHECK(count == 4);
        CHECK(mg_decoder_buffered(&decoder) == 0);
        if (count == 4) {
            CHECK(frames[0].type == MG_FRAME_SETTINGS && frames[0].length == 2 && frames[0].stream_id == 0);
            CHECK(frames[1].type == MG_FRAME_MESSAGE && frames[1].length == 5 && frames[1].stream_id == 1 &&
                  memcmp(frames[1].payload, "hello", 5) == 0);
            CHECK(frames[2].type == MG_FRAME_MESSAGE && frames[2].length == 0);
            CHECK(frames[3].type == MG_FRAME_TRAILERS && frames[3].flags == 0);
        }
        mg_decoder_free(&decoder);
    }
}

/* Feeds one header (and no payload) and expects a protocol error naming reason. */
static void expect_refused(uint32_t length, uint8_t type, uint32_t stream, uint32_t max, const char *reason) {
    uint8_t header[10];
    mg_frame_header_encode(header, length, type, 0, stream);
    mg_decoder decoder;
    mg_decoder_init(&decoder, max, 0);
    CHECK(mg_decoder_feed(&decoder, header, sizeof header) == 0);
    mg_frame frame;
    char error[200] = "";
    CHECK(mg_decoder_next(&decoder, &frame, error, sizeof error) == -1);
    CHECK_CONTAINS(error, reason);
    mg_decoder_free(&decoder);
}

static void an_oversized_frame_is_refused_before_its_payload_arrives(void) {
    expect_refused(1025, MG_FRAME_MESSAGE, 1, 1024, "MESSAGE frame of 1025 bytes exceeds the limit of 1024");
    expect_refused(0xFFFFFFFF, MG_FRAME_TRAILERS, 3, MG_DEFAULT_MAX_FRAME_SIZE, "exceeds the limit");
    /* Exactly at the limit is fine: the decoder waits for the payload. */
    uint8_t header[10];
    mg_frame_header_encode(header, 1024, MG_FRAME_MESSAGE, 0, 1);
    mg_decoder decoder;
    mg_decoder_init(&decoder, 1024, 0);
    mg_decoder_feed(&decoder, header, sizeof header);
    mg_frame frame;
    char error[100];
    CHECK(mg_decoder_next(&decoder, &frame, error, sizeof error) == 0);
    mg_decoder_free(&decoder);
}

static void malformed_headers_are_protocol_errors(void) {
    expect_refused(0, 0, 1, 1024, "unknown frame type 0");
    expect_refused(0, 9, 1, 1024, "unknown frame type 9");
    expect_refused(0, 255, 0, 1024, "unknown frame type 255");
    expect_refused(2, MG_FRAME_SETTINGS, 1, 1024, "SETTINGS frame on stream 1; it belongs on stream 0");
    expect_refused(8, MG_FRAME_PING, 5, 1024, "PING frame on stream 5");
    expect_refused(0, MG_FRAME_GO_AWAY, 7, 1024, "GO_AWAY frame on stream 7");
    expect_refused(0, MG_FRAME_HEADERS, 0, 1024, "HEADERS frame on stream 0");
    expect_refused(3, MG_FRAME_MESSAGE, 0, 1024, "MESSAGE frame on stream 0");
    expect_refused(0, MG_FRAME_TRAILERS, 0, 1024, "TRAILERS frame on stream 0");
    expect_refused(0, MG_FRAME_CANCEL, 0, 1024, "CANCEL frame on stream 0");
    expect_refused(7, MG_FRAME_PING, 0, 1024, "PING payload of 7 bytes, expected 8");
    expect_refused(9, MG_FRAME_PING, 0, 1024, "PING payload of 9 bytes");
    expect_refused(3, MG_FRAME_WINDOW_UPDATE, 1, 1024, "WINDOW_UPDATE payload of 3 bytes, expected 4");
    expect_refused(5, MG_FRAME_WINDOW_UPDATE, 0, 1024, "WINDOW_UPDATE payload of 5 bytes");
}

static void a_wrong_preface_is_refused_at_its_first_differing_byte(void) {
    mg_decoder decoder;
    mg_decoder_init(&decoder, 1024, 1);
    mg_frame frame;
    char error[200] = "";
    CHECK(mg_decoder_feed(&decoder, "MODEL", 5) == 0);
    CHECK(mg_decoder_next(&decoder, &frame, error, sizeof error) == 0);
    CHECK(mg_decoder_feed(&decoder, "GATE/2", 6) == 0);
    CHECK(mg_decoder_next(&decoder, &frame, error, sizeof error) == -1);
    CHECK_CONTAINS(error, "not a ModelGate/1 peer");
    mg_decoder_free(&decoder);

    mg_decoder_init(&decoder, 1024, 1);
    CHECK(mg_decoder_feed(&decoder, "HTTP/1.1 400 Bad Request\r\n", 26) == 0);
    CHECK(mg_decoder_next(&decoder, &frame, error, sizeof error) == -1);
    mg_decoder_free(&decoder);
}

static void a_truncated_frame_waits_and_then_completes(void) {
    uint8_t bytes[64];
    size_t n = put_frame(bytes, MG_FRAME_WINDOW_UPDATE, 0, 0, "\x00\x00\x10\x00", 4);
    mg_decoder decoder;
    mg_decoder_init(&decoder, 1024, 0);
    mg_frame frame;
    char error[100];
    CHECK(mg_decoder_feed(&decoder, bytes, n - 1) == 0);
    CHECK(mg_decoder_next(&decoder, &frame, error, sizeof error) == 0);
    CHECK(mg_decoder_buffered(&decoder) == n - 1);
    CHECK(mg_decoder_feed(&decoder, bytes + n - 1, 1) == 0);
    CHECK(mg_decoder_next(&decoder, &frame, error, sizeof error) == 1);
    CHECK(frame.type == MG_FRAME_WINDOW_UPDATE && mg_read_u32(frame.payload) == 4096);
    CHECK(mg_decoder_next(&decoder, &frame, error, sizeof error) == 0);
    mg_decoder_free(&decoder);
}

static void a_large_frame_decodes_whole(void) {
    uint32_t len = 3 * 1024 * 1024;
    uint8_t *bytes = malloc(MG_FRAME_HEADER_SIZE + len);
    for (uint32_t i = 0; i < len; i++) bytes[MG_FRAME_HEADER_SIZE + i] = (uint8_t)(i * 7);
    mg_frame_header_encode(bytes, len, MG_FRAME_MESSAGE, MG_FLAG_END_STREAM, 9);
    mg_decoder decoder;
    mg_decoder_init(&decoder, MG_DEFAULT_MAX_FRAME_SIZE, 0);
    mg_frame frame;
    char error[100];
    int rc = 0;
    for (size_t at = 0; at < MG_FRAME_HEADER_SIZE + len && rc == 0; at += 65536) {
        size_t chunk = MG_FRAME_HEADER_SIZE + len - at < 65536 ? MG_FRAME_HEADER_SIZE + len - at : 65536;
        mg_decoder_feed(&decoder, bytes + at, chunk);
        rc = mg_decoder_next(&decoder, &frame, error, sizeof error);
    }
    CHECK(rc == 1);
    CHECK(frame.length == len && frame.flags == MG_FLAG_END_STREAM && frame.stream_id == 9);
    CHECK(rc == 1 && memcmp(frame.payload, bytes + MG_FRAME_HEADER_SIZE, len) == 0);
    mg_decoder_free(&decoder);
    free(bytes);
}

static void type_names_cover_the_protocol(void) {
    CHECK(strcmp(mg_frame_type_name(MG_FRAME_WINDOW_UPDATE), "WINDOW_UPDATE") == 0);
    CHECK(strcmp(mg_frame_type_name(MG_FRAME_SETTINGS), "SETTINGS") == 0);
    CHECK(mg_frame_type_name(0) == NULL && mg_frame_type_name(9) == NULL);
}

int main(void) {
    RUN(header_is_big_endian_length_type_flags_stream);
    RUN(frames_split_at_every_byte_decode_the_same);
    RUN(an_oversized_frame_is_refused_before_its_payload_arrives);
    RUN(malformed_headers_are_protocol_errors);
    RUN(a_wrong_preface_is_refused_at_its_first_differing_byte);
    RUN(a_truncated_frame_waits_and_then_completes);
    RUN(a_large_frame_decodes_whole);
    RUN(type_names_cover_the_protocol);
    return report("test_frames");
}
