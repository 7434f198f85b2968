/* The C side of tests/c_header.rs: maps a file written by Rust through the header
 * mapped::c_header::<Body>() generated, and reads or writes every field.
 *
 *   body_roundtrip read PATH    prints each field as name=value
 *   body_roundtrip write PATH   stores the values tests/c_header.rs expects
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "body.h"

static uint64_t le64(const uint8_t *bytes) {
    uint64_t value = 0;
    for (int i = 7; i >= 0; i--) {
        value = (value << 8) | bytes[i];
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s read|write PATH\n", argv[0]);
        return 2;
    }
    int fd = open(argv[2], O_RDWR);
    if (fd < 0) {
        perror("open");
        return 1;
    }
    struct stat st;
    size_t needed = BODY_HEADER_LEN + sizeof(struct Body);
    if (fstat(fd, &st) != 0 || (size_t)st.st_size < needed) {
        fprintf(stderr, "file too small\n");
        return 1;
    }
    uint8_t *base = mmap(NULL, needed, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED) {
        perror("mmap");
        return 1;
    }

    const struct Body_file_header *header = (const struct Body_file_header *)base;
    if (memcmp(header->magic, BODY_MAGIC, 8) != 0) {
        fprintf(stderr, "bad magic\n");
        return 1;
    }
    const struct Body_schema_area *area = Body_active_area(header);
    if (le64((const uint8_t *)&area->fingerprint) != BODY_FINGERPRINT ||
        le64((const uint8_t *)&area->size) != sizeof(struct Body)) {
        fprintf(stderr, "layout mismatch\n");
        return 1;
    }

    struct Body *body = (struct Body *)(base + BODY_HEADER_LEN);
    if (strcmp(argv[1], "read") == 0) {
        printf("id=%llu\n", (unsigned long long)body->id);
        printf("temp=%d\n", body->temp);
        printf("flags=%u\n", body->flags);
        printf("level=%d\n", body->level);
        printf("count=%lu\n", (unsigned long)body->count);
        printf("pos=%g,%g\n", body->pos.x, body->pos.y);
        printf("trail1=%g,%g\n", body->trail[1].x, body->trail[1].y);
        printf("tag=%.16s\n", (const char *)body->tag);
        /* A byte-order field is its bytes, so C reads it as the byte order says. */
        printf("port=%u\n", (unsigned)(body->port[0] << 8 | body->port[1]));
        printf("hits=%u\n", (unsigned)atomic_load(&body->hits));
        printf("ratio=%g\n", body->ratio);
        printf("grid=%u,%u,%u,%u\n", body->grid[0][0], body->grid[0][1], body->grid[1][0],
               body->grid[1][1]);
    } else if (strcmp(argv[1], "write") == 0) {
        body->id = 987654321;
        body->temp = -40;
        body->flags = 0x81;
        body->level = -1234;
        body->count = 3000000000u;
        body->pos.x = -0.5;
        body->pos.y = 1024.0;
        body->trail[0].y = 7.25;
        memcpy(body->tag, "written by C\0\0\0\0", 16);
        body->port[0] = 443 >> 8;
        body->port[1] = 443 & 0xff;
        atomic_fetch_add(&body->hits, 5);
        body->ratio = 0.125f;
        body->grid[1][0] = 9;
        if (msync(base, needed, MS_SYNC) != 0) {
            perror("msync");
            return 1;
        }
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    munmap(base, needed);
    return 0;
}
