/* responder: a bench-only SNMP v2c agent simulator for a whole fleet on loopback.
 *
 * One UDP socket bound to 0.0.0.0:<port> answers every 127.x.y.z it receives for (the
 * destination comes from IP_PKTINFO and the reply leaves from that same address, so each
 * address looks like its own agent). It understands only v2c GetRequest and answers with
 * fixed values: sysUpTime.0 as TimeTicks, 1.3.6.1.4.1.99999.1.<n>.0 as Gauge32 n*100 (n = 4:
 * INTEGER 1), anything else as noSuchObject. Addresses under --ignore a.b (e.g. 127.2)
 * never get an answer: they are the fleet's dead devices. Packets are read and written in
 * batches (recvmmsg/sendmmsg) so the simulator costs far less CPU than the poller it serves.
 *
 * Test infrastructure only: the BER here is hand-written for exactly these two PDUs.
 *
 *   responder [--port 1161] [--ignore 127.2] [--threads 1]
 *   prints "ready" on stdout once bound; SIGTERM/SIGINT end it and print the counters.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define BUF 1500

static volatile sig_atomic_t stopping = 0;
static int port = 1161;
static uint32_t ignore_prefix = 0, ignore_mask = 0; /* host order */
static unsigned long long answered_total = 0, ignored_total = 0, malformed_total = 0;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int sig) { (void)sig; stopping = 1; }

/* ---- BER reading ---- */
struct rd { const uint8_t *p, *end; };

static int rd_tlv(struct rd *r, uint8_t *tag, const uint8_t **val, size_t *len) {
    if (r->end - r->p < 2) return -1;
    *tag = *r->p++;
    size_t l = *r->p++;
    if (l & 0x80) {
        int n = (int)(l & 0x7f);
        if (n < 1 || n > 2 || r->end - r->p < n) return -1;
        l = 0;
        while (n--) l = (l << 8) | *r->p++;
    }
    if ((size_t)(r->end - r->p) < l) return -1;
    *val = r->p;
    *len = l;
    r->p += l;
    return 0;
}

static int rd_int(const uint8_t *v, size_t len, long *out) {
    if (len < 1 || len > 4) return -1;
    long x = (v[0] & 0x80) ? -1 : 0;
    for (size_t i = 0; i < len; i++) x = (x << 8) | v[i];
    *out = x;
    return 0;
}

/* ---- BER writing: content is built first, then wrapped (lengths up to 65535) ---- */
static size_t hdr_len(size_t len) { return len < 128 ? 2 : len < 256 ? 3 : 4; }

static uint8_t *put_hdr(uint8_t *o, uint8_t tag, size_t len) {
    *o++ = tag;
    if (len < 128) *o++ = (uint8_t)len;
    else if (len < 256) { *o++ = 0x81; *o++ = (uint8_t)len; }
    else { *o++ = 0x82; *o++ = (uint8_t)(len >> 8); *o++ = (uint8_t)len; }
    return o;
}

static size_t put_uint(uint8_t *o, uint8_t tag, uint32_t v) {
    uint8_t tmp[5];
    int n = 0;
    do { tmp[n++] = (uint8_t)(v & 0xff); v >>= 8; } while (v);
    if (tmp[n - 1] & 0x80) tmp[n++] = 0;  /* keep it positive */
    o[0] = tag;
    o[1] = (uint8_t)n;
    for (int i = 0; i < n; i++) o[2 + i] = tmp[n - 1 - i];
    return (size_t)(2 + n);
}

static const uint8_t sys_uptime[] = {0x2b, 6, 1, 2, 1, 1, 3, 0};
static const uint8_t bench_base[] = {0x2b, 6, 1, 4, 1, 0x86, 0x8d, 0x1f, 1}; /* 1.3.6.1.4.1.99999.1 */

