/*
 * The shared conformance vectors (tools/conformance/vectors) through protobuf-c:
 * every vector in index.json must unpack with the generated descriptor of its
 * message and pack back byte for byte, unknown fields included (protobuf-c keeps
 * them, in arrival order, after the known fields).
 *
 * One difference is protobuf-c's by design: it packs a map entry as an ordinary
 * proto3 message, so an entry whose value is "" goes out without its value field
 * (2 bytes shorter), where the official libraries write key and value always.
 * Both decode to the same map. The test allows exactly that: the vector with
 * empty map-entry values removed (expected_from_protobuf_c) must equal protobuf-c's
 * bytes; any other difference fails. It counts how many vectors needed it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "check.h"

extern const ProtobufCMessageDescriptor *const mg_all_descriptors[];

static const ProtobufCMessageDescriptor *find_descriptor(const char *name) {
    for (size_t i = 0; mg_all_descriptors[i] != NULL; i++)
        if (strcmp(mg_all_descriptors[i]->name, name) == 0) return mg_all_descriptors[i];
    return NULL;
}

/* Wire-format reading, enough to walk a message against its descriptor. */
static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *value) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t byte = *(*p)++;
        result |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            *value = result;
            return 0;
        }
    }
    return -1;
}

static const ProtobufCFieldDescriptor *field_of(const ProtobufCMessageDescriptor *d, uint32_t number) {
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].id == number) return &d->fields[i];
    return NULL;
}

/* A map<..> field's entry type: a nested message named "...Entry" with key = 1 and value = 2. */
static int is_map_entry(const ProtobufCMessageDescriptor *d) {
    size_t len = strlen(d->name);
    return len > 5 && strcmp(d->name + len - 5, "Entry") == 0 && d->n_fields == 2 && field_of(d, 1) != NULL &&
           field_of(d, 2) != NULL && strcmp(field_of(d, 1)->name, "key") == 0 &&
           strcmp(field_of(d, 2)->name, "value") == 0;
}

/* Appends to out the message in (in[0..len)) as protobuf-c writes it: unchanged but
 * for map entries, where a zero-length key or value field is left out. -1 when the
 * bytes do not parse. */
static int expected_from_protobuf_c(const ProtobufCMessageDescriptor *d, const uint8_t *in, size_t len, uint8_t *out,
                                    size_t *out_len) {
    const uint8_t *p = in, *end = in + len;
    int entry = is_map_entry(d);
    while (p < end) {
        const uint8_t *field_start = p;
        uint64_t tag, value;
        if (read_varint(&p, end, &tag) != 0) return -1;
        uint32_t number = (uint32_t)(tag >> 3);
        switch (tag & 7) {
        case 0:
            if (read_varint(&p, end, &value) != 0) return -1;
            break;
        case 1:
            if (end - p < 8) return -1;
            p += 8;
            break;
        case 5:
            if (end - p < 4) return -1;
            p += 4;
            break;
        case 2: {
            if (read_varint(&p, end, &value) != 0 || value > (uint64_t)(end - p)) return -1;
            const ProtobufCFieldDescriptor *field = field_of(d, number);
            if (entry && field != NULL && value == 0) {
                p += value; /* the omitted empty key or value */
                continue;
            }
            if (field != NULL && field->type == PROTOBUF_C_TYPE_MESSAGE) {
                /* Rewrite the sub-message, then its tag and new length before it. */
                uint8_t *sub = malloc(value ? value : 1);
                size_t sub_len = 0;
                if (sub == NULL || expected_from_protobuf_c(field->descriptor, p, value, sub, &sub_len) != 0) {
                    free(sub);
                    return -1;
                }
                const uint8_t *after_tag = field_start;
                uint64_t ignored;
                read_varint(&after_tag, end, &ignored);
                size_t tag_len = (size_t)(after_tag - field_start);
                memcpy(out + *out_len, field_start, tag_len);
                *out_len += tag_len;
                uint64_t v = sub_len;
                do {
                    uint8_t byte = v & 0x7F;
                    v >>= 7;
                    out[(*out_len)++] = byte | (v ? 0x80 : 0);
                } while (v);
                memcpy(out + *out_len, sub, sub_len);
                *out_len += sub_len;
                free(sub);
                p += value;
                continue;
            }
            p += value;
            break;
        }
        default:
            return -1;
        }
        memcpy(out + *out_len, field_start, (size_t)(p - field_start));
        *out_len += (size_t)(p - field_start);
    }
    return 0;
}

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *data = malloc(size > 0 ? (size_t)size + 1 : 1);
    if (data != NULL && size > 0 && fread(data, 1, (size_t)size, file) != (size_t)size) {
        free(data);
        data = NULL;
    }
    fclose(file);
    if (data != NULL) {
        data[size > 0 ? size : 0] = 0;
        *len = size > 0 ? (size_t)size : 0;
    }
    return data;
}

