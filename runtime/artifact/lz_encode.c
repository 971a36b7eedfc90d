/* OMLZ encoder (format in lz.h). Used by the writer (serialize.c), i.e. at compile time, so it
 * spends effort for size; the decoder's speed does not depend on it.
 *
 * Matching: hash chains over 3-byte prefixes covering the whole input (every earlier position
 * is a candidate, nearest first, up to `effort` candidates per position), plus the previous
 * match's distance ("rep", cheap to code). Candidates are ranked by an estimate of the bits a
 * match saves over literals (7 bits a literal; a match costs its codes and extra bits), so a
 * far short match is not taken. As in zlib, a match of GOOD_LEN cuts the search short and one
 * of NICE_LEN ends it. Lazy evaluation: a match is deferred by one literal when the
 * next position has a better one (zlib's deflate_slow).
 * Blocks: the token list is cut into equal blocks of 4096, 16384, 65536 tokens or kept whole,
 * whichever codes smallest (each block has its own Huffman codes). Huffman code lengths come
 * from the textbook merge of the two lightest nodes; when a code would be longer than the
 * limit, the frequencies are halved (keeping them non-zero) and the code rebuilt.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "runtime/artifact/lz.h"

#define HASH_BITS 16u
#define NICE_LEN 258u   /* a match this long ends the search */
#define GOOD_LEN 32u    /* ... and one this long cuts the remaining candidates to a quarter */
#define LAZY_LEN 64u
#define DEFAULT_EFFORT 1024

typedef struct tok {
    uint32_t len;    /* 0: literal */
    uint32_t dist;   /* literal: the byte; match: distance, 0 = rep */
} tok;

typedef struct bitwr {
    om_art_buf *out;
    uint64_t buf;
    uint32_t cnt;
} bitwr;

static void put(bitwr *w, uint32_t v, uint32_t k)
{
    w->buf |= (uint64_t)v << w->cnt;
    w->cnt += k;
    if (w->cnt >= 32) {
        uint8_t b[4];
        om_art_put_le(b, w->buf, 4);
        om_art_buf_bytes(w->out, b, 4);
        w->buf >>= 32;
        w->cnt -= 32;
    }
}

static void flush(bitwr *w)
{
    while (w->cnt > 0) {
        uint8_t b = (uint8_t)w->buf;
        om_art_buf_bytes(w->out, &b, 1);
        w->buf >>= 8;
        w->cnt = w->cnt >= 8 ? w->cnt - 8 : 0;
    }
}

static inline uint32_t ilog2(uint32_t v) { return 31u - (uint32_t)__builtin_clz(v); }

static uint32_t len_sym(uint32_t len, uint32_t *extra, uint32_t *ev)
{
    uint32_t v = len - OM_LZ_MIN_MATCH, base, c;
    if (v < 8)
        c = v;
    else {
        uint32_t b = ilog2(v);
        c = 8 + (b - 3) * 4 + ((v >> (b - 2)) & 3);
    }
    om_lz_len_code(c, &base, extra);
    *ev = v - base;
    return 257 + c;
}

static uint32_t dist_sym(uint32_t dist, uint32_t *extra, uint32_t *ev)
{
    if (dist == 0) {
        *extra = *ev = 0;
        return 0;
    }
    uint32_t v = dist - 1, base, c;
    if (v < 4)
        c = v;
    else {
        uint32_t b = ilog2(v);
        c = 4 + (b - 2) * 2 + ((v >> (b - 1)) & 1);
    }
    om_lz_dist_code(c, &base, extra);
    *ev = v - base;
    return 1 + c;
}

/* ---- Huffman code lengths ------------------------------------------------------------- */

typedef struct hnode {
    uint64_t w;
    uint32_t sym;   /* leaves: symbol; used for a deterministic order */
} hnode;

static int cmp_node(const void *a, const void *b)
{
    const hnode *x = a, *y = b;
    if (x->w != y->w)
        return x->w < y->w ? -1 : 1;
    return x->sym < y->sym ? -1 : x->sym > y->sym;
}

