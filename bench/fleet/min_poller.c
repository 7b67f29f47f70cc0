/* min_poller: the practical ceiling of Net-SNMP for the fleet bench.
 *
 * One thread, one single-session handle per agent (as avmond has), one epoll set over all
 * their sockets. Each cycle sends one v2c GET with the same 5 OIDs avmond asks for to every
 * agent at once, then reads answers as the sockets become readable until all have answered
 * or the timeout has passed (then snmp_sess_timeout lets Net-SNMP retry or give up).
 * Nothing is stored or evaluated: this is the floor of CPU per request.
 *
 *   min_poller --targets FILE [--port 1161] [--community public] [--cycles 1]
 *              [--timeout-ms 1000] [--retries 1]
 * prints one line per cycle: "cycle N requests R answered A wall_s W cpu_s C"
 * (cpu is user+system of this process during the cycle).
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>

static const char *oids[] = {"1.3.6.1.2.1.1.3.0", "1.3.6.1.4.1.99999.1.1.0", "1.3.6.1.4.1.99999.1.2.0",
                             "1.3.6.1.4.1.99999.1.3.0", "1.3.6.1.4.1.99999.1.4.0"};
enum { n_oids = 5 };

struct agent {
    void *sessp;
    int fd;
    int outstanding;
};

static int answered, finished;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static int on_event(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic) {
    (void)s; (void)reqid;
    struct agent *a = magic;
    if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu->errstat == SNMP_ERR_NOERROR) {
        int values = 0;
        for (netsnmp_variable_list *v = pdu->variables; v; v = v->next_variable) values++;
        if (values == n_oids) answered++;
    }
    a->outstanding = 0;
    finished++;
    return 1;
}

int main(int argc, char **argv) {
    const char *targets = NULL, *community = "public";
    int port = 1161, cycles = 1, timeout_ms = 1000, retries = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--targets")) targets = argv[i + 1];
        else if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--community")) community = argv[i + 1];
        else if (!strcmp(argv[i], "--cycles")) cycles = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--timeout-ms")) timeout_ms = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--retries")) retries = atoi(argv[i + 1]);
    }
    FILE *f = targets ? fopen(targets, "r") : NULL;
    if (!f) {
        fprintf(stderr, "min_poller: --targets FILE (one IPv4 address per line) is required\n");
        return 2;
    }
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    setenv("MIBS", "", 1); /* numeric OIDs only: no MIB loading */
    init_snmp("min_poller");

    oid parsed[n_oids][MAX_OID_LEN];
    size_t parsed_len[n_oids];
    for (int i = 0; i < n_oids; i++) {
        parsed_len[i] = MAX_OID_LEN;
        if (!snmp_parse_oid(oids[i], parsed[i], &parsed_len[i])) return 1;
    }

    int cap = 1024, n = 0;
    struct agent *agents = malloc(sizeof *agents * (size_t)cap);
    int ep = epoll_create1(0);
    int max_fd = 0;
    char line[128];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        if (n == cap) agents = realloc(agents, sizeof *agents * (size_t)(cap *= 2));
        char peer[160];
        snprintf(peer, sizeof peer, "udp:%s:%d", line, port);
        netsnmp_session cfg;
        snmp_sess_init(&cfg);
        cfg.version = SNMP_VERSION_2c;
        cfg.peername = peer;
        cfg.community = (u_char *)community;
        cfg.community_len = strlen(community);
        cfg.timeout = timeout_ms * 1000L;
        cfg.retries = retries;
        cfg.callback = on_event;
        cfg.callback_magic = &agents[n];
        void *sessp = snmp_sess_open(&cfg);
        if (!sessp) {
            fprintf(stderr, "min_poller: cannot open a session to %s\n", line);
            return 1;
        }
        agents[n] = (struct agent){sessp, snmp_sess_transport(sessp)->sock, 0};
        if (agents[n].fd > max_fd) max_fd = agents[n].fd;
        n++;
    }
    fclose(f);
    /* callback_magic pointed into the array before a realloc could move it: fix it up */
    for (int i = 0; i < n; i++) {
        snmp_sess_session(agents[i].sessp)->callback_magic = &agents[i];
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, agents[i].fd, &ev);
    }
    netsnmp_large_fd_set fds;
    netsnmp_large_fd_set_init(&fds, max_fd + 1);

    struct epoll_event events[256];
    for (int c = 1; c <= cycles; c++) {
        answered = finished = 0;
        double t0 = now_s(), c0 = cpu_s();
        for (int i = 0; i < n; i++) {
            netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
            for (int k = 0; k < n_oids; k++) snmp_add_null_var(pdu, parsed[k], parsed_len[k]);
            if (snmp_sess_async_send(agents[i].sessp, pdu, on_event, &agents[i])) agents[i].outstanding = 1;
            else { snmp_free_pdu(pdu); finished++; }
        }
        double next_timeout = now_s() + timeout_ms / 1000.0;
        while (finished < n) {
            int wait = (int)((next_timeout - now_s()) * 1000) + 1;
            int k = epoll_wait(ep, events, 256, wait < 0 ? 0 : wait);
            for (int e = 0; e < k; e++) {
                struct agent *a = &agents[events[e].data.u32];
                NETSNMP_LARGE_FD_SET(a->fd, &fds);
                snmp_sess_read2(a->sessp, &fds);
                NETSNMP_LARGE_FD_CLR(a->fd, &fds);
            }
            if (now_s() >= next_timeout) {
                for (int i = 0; i < n; i++)
                    if (agents[i].outstanding) snmp_sess_timeout(agents[i].sessp);
                next_timeout = now_s() + timeout_ms / 1000.0;
            }
        }
        printf("cycle %d requests %d answered %d wall_s %.6f cpu_s %.6f\n", c, n, answered, now_s() - t0,
               cpu_s() - c0);
        fflush(stdout);
    }
    for (int i = 0; i < n; i++) snmp_sess_close(agents[i].sessp);
    return 0;
}