/* The value for one OID, written at o; returns its length. */
static size_t put_value(uint8_t *o, const uint8_t *oid, size_t oid_len) {
    if (oid_len == sizeof sys_uptime && memcmp(oid, sys_uptime, oid_len) == 0)
        return put_uint(o, 0x43, 8640000u);
    if (oid_len == sizeof bench_base + 2 && memcmp(oid, bench_base, sizeof bench_base) == 0 &&
        oid[oid_len - 1] == 0) {
        uint8_t n = oid[oid_len - 2];
        if (n >= 1 && n <= 3) return put_uint(o, 0x42, 100u * n);
        if (n == 4) return put_uint(o, 0x02, 1);
    }
    o[0] = 0x80; /* noSuchObject */
    o[1] = 0;
    return 2;
}

/* Builds the GetResponse for a v2c GetRequest in `in`; returns its length or 0 to drop. */
static size_t answer(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap) {
    struct rd r = {in, in + in_len}, msg, pdu, vbl;
    uint8_t tag;
    const uint8_t *v, *community, *reqid;
    size_t len, community_len, reqid_len;
    long version;
    if (rd_tlv(&r, &tag, &v, &len) || tag != 0x30) return 0;
    msg.p = v; msg.end = v + len;
    if (rd_tlv(&msg, &tag, &v, &len) || tag != 0x02 || rd_int(v, len, &version) || version != 1) return 0;
    if (rd_tlv(&msg, &tag, &community, &community_len) || tag != 0x04) return 0;
    if (rd_tlv(&msg, &tag, &v, &len) || tag != 0xa0) return 0; /* GetRequest only */
    pdu.p = v; pdu.end = v + len;
    if (rd_tlv(&pdu, &tag, &reqid, &reqid_len) || tag != 0x02) return 0;
    if (rd_tlv(&pdu, &tag, &v, &len) || tag != 0x02) return 0; /* error-status */
    if (rd_tlv(&pdu, &tag, &v, &len) || tag != 0x02) return 0; /* error-index */
    if (rd_tlv(&pdu, &tag, &v, &len) || tag != 0x30) return 0;
    vbl.p = v; vbl.end = v + len;

    /* varbinds first, into the tail of a scratch buffer */
    uint8_t vbs[1200];
    size_t vbs_len = 0;
    while (vbl.p < vbl.end) {
        struct rd vb;
        const uint8_t *oid;
        size_t oid_len;
        if (rd_tlv(&vbl, &tag, &v, &len) || tag != 0x30) return 0;
        vb.p = v; vb.end = v + len;
        if (rd_tlv(&vb, &tag, &oid, &oid_len) || tag != 0x06 || oid_len > 64) return 0;
        uint8_t value[16];
        size_t value_len = put_value(value, oid, oid_len);
        size_t inner = 2 + oid_len + value_len;
        if (vbs_len + hdr_len(inner) + inner > sizeof vbs) return 0;
        uint8_t *o = put_hdr(vbs + vbs_len, 0x30, inner);
        o = put_hdr(o, 0x06, oid_len);
        memcpy(o, oid, oid_len);
        o += oid_len;
        memcpy(o, value, value_len);
        o += value_len;
        vbs_len = (size_t)(o - vbs);
    }
    size_t pdu_len = 2 + reqid_len + 3 + 3 + hdr_len(vbs_len) + vbs_len;
    size_t msg_len = 3 + 2 + community_len + hdr_len(pdu_len) + pdu_len;
    if (hdr_len(msg_len) + msg_len > out_cap || community_len > 127 || reqid_len > 127) return 0;
    uint8_t *o = put_hdr(out, 0x30, msg_len);
    *o++ = 0x02; *o++ = 1; *o++ = 1;                 /* version v2c */
    o = put_hdr(o, 0x04, community_len);
    memcpy(o, community, community_len);
    o += community_len;
    o = put_hdr(o, 0xa2, pdu_len);                   /* GetResponse */
    o = put_hdr(o, 0x02, reqid_len);
    memcpy(o, reqid, reqid_len);
    o += reqid_len;
    *o++ = 0x02; *o++ = 1; *o++ = 0;                 /* error-status 0 */
    *o++ = 0x02; *o++ = 1; *o++ = 0;                 /* error-index 0 */
    o = put_hdr(o, 0x30, vbs_len);
    memcpy(o, vbs, vbs_len);
    o += vbs_len;
    return (size_t)(o - out);
}