/* len[0..n) for freq[0..n) with no length above limit (n <= OM_LZ_N_LL). */
static void huff_lengths(const uint32_t *freq, uint32_t n, uint32_t limit, uint8_t *len)
{
    hnode leaf[OM_LZ_N_LL];
    uint64_t w[2 * OM_LZ_N_LL];
    uint32_t parent[2 * OM_LZ_N_LL], depth[2 * OM_LZ_N_LL];
    uint32_t m = 0, scale = 0;
    memset(len, 0, n);
    for (uint32_t s = 0; s < n; s++)
        if (freq[s])
            leaf[m++] = (hnode){freq[s], s};
    if (m == 0)
        return;
    if (m == 1) {
        len[leaf[0].sym] = 1;
        return;
    }
    qsort(leaf, m, sizeof leaf[0], cmp_node);
    for (;;) {
        /* nodes 0..m-1 leaves (ascending), m..2m-2 internal (created ascending) */
        for (uint32_t i = 0; i < m; i++) {
            uint64_t f = leaf[i].w;
            for (uint32_t k = 0; k < scale; k++)
                f = (f + 1) / 2;
            w[i] = f;
        }
        uint32_t li = 0, ii = m, next = m;
        for (; next < 2 * m - 1; next++) {
            uint32_t pick[2];
            for (int k = 0; k < 2; k++) {
                if (li < m && (ii >= next || w[li] <= w[ii]))
                    pick[k] = li++;
                else
                    pick[k] = ii++;
            }
            w[next] = w[pick[0]] + w[pick[1]];
            parent[pick[0]] = parent[pick[1]] = next;
        }
        uint32_t root = 2 * m - 2, maxd = 0;
        depth[root] = 0;
        for (uint32_t i = root; i-- > 0;) {
            depth[i] = depth[parent[i]] + 1;
            if (i < m && depth[i] > maxd)
                maxd = depth[i];
        }
        if (maxd <= limit) {
            for (uint32_t i = 0; i < m; i++)
                len[leaf[i].sym] = (uint8_t)depth[i];
            return;
        }
        scale++;
    }
}

/* Canonical codes, bit-reversed for the LSB-first stream. */
static void huff_codes(const uint8_t *len, uint32_t n, uint16_t *code)
{
    uint32_t count[16] = {0}, next[16];
    for (uint32_t s = 0; s < n; s++)
        count[len[s]]++;
    count[0] = 0;
    uint32_t c = 0;
    for (uint32_t l = 1; l < 16; l++) {
        c = (c + count[l - 1]) << 1;
        next[l] = c;
    }
    for (uint32_t s = 0; s < n; s++) {
        uint32_t l = len[s];
        if (!l)
            continue;
        uint32_t v = next[l]++, r = 0;
        for (uint32_t i = 0; i < l; i++, v >>= 1)
            r = (r << 1) | (v & 1);
        code[s] = (uint16_t)r;
    }
}

/* ---- blocks ----------------------------------------------------------------------------- */

typedef struct rle {
    uint8_t sym, ebits, eval;
} rle;

