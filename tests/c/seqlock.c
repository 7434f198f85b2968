/* The C side of tests/seqlock_c.rs: follows the Seqlock protocol of docs/file-formats.md through
 * the header mapped::c_header::<Quote>() generated, on a headerless file holding a struct Quote.
 *
 *   seqlock read PATH       prints the live copy as bid=.. ask=.. bid_size=.. ask_size=..
 *   seqlock write PATH N    writes bid=N ask=N+1 bid_size=3N ask_size=5N under the writer lock
 */
#define _GNU_SOURCE

#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "quote.h"

#define WORDS ((sizeof(struct Book) + 7) / 8)

/* The words of copy `index`: each is accessed atomically, as the protocol requires. */
static _Atomic uint64_t *copy_words(struct Seqlock_Book *lock, uint64_t index) {
    return (_Atomic uint64_t *)(index ? (void *)&lock->copy1 : (void *)&lock->copy0);
}

static struct Book read_book(struct Seqlock_Book *lock) {
    for (;;) {
        uint64_t s = atomic_load_explicit(&lock->sequence, memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        _Atomic uint64_t *copy = copy_words(lock, s & 1);
        uint64_t words[WORDS];
        for (size_t i = 0; i < WORDS; i++) {
            words[i] = atomic_load_explicit(&copy[i], memory_order_relaxed);
        }
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&lock->sequence, memory_order_relaxed) == s) {
            struct Book book;
            memcpy(&book, words, sizeof book);
            return book;
        }
    }
}

/* This thread's lock word: (start time & (2^42 - 1)) << 22 | tid. */
static uint64_t my_lock_word(void) {
    uint64_t tid = (uint64_t)syscall(SYS_gettid);
    char stat[1024];
    FILE *file = fopen("/proc/thread-self/stat", "r");
    if (!file || !fgets(stat, sizeof stat, file)) {
        perror("/proc/thread-self/stat");
        exit(1);
    }
    fclose(file);
    /* Fields after the command name, which ends at the last ')': state is field 3, the start
     * time field 22. */
    char *field = strrchr(stat, ')') + 2;
    for (int n = 3; n < 22; n++) {
        field = strchr(field, ' ') + 1;
    }
    uint64_t start = strtoull(field, NULL, 10);
    return ((start & ((UINT64_C(1) << 42) - 1)) << 22) | tid;
}

static void store_copy(_Atomic uint64_t *copy, const struct Book *book) {
    uint64_t words[WORDS] = {0};
    memcpy(words, book, sizeof *book);
    for (size_t i = 0; i < WORDS; i++) {
        atomic_store_explicit(&copy[i], words[i], memory_order_relaxed);
    }
}

static void write_book(struct Seqlock_Book *lock, const struct Book *book) {
    uint64_t me = my_lock_word();
    uint64_t free_word = 0;
    /* A real writer would wait here, and take over a dead owner's word (docs/file-formats.md). */
    while (!atomic_compare_exchange_weak_explicit(&lock->lock, &free_word, me, memory_order_acquire,
                                                  memory_order_relaxed)) {
        free_word = 0;
    }
    uint64_t s = atomic_fetch_add_explicit(&lock->sequence, 0, memory_order_acquire);
    uint64_t live = s & 1;
    atomic_thread_fence(memory_order_release);
    store_copy(copy_words(lock, 1 - live), book);
    atomic_store_explicit(&lock->sequence, s + 1, memory_order_release);
    atomic_thread_fence(memory_order_release);
    store_copy(copy_words(lock, live), book);
    atomic_compare_exchange_strong_explicit(&lock->lock, &me, 0, memory_order_release,
                                            memory_order_relaxed);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s read PATH | write PATH N\n", argv[0]);
        return 2;
    }
    int fd = open(argv[2], O_RDWR);
    if (fd < 0) {
        perror(argv[2]);
        return 1;
    }
    struct Quote *quote =
        mmap(NULL, sizeof *quote, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (quote == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    if (strcmp(argv[1], "read") == 0) {
        struct Book book = read_book(&quote->book);
        printf("bid=%llu ask=%llu bid_size=%u ask_size=%u\n", (unsigned long long)book.bid,
               (unsigned long long)book.ask, book.bid_size, book.ask_size);
    } else if (strcmp(argv[1], "write") == 0 && argc == 4) {
        uint64_t n = strtoull(argv[3], NULL, 10);
        struct Book book = {n, n + 1, (uint32_t)(3 * n), (uint32_t)(5 * n)};
        write_book(&quote->book, &book);
    } else {
        fprintf(stderr, "unknown command %s\n", argv[1]);
        return 2;
    }
    munmap(quote, sizeof *quote);
    close(fd);
    return 0;
}