static int hex_equal(const char *hex, const uint8_t *bytes, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned value;
        if (sscanf(hex + 2 * i, "%2x", &value) != 1 || value != bytes[i]) return 0;
    }
    return hex[2 * len] == '"';
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "../../tools/conformance/vectors";
    char path[4096];
    snprintf(path, sizeof path, "%s/index.json", dir);
    size_t index_len;
    char *index = (char *)read_all(path, &index_len);
    if (index == NULL) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    int vectors = 0, passed = 0, passed_without_empty_map_values = 0, with_unknown = 0, all_fields_nonempty = 0, messages_missing = 0;
    /* index.json entries hold "message", "case", "file" and "hex", in that order. */
    for (char *p = strstr(index, "\"message\": \""); p != NULL; p = strstr(p, "\"message\": \"")) {
        char message[256], kind[64], file[512];
        if (sscanf(p, "\"message\": \"%255[^\"]\",", message) != 1) break;
        char *c = strstr(p, "\"case\": \""), *f = strstr(p, "\"file\": \""), *h = strstr(p, "\"hex\": \"");
        if (c == NULL || f == NULL || h == NULL || sscanf(c, "\"case\": \"%63[^\"]\"", kind) != 1 ||
            sscanf(f, "\"file\": \"%511[^\"]\"", file) != 1) {
            fprintf(stderr, "index.json entry for %s is not as expected\n", message);
            checks_failed++;
            break;
        }
        p = h + 8;
        vectors++;
        const ProtobufCMessageDescriptor *descriptor = find_descriptor(message);
        if (descriptor == NULL) {
            fprintf(stderr, "FAIL %s: no protobuf-c descriptor for %s\n", file, message);
            messages_missing++;
            checks_failed++;
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, file);
        size_t len = 0;
        uint8_t *data = read_all(path, &len);
        checks_run++;
        if (data == NULL || !hex_equal(h + 8, data, len)) {
            fprintf(stderr, "FAIL %s: the file is missing or differs from its hex in index.json\n", file);
            checks_failed++;
            free(data);
            continue;
        }
        ProtobufCMessage *decoded = protobuf_c_message_unpack(descriptor, NULL, len, data);
        if (decoded == NULL) {
            fprintf(stderr, "FAIL %s: protobuf-c cannot unpack it\n", file);
            checks_failed++;
            free(data);
            continue;
        }
        size_t packed_len = protobuf_c_message_get_packed_size(decoded);
        uint8_t *packed = malloc(packed_len ? packed_len : 1);
        size_t written = protobuf_c_message_pack(decoded, packed);
        int same = written == packed_len && packed_len == len && memcmp(packed, data, len) == 0;
        if (same) {
            passed++;
        } else {
            uint8_t *expected = malloc(len ? len : 1);
            size_t expected_len = 0;
            if (expected != NULL && expected_from_protobuf_c(descriptor, data, len, expected, &expected_len) == 0 &&
                expected_len == written && memcmp(expected, packed, written) == 0) {
                passed_without_empty_map_values++;
            } else {
                fprintf(stderr, "FAIL %s: re-encoded %zu bytes differ from the vector's %zu\n", file, written, len);
                checks_failed++;
            }
            free(expected);
        }
        if (strcmp(kind, "unknown_fields") == 0) {
            with_unknown++;
            CHECK(decoded->n_unknown_fields > 0); /* kept, not dropped */
        }
        if (strcmp(kind, "defaults") == 0) CHECK(len == 0);
        if (strcmp(kind, "all_fields") == 0 && descriptor->n_fields > 0) {
            all_fields_nonempty++;
            CHECK(len > 0);
        }
        protobuf_c_message_free_unpacked(decoded, NULL);
        free(packed);
        free(data);
    }
    free(index);
    CHECK(vectors >= 3 && vectors % 3 == 0);
    CHECK(messages_missing == 0);
    printf("vectors: %d of %d decode and re-encode byte-identically; %d more identically but for the empty map-entry "
           "values protobuf-c leaves out (%d with unknown fields, %d non-empty all_fields)\n",
           passed, vectors, passed_without_empty_map_values, with_unknown, all_fields_nonempty);
    CHECK(passed + passed_without_empty_map_values == vectors);
    return report("test_vectors");
}