/* Codes tokens t[0..nt) as one block; returns its size in bits, and writes it when w != NULL. */
static uint64_t block(const tok *t, size_t nt, bool last, bitwr *w)
{
    uint32_t fll[OM_LZ_N_LL] = {0}, fd[OM_LZ_N_DIST] = {0}, fcl[OM_LZ_N_CL] = {0};
    uint32_t extra, ev;
    for (size_t i = 0; i < nt; i++) {
        if (t[i].len == 0) {
            fll[t[i].dist]++;
            continue;
        }
        fll[len_sym(t[i].len, &extra, &ev)]++;
        fd[dist_sym(t[i].dist, &extra, &ev)]++;
    }
    fll[OM_LZ_END] = 1;
    uint8_t lens[OM_LZ_N_LL + OM_LZ_N_DIST], lcl[OM_LZ_N_CL];
    huff_lengths(fll, OM_LZ_N_LL, OM_LZ_MAX_BITS, lens);
    uint32_t n_ll = OM_LZ_N_LL, n_d = OM_LZ_N_DIST;
    while (n_ll > 257 && !lens[n_ll - 1])
        n_ll--;
    uint8_t *ld = lens + n_ll;
    huff_lengths(fd, OM_LZ_N_DIST, OM_LZ_MAX_BITS, ld);
    while (n_d > 1 && !ld[n_d - 1])
        n_d--;
    /* run-length code the n_ll + n_d lengths */
    rle r[OM_LZ_N_LL + OM_LZ_N_DIST];
    uint32_t nr = 0, total = n_ll + n_d;
    for (uint32_t i = 0; i < total;) {
        uint32_t v = lens[i], run = 1;
        while (i + run < total && lens[i + run] == v)
            run++;
        if (v == 0 && run >= 3) {
            uint32_t k = run > 138 ? 138 : run;
            r[nr++] = k >= 11 ? (rle){18, 7, (uint8_t)(k - 11)} : (rle){17, 3, (uint8_t)(k - 3)};
            i += k;
            continue;
        }
        r[nr++] = (rle){(uint8_t)v, 0, 0};
        i++;
        run--;
        while (v != 0 && run >= 3) {
            uint32_t k = run > 6 ? 6 : run;
            r[nr++] = (rle){16, 2, (uint8_t)(k - 3)};
            i += k;
            run -= k;
        }
    }
    for (uint32_t i = 0; i < nr; i++)
        fcl[r[i].sym]++;
    huff_lengths(fcl, OM_LZ_N_CL, OM_LZ_CL_MAX_BITS, lcl);
    uint32_t n_cl = OM_LZ_N_CL;
    while (n_cl > 4 && !lcl[om_lz_cl_order[n_cl - 1]])
        n_cl--;

    uint64_t bits = 1 + 6 + 6 + 4 + 3ull * n_cl;
    for (uint32_t i = 0; i < nr; i++)
        bits += lcl[r[i].sym] + r[i].ebits;
    for (uint32_t s = 0; s < n_ll; s++)
        bits += (uint64_t)fll[s] * lens[s];
    for (uint32_t s = 0; s < n_d; s++)
        bits += (uint64_t)fd[s] * ld[s];
    for (size_t i = 0; i < nt; i++)
        if (t[i].len) {
            uint32_t e2;
            len_sym(t[i].len, &extra, &ev);
            dist_sym(t[i].dist, &e2, &ev);
            bits += extra + e2;
        }
    if (!w)
        return bits;

    uint16_t cll[OM_LZ_N_LL] = {0}, cd[OM_LZ_N_DIST] = {0}, ccl[OM_LZ_N_CL] = {0};
    huff_codes(lens, n_ll, cll);
    huff_codes(ld, n_d, cd);
    huff_codes(lcl, OM_LZ_N_CL, ccl);
    put(w, last, 1);
    put(w, n_ll - 257, 6);
    put(w, n_d - 1, 6);
    put(w, n_cl - 4, 4);
    for (uint32_t i = 0; i < n_cl; i++)
        put(w, lcl[om_lz_cl_order[i]], 3);
    for (uint32_t i = 0; i < nr; i++) {
        put(w, ccl[r[i].sym], lcl[r[i].sym]);
        if (r[i].ebits)
            put(w, r[i].eval, r[i].ebits);
    }
    for (size_t i = 0; i < nt; i++) {
        if (t[i].len == 0) {
            put(w, cll[t[i].dist], lens[t[i].dist]);
            continue;
        }
        uint32_t s = len_sym(t[i].len, &extra, &ev);
        put(w, cll[s], lens[s]);
        if (extra)
            put(w, ev, extra);
        s = dist_sym(t[i].dist, &extra, &ev);
        put(w, cd[s], ld[s]);
        if (extra)
            put(w, ev, extra);
    }
    put(w, cll[OM_LZ_END], lens[OM_LZ_END]);
    return bits;
}

/* ---- matching --------------------------------------------------------------------------- */

typedef struct match {
    uint32_t len, dist;   /* dist 0: rep */
    int32_t score;
} match;

typedef struct enc {
    const uint8_t *in;
    size_t n;
    int32_t *head, *prev;
    size_t inserted;      /* positions [0, inserted) are in the chains */
    uint32_t rep;
    int effort;
} enc;

