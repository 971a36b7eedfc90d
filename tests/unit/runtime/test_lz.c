/* The OMLZ codec (runtime/artifact/lz_*.c): round trips over random, repetitive, empty,
 * 1-byte, structured and large inputs (checked byte for byte against the input), and the
 * decoder's rejection of damaged streams — truncated anywhere, bad code lengths, distances
 * before the output's start, lengths past the declared size — each with its message.
 * Hostile streams are built bit by bit here (a second, independent writer of the format in
 * lz.h), so the decoder is not only checked against its own encoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/artifact/lz.h"

static uint32_t rng = 1;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Encodes in, decodes into an exact-size heap buffer, compares; returns the stream size. */
static size_t round_trip(const uint8_t *in, size_t n)
{
    om_art_buf b = {0};
    assert_int_equal(om_lz_encode(in, n, 0, &b), 0);
    uint8_t *out = malloc(n ? n : 1);
    uint8_t *stream = malloc(b.size ? b.size : 1);   /* exact size: ASan sees over-reads */
    memcpy(stream, b.p, b.size);
    char err[200] = "";
    if (om_lz_decode(stream, b.size, out, n, err, sizeof err) != 0)
        fail_msg("decode of %zu bytes failed: %s", n, err);
    if (n)
        assert_memory_equal(out, in, n);
    size_t s = b.size;
    free(out);
    free(stream);
    free(b.p);
    return s;
}

static void test_round_trip_small(void **state)
{
    (void)state;
    uint8_t one = 0x5A;
    assert_true(round_trip(NULL, 0) > 0);       /* empty: one block with END only */
    assert_true(round_trip(&one, 1) > 0);
    uint8_t two[2] = {0, 0}, three[3] = {7, 7, 7};
    round_trip(two, 2);
    round_trip(three, 3);
    for (size_t n = 1; n < 300; n += 7) {
        uint8_t buf[300];
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(next_rand() % 4);
        round_trip(buf, n);
    }
}

static void test_round_trip_random(void **state)
{
    (void)state;
    size_t n = 100000;
    uint8_t *in = malloc(n);
    for (size_t i = 0; i < n; i++)
        in[i] = (uint8_t)next_rand();
    size_t s = round_trip(in, n);
    assert_true(s < n + n / 50);   /* incompressible: a little overhead only */
    free(in);
}

static void test_round_trip_repetitive(void **state)
{
    (void)state;
    size_t n = 300000;
    uint8_t *in = malloc(n);
    memset(in, 0, n);
    assert_true(round_trip(in, n) < 200);   /* long matches up to 65538 bytes */
    for (size_t i = 0; i < n; i++)
        in[i] = "abcabcabd"[i % 9];
    assert_true(round_trip(in, n) < 300);
    /* a 1000-byte random record repeated 200 KiB apart: only a large window finds it */
    for (size_t i = 0; i < n; i++)
        in[i] = (uint8_t)next_rand();
    memcpy(in + 250000, in + 10000, 1000);
    size_t with = round_trip(in, n);
    for (size_t i = 250000; i < 251000; i++)
        in[i] = (uint8_t)next_rand();
    size_t without = round_trip(in, n);
    assert_true(without - with > 900);
    free(in);
}

/* Text-like and code-like data, and one large input over several blocks. */
static void test_round_trip_structured_and_large(void **state)
{
    (void)state;
    size_t n = 1536u << 10;   /* over 1 MiB: the encoder's reduced search, many blocks */
    uint8_t *in = malloc(n);
    size_t at = 0;
    while (at < n) {
        char line[96];
        int len = snprintf(line, sizeof line, "  %%v%u = Conv(%%v%u, %%w%u) {pads=[%u,%u]}\n",
                           next_rand() % 5000, next_rand() % 5000, next_rand() % 300,
                           next_rand() % 3, next_rand() % 3);
        for (int i = 0; i < len && at < n; i++)
            in[at++] = (uint8_t)line[i];
        if (next_rand() % 7 == 0)   /* some binary runs between */
            for (int i = 0; i < 40 && at < n; i++)
                in[at++] = (uint8_t)(next_rand() & 0x8F);
    }
    size_t s = round_trip(in, n);
    assert_true(s < n / 2);
    free(in);
}