static int open_socket(void) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int one = 1, big = 8 << 20;
    if (fd < 0) { perror("socket"); exit(1); }
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
    /* FORCE works as root (the bench runs as root in its namespace); plain as a fallback */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof big) != 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = {htonl(INADDR_ANY)}};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("bind"); exit(1); }
    struct timeval tv = {0, 200000}; /* wake up to notice SIGTERM */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    static __thread uint8_t in[BATCH][BUF], out[BATCH][BUF];
    static __thread char in_ctl[BATCH][64], out_ctl[BATCH][64];
    struct mmsghdr rx[BATCH], tx[BATCH];
    struct iovec rx_iov[BATCH], tx_iov[BATCH];
    struct sockaddr_in from[BATCH];
    unsigned long long answered = 0, ignored = 0, malformed = 0;
    while (!stopping) {
        for (int i = 0; i < BATCH; i++) {
            rx_iov[i] = (struct iovec){in[i], BUF};
            rx[i].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i],
                                            .msg_iov = &rx_iov[i], .msg_iovlen = 1,
                                            .msg_control = in_ctl[i], .msg_controllen = sizeof in_ctl[i]};
        }
        int n = recvmmsg(fd, rx, BATCH, MSG_WAITFORONE, NULL);
        if (n <= 0) continue;
        int m = 0;
        for (int i = 0; i < n; i++) {
            struct in_addr dst = {0};
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&rx[i].msg_hdr); c; c = CMSG_NXTHDR(&rx[i].msg_hdr, c))
                if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
                    dst = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_addr;
            if (ignore_mask && (ntohl(dst.s_addr) & ignore_mask) == ignore_prefix) { ignored++; continue; }
            size_t len = answer(in[i], rx[i].msg_len, out[m], BUF);
            if (!len) { malformed++; continue; }
            tx_iov[m] = (struct iovec){out[m], len};
            memset(out_ctl[m], 0, sizeof out_ctl[m]);
            tx[m].msg_hdr = (struct msghdr){.msg_name = &from[i], .msg_namelen = sizeof from[i],
                                            .msg_iov = &tx_iov[m], .msg_iovlen = 1,
                                            .msg_control = out_ctl[m],
                                            .msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo))};
            struct cmsghdr *c = CMSG_FIRSTHDR(&tx[m].msg_hdr);
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
            ((struct in_pktinfo *)CMSG_DATA(c))->ipi_spec_dst = dst; /* reply from the agent's own address */
            m++;
        }
        for (int sent = 0; sent < m;) {
            int k = sendmmsg(fd, tx + sent, (unsigned)(m - sent), 0);
            if (k <= 0) { if (errno == EINTR) continue; break; }
            sent += k;
        }
        answered += (unsigned long long)m;
    }
    pthread_mutex_lock(&count_lock);
    answered_total += answered;
    ignored_total += ignored;
    malformed_total += malformed;
    pthread_mutex_unlock(&count_lock);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--port") && i + 1 < argc) port = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ignore") && i + 1 < argc) {
            unsigned a = 0, b = 0;
            if (sscanf(argv[++i], "%u.%u", &a, &b) != 2 || a > 255 || b > 255) {
                fprintf(stderr, "--ignore wants a.b (a /16 prefix)\n");
                return 2;
            }
            ignore_prefix = (a << 24) | (b << 16);
            ignore_mask = 0xffff0000u;
        } else {
            fprintf(stderr, "usage: responder [--port N] [--ignore a.b] [--threads N]\n");
            return 2;
        }
    }
    if (threads < 1 || threads > 16) threads = 1;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    pthread_t t[16];
    for (int i = 0; i < threads; i++) {
        int fd = open_socket();
        pthread_create(&t[i], NULL, serve, (void *)(intptr_t)fd);
    }
    printf("ready\n");
    fflush(stdout);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    fprintf(stderr, "responder: answered %llu ignored %llu malformed %llu\n", answered_total, ignored_total,
            malformed_total);
    return 0;
}