static inline uint32_t hash3(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void insert_upto(enc *e, size_t pos)
{
    for (; e->inserted < pos; e->inserted++) {
        size_t i = e->inserted;
        if (i + 3 > e->n)
            continue;
        uint32_t h = hash3(e->in + i);
        e->prev[i] = e->head[h];
        e->head[h] = (int32_t)i;
    }
}

static uint32_t common(const uint8_t *a, const uint8_t *b, uint32_t max)
{
    uint32_t l = 0;
    while (l + 8 <= max) {
        uint64_t x, y;
        memcpy(&x, a + l, 8);
        memcpy(&y, b + l, 8);
        if (x != y)
            return l + (uint32_t)(__builtin_ctzll(x ^ y) >> 3);
        l += 8;
    }
    while (l < max && a[l] == b[l])
        l++;
    return l;
}

/* Estimated bits saved by a match over literals. */
static int32_t score(uint32_t len, uint32_t dist)
{
    uint32_t le, ev, de = 0;
    len_sym(len, &le, &ev);
    if (dist)
        dist_sym(dist, &de, &ev);
    return (int32_t)(7 * len) - (int32_t)(dist ? 10 + de + le : 6 + le);
}

static match find(enc *e, size_t i)
{
    match best = {0, 0, 0};
    size_t left = e->n - i;
    uint32_t max = left > OM_LZ_MAX_MATCH ? OM_LZ_MAX_MATCH : (uint32_t)left;
    if (max < OM_LZ_MIN_MATCH)
        return best;
    const uint8_t *p = e->in + i;
    if (e->rep && e->rep <= i) {
        uint32_t l = common(p, p - e->rep, max);
        if (l >= OM_LZ_MIN_MATCH) {
            int32_t s = score(l, 0);
            if (s > 0)
                best = (match){l, 0, s};
        }
    }
    int32_t c = e->head[hash3(p)];
    for (int chain = e->effort; c >= 0 && chain > 0; chain--, c = e->prev[c]) {
        size_t d = i - (size_t)c;
        if (d > OM_LZ_MAX_DIST)
            break;
        uint32_t bl = best.len;
        if (bl >= OM_LZ_MIN_MATCH && (bl >= max || e->in[c + bl] != p[bl]))
            continue;
        uint32_t l = common(p, e->in + c, max);
        if (l < OM_LZ_MIN_MATCH || l < bl)
            continue;
        int32_t s = score(l, (uint32_t)d);
        if (s > best.score) {
            if (l >= GOOD_LEN && best.len < GOOD_LEN)
                chain = chain / 4 + 1;
            best = (match){l, (uint32_t)d, s};
            if (l >= NICE_LEN || l == max)
                break;
        }
    }
    return best;
}

static int tokenize(enc *e, tok *t, size_t *nt)
{
    size_t i = 0, k = 0, n = e->n;
    while (i < n) {
        insert_upto(e, i);
        match m = find(e, i);
        if (m.len == 0) {
            t[k++] = (tok){0, e->in[i]};
            i++;
            continue;
        }
        while (m.len < LAZY_LEN && i + 1 < n) {
            insert_upto(e, i + 1);
            match m2 = find(e, i + 1);
            if (m2.score <= m.score + 7)
                break;
            t[k++] = (tok){0, e->in[i]};
            i++;
            m = m2;
        }
        if (m.dist == e->rep)
            m.dist = 0;   /* the same distance again: the cheap code */
        t[k++] = (tok){m.len, m.dist};
        if (m.dist)
            e->rep = m.dist;
        i += m.len;
    }
    *nt = k;
    return 0;
}

int om_lz_encode(const uint8_t *in, size_t n, int effort, om_art_buf *out)
{
    if ((uint64_t)n > OM_LZ_MAX_RAW || n > INT32_MAX)
        return -1;
    if (effort <= 0)   /* default: less search on large inputs (compile time stays linear) */
        effort = n > (4u << 20) ? DEFAULT_EFFORT / 8 : n > (1u << 20) ? DEFAULT_EFFORT / 4
                                                                      : DEFAULT_EFFORT;
    enc e = {in, n, NULL, NULL, 0, 0, effort};
    tok *t = malloc((n ? n : 1) * sizeof *t);
    e.head = malloc(sizeof(int32_t) << HASH_BITS);
    e.prev = malloc((n ? n : 1) * sizeof(int32_t));
    int rc = -1;
    if (!t || !e.head || !e.prev)
        goto done;
    memset(e.head, 0xFF, sizeof(int32_t) << HASH_BITS);
    size_t nt = 0;
    tokenize(&e, t, &nt);

    static const size_t sizes[] = {0, 65536, 16384, 4096};   /* 0: one block */
    size_t best_size = 0;
    uint64_t best_bits = UINT64_MAX;
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t bs = sizes[k] ? sizes[k] : (nt ? nt : 1);
        if (sizes[k] && sizes[k] >= nt)
            continue;
        uint64_t bits = 0;
        for (size_t s = 0; s < nt || s == 0; s += bs)
            bits += block(t + s, nt - s < bs ? nt - s : bs, s + bs >= nt, NULL);
        if (bits < best_bits) {
            best_bits = bits;
            best_size = bs;
        }
    }
    bitwr w = {out, 0, 0};
    for (size_t s = 0; s < nt || s == 0; s += best_size)
        block(t + s, nt - s < best_size ? nt - s : best_size, s + best_size >= nt, &w);
    flush(&w);
    rc = out->oom ? -1 : 0;
done:
    free(t);
    free(e.head);
    free(e.prev);
    return rc;
}