/* ---- hand-built streams ------------------------------------------------------------------ */

typedef struct wr {
    uint8_t buf[4096];
    size_t nbits;
} wr;

static void put_bits(wr *w, uint32_t v, uint32_t k)
{
    for (uint32_t i = 0; i < k; i++, w->nbits++)
        if (v >> i & 1)
            w->buf[w->nbits / 8] |= (uint8_t)(1u << (w->nbits % 8));
}

/* Canonical code of each symbol from its length (deflate's algorithm), MSB first. */
static void canon(const uint8_t *len, uint32_t n, uint32_t *code)
{
    uint32_t count[16] = {0}, next[16] = {0}, c = 0;
    for (uint32_t s = 0; s < n; s++)
        if (len[s])
            count[len[s]]++;
    for (uint32_t l = 1; l < 16; l++) {
        c = (c + count[l - 1]) << 1;
        next[l] = c;
    }
    for (uint32_t s = 0; s < n; s++)
        if (len[s])
            code[s] = next[len[s]]++;
}

static void put_code(wr *w, uint32_t code, uint32_t len)
{
    for (uint32_t i = len; i-- > 0;)
        put_bits(w, code >> i & 1, 1);
}

/* A block header sending ll[0..n_ll) and d[0..n_d) literally (code-length code: every one
 * of the 19 symbols 5 bits long, so symbol v is v in 5 bits). */
typedef struct blk {
    uint8_t ll[OM_LZ_N_LL], d[OM_LZ_N_DIST];
    uint32_t cll[OM_LZ_N_LL], cd[OM_LZ_N_DIST];
} blk;

static void header(wr *w, blk *b, int last, uint32_t n_ll, uint32_t n_d)
{
    put_bits(w, (uint32_t)last, 1);
    put_bits(w, n_ll - 257, 6);
    put_bits(w, n_d - 1, 6);
    put_bits(w, 19 - 4, 4);
    for (int i = 0; i < 19; i++)
        put_bits(w, 5, 3);
    for (uint32_t s = 0; s < n_ll; s++)
        put_code(w, b->ll[s], 5);
    for (uint32_t s = 0; s < n_d; s++)
        put_code(w, b->d[s], 5);
    canon(b->ll, n_ll, b->cll);
    canon(b->d, n_d, b->cd);
}

static void lit(wr *w, const blk *b, uint32_t s) { put_code(w, b->cll[s], b->ll[s]); }

/* literals 'a' 'b', END, length code 0 (3 bytes) and code 8 (11..12 bytes), all 3 bits;
 * distances: rep, codes 0..3 (distances 1..4) and code 6 (9..12), 3 bits. */
static void simple_block(wr *w, blk *b, int last)
{
    memset(b, 0, sizeof *b);
    b->ll['a'] = b->ll['b'] = b->ll[OM_LZ_END] = b->ll[257] = b->ll[257 + 8] = 3;
    for (int s = 0; s <= 4; s++)
        b->d[s] = 3;
    b->d[7] = 3;
    header(w, b, last, 257 + 9, 8);
}

static void expect_decode_error(const wr *w, size_t out_size, const char *needle)
{
    size_t n = (w->nbits + 7) / 8;
    uint8_t *in = malloc(n ? n : 1), *out = malloc(out_size ? out_size : 1);
    memcpy(in, w->buf, n);
    char err[200] = "";
    assert_int_equal(om_lz_decode(in, n, out, out_size, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("message '%s' lacks '%s'", err, needle);
    free(in);
    free(out);
}

static void expect_decode_ok(const wr *w, const char *want, size_t out_size)
{
    size_t n = (w->nbits + 7) / 8;
    uint8_t out[64];
    char err[200] = "";
    if (om_lz_decode(w->buf, n, out, out_size, err, sizeof err) != 0)
        fail_msg("hand-built stream rejected: %s", err);
    assert_memory_equal(out, want, out_size);
}

static void test_hand_built_stream_decodes(void **state)
{
    (void)state;
    wr w = {0};
    blk b;
    simple_block(&w, &b, 1);
    lit(&w, &b, 'a');
    lit(&w, &b, 'b');
    lit(&w, &b, 257);                      /* length 3 */
    put_code(&w, b.cd[2], 3);              /* distance 2 */
    lit(&w, &b, 257 + 8);                  /* length 11 + 1 extra bit */
    put_bits(&w, 1, 1);                    /* -> 12 */
    put_code(&w, b.cd[0], 3);              /* rep: distance 2 again */
    lit(&w, &b, OM_LZ_END);
    expect_decode_ok(&w, "ababababababababa", 17);
}

static void test_rejects_distance_beyond_output(void **state)
{
    (void)state;
    wr w = {0};
    blk b;
    simple_block(&w, &b, 1);
    lit(&w, &b, 'a');
    lit(&w, &b, 257);
    put_code(&w, b.cd[4], 3);              /* distance 4 with 1 byte decoded */
    lit(&w, &b, OM_LZ_END);
    expect_decode_error(&w, 4, "distance 4 beyond the 1 bytes decoded");

    wr r = {0};
    simple_block(&r, &b, 1);
    lit(&r, &b, 'a');
    lit(&r, &b, 257);
    put_code(&r, b.cd[0], 3);              /* rep before any match */
    expect_decode_error(&r, 4, "a repeated distance before any match");
}

static void test_rejects_length_overflow(void **state)
{
    (void)state;
    wr w = {0};
    blk b;
    simple_block(&w, &b, 1);
    lit(&w, &b, 'a');
    lit(&w, &b, 257 + 8);                  /* 11 bytes */
    put_bits(&w, 0, 1);
    put_code(&w, b.cd[1], 3);              /* distance 1 */
    lit(&w, &b, OM_LZ_END);
    expect_decode_error(&w, 5, "length overflow: a match of 11 bytes at byte 1 goes past the "
                               "declared 5 bytes");
    expect_decode_ok(&w, "aaaaaaaaaaaa", 12);

    wr l = {0};                            /* literals past the declared size */
    simple_block(&l, &b, 1);
    lit(&l, &b, 'a');
    lit(&l, &b, 'b');
    lit(&l, &b, OM_LZ_END);
    expect_decode_error(&l, 1, "output overflow: a literal past the declared 1 bytes");
    expect_decode_error(&l, 3, "stream ends after 2 of the declared 3 bytes");
    l.nbits = (l.nbits + 7) / 8 * 8 + 8;   /* a whole byte more */
    expect_decode_error(&l, 2, "1 unused bytes after the end of the stream");
}

static void test_rejects_bad_code_lengths(void **state)
{
    (void)state;
    blk b;
    wr w = {0};                            /* three 1-bit codes */
    memset(&b, 0, sizeof b);
    b.ll['a'] = b.ll['b'] = b.ll[OM_LZ_END] = 1;
    header(&w, &b, 1, 257, 1);
    expect_decode_error(&w, 1, "bad code lengths: literal/length code is oversubscribed at length 1");

    wr d = {0};
    memset(&b, 0, sizeof b);
    b.ll['a'] = b.ll[OM_LZ_END] = 1;
    b.d[0] = b.d[1] = b.d[2] = b.d[3] = b.d[4] = 2;
    header(&d, &b, 1, 257, 5);
    expect_decode_error(&d, 1, "bad code lengths: distance code is oversubscribed at length 2");

    wr e = {0};                            /* no END */
    memset(&b, 0, sizeof b);
    b.ll['a'] = b.ll['b'] = 1;
    header(&e, &b, 1, 257, 1);
    expect_decode_error(&e, 1, "bad code lengths: the literal/length code has no end-of-block code");

    wr c = {0};                            /* code-length code oversubscribed: 19 x 1 bit */
    put_bits(&c, 1, 1);
    put_bits(&c, 0, 6);
    put_bits(&c, 0, 6);
    put_bits(&c, 15, 4);
    for (int i = 0; i < 19; i++)
        put_bits(&c, 1, 3);
    expect_decode_error(&c, 1, "bad code lengths: code-length code is oversubscribed at length 1");

    wr r = {0};                            /* a repeat (16) as the very first length */
    put_bits(&r, 1, 1);
    put_bits(&r, 0, 6);
    put_bits(&r, 0, 6);
    put_bits(&r, 15, 4);
    for (int i = 0; i < 19; i++)
        put_bits(&r, 5, 3);
    put_code(&r, 16, 5);
    put_bits(&r, 0, 2);
    expect_decode_error(&r, 1, "bad code lengths: a repeat before any length");

    wr o = {0};                            /* a zero run (18) past the 258 lengths */
    put_bits(&o, 1, 1);
    put_bits(&o, 0, 6);
    put_bits(&o, 0, 6);
    put_bits(&o, 15, 4);
    for (int i = 0; i < 19; i++)
        put_bits(&o, 5, 3);
    put_code(&o, 18, 5);
    put_bits(&o, 127, 7);
    put_code(&o, 18, 5);
    put_bits(&o, 127, 7);
    expect_decode_error(&o, 1, "bad code lengths: a run of 138 goes past the 258 lengths");

    wr h = {0};                            /* header counts beyond the alphabets */
    put_bits(&h, 1, 1);
    put_bits(&h, 63, 6);
    put_bits(&h, 0, 6);
    put_bits(&h, 0, 4);
    put_bits(&h, 0, 32);
    expect_decode_error(&h, 1, "bad block header: 320 literal/length and 1 distance codes");

    wr u = {0};                            /* a bit pattern the (incomplete) code lacks */
    memset(&b, 0, sizeof b);
    b.ll['a'] = b.ll[OM_LZ_END] = 2;       /* codes 00, 01; 1x unused */
    header(&u, &b, 1, 257, 1);
    put_code(&u, 3, 2);
    put_bits(&u, 0, 16);
    expect_decode_error(&u, 1, "invalid Huffman code in the literal/length code");
}

/* Every proper prefix of a valid stream fails (never a crash or over-read: exact-size copies). */
static void test_rejects_truncation_everywhere(void **state)
{
    (void)state;
    uint8_t in[3000];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i % 97 < 50 ? i % 13 : next_rand() % 8);
    om_art_buf b = {0};
    assert_int_equal(om_lz_encode(in, sizeof in, 0, &b), 0);
    uint8_t out[sizeof in];
    int truncated = 0;
    for (size_t cut = 0; cut < b.size; cut++) {
        uint8_t *c = malloc(cut ? cut : 1);
        memcpy(c, b.p, cut);
        char err[200] = "";
        assert_int_equal(om_lz_decode(c, cut, out, sizeof in, err, sizeof err), -1);
        truncated += strstr(err, "truncated stream") != NULL;
        free(c);
    }
    assert_true(truncated > (int)b.size * 9 / 10);
    /* the last byte missing */
    char err[200] = "";
    assert_int_equal(om_lz_decode(b.p, b.size - 1, out, sizeof in, err, sizeof err), -1);
    if (!strstr(err, "truncated stream"))
        fail_msg("'%s'", err);
    /* random damage: fails or decodes, never crashes */
    uint8_t *d = malloc(b.size);
    for (int it = 0; it < 2000; it++) {
        memcpy(d, b.p, b.size);
        for (int k = 0; k < 2; k++)
            d[next_rand() % b.size] ^= (uint8_t)(1u << (next_rand() % 8));
        (void)om_lz_decode(d, b.size, out, sizeof in, err, sizeof err);
    }
    free(d);
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_small),
        cmocka_unit_test(test_round_trip_random),
        cmocka_unit_test(test_round_trip_repetitive),
        cmocka_unit_test(test_round_trip_structured_and_large),
        cmocka_unit_test(test_hand_built_stream_decodes),
        cmocka_unit_test(test_rejects_distance_beyond_output),
        cmocka_unit_test(test_rejects_length_overflow),
        cmocka_unit_test(test_rejects_bad_code_lengths),
        cmocka_unit_test(test_rejects_truncation_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
