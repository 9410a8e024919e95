// SPDX-License-Identifier: GPL-2.0
/*
 * arp_storm - send a bounded storm of ARP frames on one interface.
 *
 * Frames go out through an AF_PACKET/SOCK_RAW socket bound to the interface.
 * Every frame comes from one of N synthetic clients ("sources"): source k
 * uses IP (--src-ip + k) and MAC (--src-mac + k), both as Ethernet source and
 * as ARP sender, so a bridge in front of a bond learns N clients.
 *
 * The frame kinds (request, reply, gratuitous) are interleaved in the
 * proportions given by --mix with a smooth weighted round-robin, so a run of
 * 100 frames with req=70,reply=20,grat=10 carries exactly 70/20/10 frames.
 * Malformed frames are spread evenly (ratio P: every 1/P-th frame) and their
 * kinds are cycled in the order given.
 *
 * One precomputed template per frame kind is copied into a batch slot and
 * only the per-source fields are patched.  Batches go out with sendmmsg();
 * with --rate the batch holds just the frames that are due, so pacing and
 * batching share one code path.
 *
 * Build: cc -O2 -Wall -Wextra -o arp_storm arp_storm.c
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define PROG			"arp_storm"

#define MAC_LEN			6
#define ETH_HDR_LEN		14
#define VLAN_TAG_LEN		4
#define ARP_LEN			28	/* Ethernet/IPv4 ARP body */
#define FRAME_MAX_HDR		64	/* room for L2 header + ARP body */

/* Offsets inside the ARP body */
#define AR_HRD			0
#define AR_PRO			2
#define AR_HLN			4
#define AR_PLN			5
#define AR_OP			6
#define AR_SHA			8
#define AR_SPA			14
#define AR_THA			18
#define AR_TPA			24

#define ARP_OP_REQUEST		1
#define ARP_OP_REPLY		2

/* Values used by the malformed variants */
#define BAD_HLN			8	/* claims 8-byte hardware addresses */
#define BAD_PLN			16	/* claims 16-byte protocol addresses */
#define BAD_HRD			32	/* ARPHRD_INFINIBAND, not Ethernet */
#define BAD_OP			0x00ff	/* unassigned ARP opcode */
#define TRUNC_ARP_LEN		26	/* cut 2 bytes into the target IP */

#define DEFAULT_COUNT		1000
#define DEFAULT_BATCH		64
#define MAX_BATCH		1024
#define MAX_SOURCES		1000000u
#define MAX_RUNTIME_S		86400.0	/* hard upper bound of any run */
#define MAX_RATE		100000000.0
#define MAX_COUNT		1000000000000ull
#define STALL_LIMIT_NS		5000000000ull	/* give up after 5 s without progress */
#define MAX_CONSEC_ERRORS	1000
#define SNDBUF_BYTES		(4 * 1024 * 1024)
#define RATIO_SCALE		1000000000ull
#define INIT_NET_INO		0xEFFFFFF9u	/* fixed init_net inode on newer kernels */

enum kind { K_REQ, K_REPLY, K_GRAT, K_MAX };

static const char *const kind_name[K_MAX] = { "request", "reply", "gratuitous" };

enum malformed {
	M_TRUNCATED, M_HLN, M_PLN, M_HRD, M_ZERO_MAC, M_BCAST_MAC, M_PADDING, M_OP, M_MAX
};

static const char *const mal_name[M_MAX] = {
	"truncated", "hln", "pln", "hrd", "zero-mac", "bcast-mac", "padding", "op"
};

struct config {
	const char *iface;
	unsigned int weight[K_MAX];
	uint32_t sources;
	uint32_t src_ip;		/* host byte order */
	uint64_t src_mac;		/* low 48 bits */
	uint32_t target_ip;		/* host byte order */
	bool have_target_ip;
	uint8_t target_mac[MAC_LEN];
	bool have_target_mac;
	bool random;
	uint64_t seed;
	double rate;
	uint64_t count;
	bool have_count;
	double duration;
	bool have_duration;
	unsigned int batch;
	int vlan;			/* -1: untagged */
	int vlan_prio;			/* -1: not given */
	uint8_t mal_list[M_MAX];
	unsigned int n_mal;
	double mal_ratio;
	bool have_mal_ratio;
	uint16_t grat_op;
	bool json;
	uint64_t dry_run;		/* 0: off */
	bool allow_init_netns;
};

struct frame {
	uint8_t hdr[FRAME_MAX_HDR];
	unsigned int len;		/* bytes of hdr in the frame */
	unsigned int pad;		/* zero bytes appended after hdr */
	uint8_t kind;
	int8_t mal;			/* -1: well-formed */
	uint32_t src;
};

struct gen {
	const struct config *cfg;
	uint8_t tmpl[K_MAX][FRAME_MAX_HDR];
	unsigned int l2len;		/* 14, or 18 with a VLAN tag */
	unsigned int mtu;
	unsigned int weight[K_MAX];	/* --mix weights divided by their gcd */
	unsigned int total_weight;	/* period of the kind sequence */
	int64_t wrr[K_MAX];
	uint64_t block_len;		/* lcm(sources, total_weight) */
	uint64_t in_block;
	uint32_t next_src;
	uint64_t rng;
	uint64_t ratio_step;		/* malformed ratio * RATIO_SCALE */
	uint64_t ratio_acc;
	uint64_t mal_seq[K_MAX];	/* malformed frames generated, per kind */
};

struct stats {
	uint64_t sent;
	uint64_t malformed;
	uint64_t errors;
	uint64_t retries;
	uint64_t per_kind[K_MAX];
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

static void __attribute__((noreturn, format(printf, 2, 3))) die(int code, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static void usage(void)
{
	printf(
"Usage: " PROG " -i IFACE [OPTIONS]\n"
"Send a bounded storm of ARP frames on IFACE through an AF_PACKET raw socket.\n"
"\n"
"Interface and safety:\n"
"  -i, --iface IFACE        interface to send on (required unless --dry-run)\n"
"      --allow-init-netns   allow running in the initial network namespace\n"
"                           (refused by default; loopback and down interfaces\n"
"                           are always refused)\n"
"\n"
"Frames:\n"
"      --mix SPEC           frame kind weights, e.g. req=70,reply=20,grat=10\n"
"                           kinds: req|request, reply, grat|gratuitous;\n"
"                           weights 0..1000000 (default: req=1); kinds are\n"
"                           interleaved deterministically in that proportion\n"
"      --target-ip A.B.C.D  ARP target IP of requests and replies (required\n"
"                           when the mix has req or reply)\n"
"      --target-mac MAC     destination and ARP target MAC of replies\n"
"                           (required when the mix has reply)\n"
"      --grat-op OP         opcode of gratuitous ARPs: request (default,\n"
"                           target MAC zero) or reply (target MAC = sender)\n"
"      --vlan ID            add an 802.1Q tag with VLAN ID 0..4094\n"
"      --vlan-prio P        802.1Q priority 0..7 (needs --vlan; default 0)\n"
"\n"
"Sources (source k = k-th client, k = 0..N-1):\n"
"      --sources N          number of distinct sources, 1..1000000 (default 1)\n"
"      --src-ip A.B.C.D     IP of source 0; source k uses IP + k (default\n"
"                           10.0.0.1)\n"
"      --src-mac MAC        unicast MAC of source 0; source k uses MAC + k\n"
"                           (default 02:00:00:00:00:01); used as Ethernet\n"
"                           source and ARP sender address\n"
"      --random             pick each frame's source at random instead of\n"
"                           cycling 0,1,..,N-1\n"
"      --seed S             seed of --random (default 1)\n"
"\n"
"Malformed frames (otherwise valid frames of the chosen kind):\n"
"      --malformed K[,K...] kinds, cycled in the given order, or 'all':\n"
"                           truncated  frame ends 2 bytes into the target IP\n"
"                                      (40 bytes, 44 with a VLAN tag)\n"
"                           hln        ar_hln = 8\n"
"                           pln        ar_pln = 16\n"
"                           hrd        ar_hrd = 32 (InfiniBand)\n"
"                           zero-mac   ARP sender MAC 00:00:00:00:00:00\n"
"                           bcast-mac  ARP sender MAC ff:ff:ff:ff:ff:ff\n"
"                           padding    zero padding up to the MTU\n"
"                           op         ar_op = 255 (unassigned)\n"
"      --malformed-ratio P  fraction 0..1 of frames that are malformed,\n"
"                           spread evenly (default 1 with --malformed)\n"
"\n"
"Rate and bounds (a run is always bounded):\n"
"      --rate PPS           frames per second, 0 = as fast as possible\n"
"                           (default 0)\n"
"      --count N            stop after N frames (default 1000 when neither\n"
"                           --count nor --duration is given)\n"
"      --duration SECONDS   stop after SECONDS (fractional, up to 86400)\n"
"      --batch N            frames per sendmmsg() call, 1..1024 (default 64)\n"
"\n"
"Output:\n"
"      --json               print the summary as one JSON object\n"
"      --dry-run K          print the first K frames as hex and send nothing\n"
"                           (no interface or namespace needed; padding\n"
"                           assumes MTU 1500); one line per frame:\n"
"                           frame IDX kind=KIND source=K malformed=M len=L HEX\n"
"  -h, --help               show this help\n"
"\n"
"Summary: sent N frames in S.SSS s (R pps), M malformed, E send errors,\n"
"B retries.  JSON keys: iface, sent, seconds, pps, malformed, send_errors,\n"
"retries, requests, replies, gratuitous, sources, complete.\n"
"\n"
"Exit: 0 all frames sent, 1 fatal or send errors, 2 bad arguments or refused.\n");
}

/* ------------------------------------------------------------------------ */
/* Argument parsing                                                          */

static uint64_t parse_uint(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		usage_error("invalid %s '%s': expected an integer %" PRIu64 "..%" PRIu64,
			    opt, s, min, max);
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		usage_error("invalid %s '%s': expected an integer %" PRIu64 "..%" PRIu64,
			    opt, s, min, max);
	return v;
}

static double parse_double(const char *opt, const char *s, double min, double max,
			   bool min_exclusive)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v != v || v < min || v > max ||
	    (min_exclusive && v == min))
		usage_error("invalid %s '%s': expected a number %s %g and <= %g", opt, s,
			    min_exclusive ? ">" : ">=", min, max);
	return v;
}

static uint32_t parse_ip(const char *opt, const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		usage_error("invalid %s '%s': expected an IPv4 address A.B.C.D", opt, s);
	return ntohl(a.s_addr);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static uint64_t parse_mac(const char *opt, const char *s)
{
	const char *p = s;
	uint64_t mac = 0;
	int i;

	for (i = 0; i < MAC_LEN; i++) {
		int hi = hexval(p[0]), lo;

		if (hi < 0)
			goto bad;
		lo = hexval(p[1]);
		if (lo >= 0) {
			hi = hi * 16 + lo;
			p += 2;
		} else {
			p += 1;
		}
		mac = (mac << 8) | (unsigned int)hi;
		if (i < MAC_LEN - 1) {
			if (*p != ':')
				goto bad;
			p++;
		}
	}
	if (*p)
		goto bad;
	return mac;
bad:
	usage_error("invalid %s '%s': expected a MAC address XX:XX:XX:XX:XX:XX", opt, s);
}

static void put_mac(uint8_t *p, uint64_t mac)
{
	int i;

	for (i = MAC_LEN - 1; i >= 0; i--) {
		p[i] = mac & 0xff;
		mac >>= 8;
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static void parse_mix(struct config *cfg, const char *s)
{
	char *copy = strdup(s), *save = NULL, *tok;
	unsigned int total = 0;

	if (!copy)
		die(1, "out of memory");
	memset(cfg->weight, 0, sizeof(cfg->weight));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		int k;

		if (!eq)
			usage_error("invalid --mix '%s': expected KIND=WEIGHT[,...]", s);
		*eq = '\0';
		if (!strcmp(tok, "req") || !strcmp(tok, "request"))
			k = K_REQ;
		else if (!strcmp(tok, "reply"))
			k = K_REPLY;
		else if (!strcmp(tok, "grat") || !strcmp(tok, "gratuitous"))
			k = K_GRAT;
		else
			usage_error("invalid --mix '%s': unknown kind '%s' (req, reply, grat)",
				    s, tok);
		cfg->weight[k] = parse_uint("--mix weight", eq + 1, 0, 1000000);
	}
	free(copy);
	for (int k = 0; k < K_MAX; k++)
		total += cfg->weight[k];
	if (!total)
		usage_error("invalid --mix '%s': at least one weight must be positive", s);
}

static void parse_malformed(struct config *cfg, const char *s)
{
	char *copy = strdup(s), *save = NULL, *tok;

	if (!copy)
		die(1, "out of memory");
	cfg->n_mal = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int m;

		if (!strcmp(tok, "all")) {
			for (m = 0; m < M_MAX && cfg->n_mal < M_MAX; m++)
				cfg->mal_list[cfg->n_mal++] = m;
			continue;
		}
		for (m = 0; m < M_MAX; m++)
			if (!strcmp(tok, mal_name[m]))
				break;
		if (m == M_MAX)
			usage_error("invalid --malformed '%s': unknown kind '%s' (truncated, hln, "
				    "pln, hrd, zero-mac, bcast-mac, padding, op, all)", s, tok);
		if (cfg->n_mal == M_MAX)
			usage_error("invalid --malformed '%s': more than %d kinds", s, M_MAX);
		cfg->mal_list[cfg->n_mal++] = m;
	}
	free(copy);
	if (!cfg->n_mal)
		usage_error("invalid --malformed '%s': no kind given", s);
}

enum {
	OPT_MIX = 256, OPT_SOURCES, OPT_SRC_IP, OPT_SRC_MAC, OPT_TARGET_IP, OPT_TARGET_MAC,
	OPT_RANDOM, OPT_SEED, OPT_RATE, OPT_COUNT, OPT_DURATION, OPT_BATCH, OPT_VLAN,
	OPT_VLAN_PRIO, OPT_MALFORMED, OPT_MAL_RATIO, OPT_GRAT_OP, OPT_JSON, OPT_DRY_RUN,
	OPT_ALLOW_INIT,
};

static const struct option long_opts[] = {
	{ "help",		no_argument,		NULL, 'h' },
	{ "iface",		required_argument,	NULL, 'i' },
	{ "mix",		required_argument,	NULL, OPT_MIX },
	{ "sources",		required_argument,	NULL, OPT_SOURCES },
	{ "src-ip",		required_argument,	NULL, OPT_SRC_IP },
	{ "src-mac",		required_argument,	NULL, OPT_SRC_MAC },
	{ "target-ip",		required_argument,	NULL, OPT_TARGET_IP },
	{ "target-mac",		required_argument,	NULL, OPT_TARGET_MAC },
	{ "random",		no_argument,		NULL, OPT_RANDOM },
	{ "seed",		required_argument,	NULL, OPT_SEED },
	{ "rate",		required_argument,	NULL, OPT_RATE },
	{ "count",		required_argument,	NULL, OPT_COUNT },
	{ "duration",		required_argument,	NULL, OPT_DURATION },
	{ "batch",		required_argument,	NULL, OPT_BATCH },
	{ "vlan",		required_argument,	NULL, OPT_VLAN },
	{ "vlan-prio",		required_argument,	NULL, OPT_VLAN_PRIO },
	{ "malformed",		required_argument,	NULL, OPT_MALFORMED },
	{ "malformed-ratio",	required_argument,	NULL, OPT_MAL_RATIO },
	{ "grat-op",		required_argument,	NULL, OPT_GRAT_OP },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "dry-run",		required_argument,	NULL, OPT_DRY_RUN },
	{ "allow-init-netns",	no_argument,		NULL, OPT_ALLOW_INIT },
	{ NULL, 0, NULL, 0 },
};

static void parse_args(struct config *cfg, int argc, char **argv)
{
	int c;

	memset(cfg, 0, sizeof(*cfg));
	cfg->weight[K_REQ] = 1;
	cfg->sources = 1;
	cfg->src_ip = 0x0a000001;		/* 10.0.0.1 */
	cfg->src_mac = 0x020000000001ull;	/* 02:00:00:00:00:01 */
	cfg->seed = 1;
	cfg->batch = DEFAULT_BATCH;
	cfg->vlan = -1;
	cfg->vlan_prio = -1;
	cfg->grat_op = ARP_OP_REQUEST;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hi:", long_opts, NULL)) != -1) {
		const char *a = optarg;

		switch (c) {
		case 'h':
			usage();
			exit(0);
		case 'i':
			if (!*a || strlen(a) >= IFNAMSIZ)
				usage_error("invalid --iface '%s': expected 1..%d characters",
					    a, IFNAMSIZ - 1);
			cfg->iface = a;
			break;
		case OPT_MIX:
			parse_mix(cfg, a);
			break;
		case OPT_SOURCES:
			cfg->sources = parse_uint("--sources", a, 1, MAX_SOURCES);
			break;
		case OPT_SRC_IP:
			cfg->src_ip = parse_ip("--src-ip", a);
			break;
		case OPT_SRC_MAC:
			cfg->src_mac = parse_mac("--src-mac", a);
			break;
		case OPT_TARGET_IP:
			cfg->target_ip = parse_ip("--target-ip", a);
			cfg->have_target_ip = true;
			break;
		case OPT_TARGET_MAC:
			put_mac(cfg->target_mac, parse_mac("--target-mac", a));
			cfg->have_target_mac = true;
			break;
		case OPT_RANDOM:
			cfg->random = true;
			break;
		case OPT_SEED:
			cfg->seed = parse_uint("--seed", a, 0, UINT64_MAX);
			break;
		case OPT_RATE:
			cfg->rate = parse_double("--rate", a, 0, MAX_RATE, false);
			break;
		case OPT_COUNT:
			cfg->count = parse_uint("--count", a, 1, MAX_COUNT);
			cfg->have_count = true;
			break;
		case OPT_DURATION:
			cfg->duration = parse_double("--duration", a, 0, MAX_RUNTIME_S, true);
			cfg->have_duration = true;
			break;
		case OPT_BATCH:
			cfg->batch = parse_uint("--batch", a, 1, MAX_BATCH);
			break;
		case OPT_VLAN:
			cfg->vlan = parse_uint("--vlan", a, 0, 4094);
			break;
		case OPT_VLAN_PRIO:
			cfg->vlan_prio = parse_uint("--vlan-prio", a, 0, 7);
			break;
		case OPT_MALFORMED:
			parse_malformed(cfg, a);
			break;
		case OPT_MAL_RATIO:
			cfg->mal_ratio = parse_double("--malformed-ratio", a, 0, 1, false);
			cfg->have_mal_ratio = true;
			break;
		case OPT_GRAT_OP:
			if (!strcmp(a, "request") || !strcmp(a, "req"))
				cfg->grat_op = ARP_OP_REQUEST;
			else if (!strcmp(a, "reply"))
				cfg->grat_op = ARP_OP_REPLY;
			else
				usage_error("invalid --grat-op '%s': expected request or reply", a);
			break;
		case OPT_JSON:
			cfg->json = true;
			break;
		case OPT_DRY_RUN:
			cfg->dry_run = parse_uint("--dry-run", a, 1, MAX_SOURCES);
			break;
		case OPT_ALLOW_INIT:
			cfg->allow_init_netns = true;
			break;
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);

	/* Cross-option checks */
	if (!cfg->iface && !cfg->dry_run)
		usage_error("missing --iface");
	if ((cfg->weight[K_REQ] || cfg->weight[K_REPLY]) && !cfg->have_target_ip)
		usage_error("missing --target-ip (needed by %s frames)",
			    cfg->weight[K_REQ] ? "request" : "reply");
	if (cfg->weight[K_REPLY] && !cfg->have_target_mac)
		usage_error("missing --target-mac (needed by reply frames)");
	if (cfg->vlan_prio >= 0 && cfg->vlan < 0)
		usage_error("--vlan-prio needs --vlan");
	if (cfg->have_mal_ratio && !cfg->n_mal)
		usage_error("--malformed-ratio needs --malformed");
	if (cfg->n_mal && !cfg->have_mal_ratio)
		cfg->mal_ratio = 1.0;
	if ((uint64_t)cfg->src_ip + cfg->sources - 1 > UINT32_MAX)
		usage_error("invalid --src-ip: %u sources starting there pass 255.255.255.255",
			    cfg->sources);
	if (cfg->src_mac & 0x010000000000ull)
		usage_error("invalid --src-mac: must be a unicast address");
	if (!cfg->src_mac)
		usage_error("invalid --src-mac: must not be all-zero");
	if (((cfg->src_mac + cfg->sources - 1) >> 40) != (cfg->src_mac >> 40))
		usage_error("invalid --src-mac: %u sources would carry into the first octet",
			    cfg->sources);
	if (!cfg->have_count && !cfg->have_duration) {
		cfg->count = DEFAULT_COUNT;
		cfg->have_count = true;
	}
	if (cfg->have_count && !cfg->have_duration && cfg->rate > 0 &&
	    cfg->count / cfg->rate > MAX_RUNTIME_S)
		usage_error("invalid --count %" PRIu64 ": at --rate %g it would run longer than "
			    "%.0f s", cfg->count, cfg->rate, MAX_RUNTIME_S);
}

/* ------------------------------------------------------------------------ */
/* Frame generation                                                          */

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void gen_init(struct gen *g, const struct config *cfg, unsigned int mtu)
{
	uint64_t div = 0;
	int k;

	memset(g, 0, sizeof(*g));
	g->cfg = cfg;
	g->mtu = mtu;
	g->rng = cfg->seed;
	g->l2len = ETH_HDR_LEN + (cfg->vlan >= 0 ? VLAN_TAG_LEN : 0);
	g->ratio_step = (uint64_t)(cfg->mal_ratio * RATIO_SCALE + 0.5);

	for (k = 0; k < K_MAX; k++)
		div = gcd64(div, cfg->weight[k]);
	for (k = 0; k < K_MAX; k++) {
		g->weight[k] = cfg->weight[k] / div;
		g->total_weight += g->weight[k];
	}
	g->block_len = cfg->sources / gcd64(cfg->sources, g->total_weight) * g->total_weight;

	for (k = 0; k < K_MAX; k++) {
		uint8_t *f = g->tmpl[k];
		uint8_t *arp = f + g->l2len;

		/* Ethernet header: source MAC is patched per frame */
		if (k == K_REPLY)
			memcpy(f, cfg->target_mac, MAC_LEN);
		else
			memset(f, 0xff, MAC_LEN);
		if (cfg->vlan >= 0) {
			int prio = cfg->vlan_prio < 0 ? 0 : cfg->vlan_prio;

			put16(f + 12, ETHERTYPE_VLAN);
			put16(f + 14, (uint16_t)(prio << 13 | cfg->vlan));
		}
		put16(f + g->l2len - 2, ETHERTYPE_ARP);

		put16(arp + AR_HRD, ARPHRD_ETHER);
		put16(arp + AR_PRO, ETHERTYPE_IP);
		arp[AR_HLN] = MAC_LEN;
		arp[AR_PLN] = 4;
		switch (k) {
		case K_REQ:
			put16(arp + AR_OP, ARP_OP_REQUEST);
			put32(arp + AR_TPA, cfg->target_ip);
			break;
		case K_REPLY:
			put16(arp + AR_OP, ARP_OP_REPLY);
			memcpy(arp + AR_THA, cfg->target_mac, MAC_LEN);
			put32(arp + AR_TPA, cfg->target_ip);
			break;
		case K_GRAT:
			put16(arp + AR_OP, cfg->grat_op);
			break;
		}
	}
}

static unsigned int pick_kind(struct gen *g)
{
	int best = -1, k;

	for (k = 0; k < K_MAX; k++) {
		if (!g->weight[k])
			continue;
		g->wrr[k] += g->weight[k];
		if (best < 0 || g->wrr[k] > g->wrr[best])
			best = k;
	}
	g->wrr[best] -= g->total_weight;
	return best;
}

static uint32_t pick_source(struct gen *g)
{
	uint32_t n = g->cfg->sources, s;

	if (g->cfg->random)
		return (uint32_t)(((splitmix64(&g->rng) >> 32) * n) >> 32);
	s = g->next_src;
	g->next_src = s + 1 == n ? 0 : s + 1;
	return s;
}

/*
 * Sources cycle with period N and kinds with period W (the total weight), so
 * when gcd(N, W) > 1 a source would always get the same kind (N = 50 with
 * req=70,reply=20,grat=10: sources 0,10,20.. only ever send requests).  After
 * every lcm(N, W) frames the kind sequence skips one step, so over W such
 * blocks each source sends every kind in the --mix proportion, while each
 * block still holds whole kind periods and keeps the overall mix exact.
 */
static unsigned int next_kind(struct gen *g)
{
	unsigned int kind = pick_kind(g);

	if (++g->in_block == g->block_len) {
		g->in_block = 0;
		pick_kind(g);
	}
	return kind;
}

static void build_frame(struct gen *g, struct frame *f)
{
	const struct config *cfg = g->cfg;
	uint8_t *arp = f->hdr + g->l2len;
	unsigned int kind;
	uint32_t src, ip;
	uint64_t mac;

	kind = next_kind(g);
	src = pick_source(g);
	mac = cfg->src_mac + src;
	ip = cfg->src_ip + src;

	memcpy(f->hdr, g->tmpl[kind], g->l2len + ARP_LEN);
	f->len = g->l2len + ARP_LEN;
	f->pad = 0;
	f->kind = kind;
	f->src = src;
	f->mal = -1;

	put_mac(f->hdr + MAC_LEN, mac);
	put_mac(arp + AR_SHA, mac);
	put32(arp + AR_SPA, ip);
	if (kind == K_GRAT) {
		put32(arp + AR_TPA, ip);
		if (cfg->grat_op == ARP_OP_REPLY)
			put_mac(arp + AR_THA, mac);
	}

	if (!cfg->n_mal)
		return;
	g->ratio_acc += g->ratio_step;
	if (g->ratio_acc < RATIO_SCALE)
		return;
	g->ratio_acc -= RATIO_SCALE;

	/* Each frame kind cycles through all malformed kinds on its own */
	f->mal = cfg->mal_list[g->mal_seq[kind]++ % cfg->n_mal];
	switch (f->mal) {
	case M_TRUNCATED:
		f->len = g->l2len + TRUNC_ARP_LEN;
		break;
	case M_HLN:
		arp[AR_HLN] = BAD_HLN;
		break;
	case M_PLN:
		arp[AR_PLN] = BAD_PLN;
		break;
	case M_HRD:
		put16(arp + AR_HRD, BAD_HRD);
		break;
	case M_ZERO_MAC:
		memset(arp + AR_SHA, 0, MAC_LEN);
		break;
	case M_BCAST_MAC:
		memset(arp + AR_SHA, 0xff, MAC_LEN);
		break;
	case M_PADDING:
		/* L2 payload (after the Ethernet/VLAN header) fills the MTU */
		f->pad = g->mtu > ARP_LEN ? g->mtu - ARP_LEN : 0;
		break;
	case M_OP:
		put16(arp + AR_OP, BAD_OP);
		break;
	}
}

static int dry_run(const struct config *cfg)
{
	uint64_t n = cfg->dry_run, i;
	struct gen g;
	struct frame f;

	if (cfg->have_count && cfg->count < n)
		n = cfg->count;
	gen_init(&g, cfg, 1500);
	for (i = 0; i < n; i++) {
		unsigned int b;

		build_frame(&g, &f);
		printf("frame %" PRIu64 " kind=%s source=%u malformed=%s len=%u ", i,
		       kind_name[f.kind], f.src, f.mal < 0 ? "none" : mal_name[f.mal],
		       f.len + f.pad);
		for (b = 0; b < f.len; b++)
			printf("%02x", f.hdr[b]);
		for (b = 0; b < f.pad; b++)
			fputs("00", stdout);
		putchar('\n');
	}
	return fflush(stdout) ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Safety checks                                                             */

/*
 * Is this process in the initial network namespace?  Exits (refusing) when
 * that cannot be told.  In order:
 *  - newer kernels give init_net the fixed nsfs inode 0xEFFFFFF9, below the
 *    range handed out to other namespaces: a match is certain;
 *  - compare with the netns of PID 1, or of PID 2 when that is kthreadd
 *    (kernel threads always live in init_net), for sandboxes that hide PID 1;
 *  - last resort when neither can be read: only init_net registers the global
 *    net.core sysctls such as netdev_max_backlog, so their presence under
 *    /proc/sys/net (which shows the reader's netns) means init_net.
 * Inside a PID namespace with its own /proc, PID 1 is the container's init:
 * in its netns this reports "initial" and refuses, which errs on the safe side.
 */
static bool in_initial_netns(void)
{
	static const char *const refs[] = { "/proc/1/ns/net", "/proc/2/ns/net" };
	struct stat self, ref;
	char why[160] = "";
	unsigned int i;

	if (stat("/proc/self/ns/net", &self))
		die(2, "cannot stat /proc/self/ns/net: %s; refusing to send "
		    "(use --allow-init-netns to override)", strerror(errno));
	if (self.st_ino == INIT_NET_INO)
		return true;
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		if (stat(refs[i], &ref)) {
			if (!why[0])
				snprintf(why, sizeof(why), "%s: %s", refs[i], strerror(errno));
			continue;
		}
		if (i == 1) {
			char comm[32] = "";
			FILE *fp = fopen("/proc/2/comm", "r");

			if (fp) {
				if (!fgets(comm, sizeof(comm), fp))
					comm[0] = '\0';
				fclose(fp);
			}
			if (strcmp(comm, "kthreadd\n"))
				continue;
		}
		return self.st_dev == ref.st_dev && self.st_ino == ref.st_ino;
	}
	if (!access("/proc/sys/net/core/netdev_max_backlog", F_OK))
		return true;
	if (!access("/proc/sys/net/core/somaxconn", F_OK))
		return false;
	die(2, "cannot tell whether this is the initial network namespace (%s); refusing to "
	    "send (use --allow-init-netns to override)", why);
}

static int open_iface(const struct config *cfg, unsigned int *mtu)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int fd, ifindex, sz;

	ifindex = if_nametoindex(cfg->iface);
	if (!ifindex)
		die(2, "invalid --iface '%s': %s", cfg->iface,
		    errno == ENODEV ? "no such interface" : strerror(errno));

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(1, "socket(AF_PACKET, SOCK_RAW): %s", strerror(errno));

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", cfg->iface);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr))
		die(1, "SIOCGIFFLAGS %s: %s", cfg->iface, strerror(errno));
	if (ifr.ifr_flags & IFF_LOOPBACK)
		die(2, "refusing to send on loopback interface '%s'", cfg->iface);
	if (!(ifr.ifr_flags & IFF_UP))
		die(2, "refusing to send on '%s': interface is down", cfg->iface);
	if (!(ifr.ifr_flags & IFF_RUNNING))
		die(2, "refusing to send on '%s': interface has no carrier", cfg->iface);

	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		die(1, "SIOCGIFHWADDR %s: %s", cfg->iface, strerror(errno));
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		die(2, "refusing to send on '%s': not an Ethernet interface (type %u)",
		    cfg->iface, ifr.ifr_hwaddr.sa_family);

	if (ioctl(fd, SIOCGIFMTU, &ifr))
		die(1, "SIOCGIFMTU %s: %s", cfg->iface, strerror(errno));
	*mtu = ifr.ifr_mtu;

	/* Protocol 0: transmit only, the socket never receives a frame */
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die(1, "bind to %s: %s", cfg->iface, strerror(errno));

	sz = SNDBUF_BYTES;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return fd;
}

/* ------------------------------------------------------------------------ */
/* Sending                                                                   */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
	struct timespec ts = {
		.tv_sec = t / 1000000000ull,
		.tv_nsec = t % 1000000000ull,
	};

	while (!stop_requested &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = us * 1000L };

	nanosleep(&ts, NULL);
}

struct sender {
	const char *iface;
	int fd;
	unsigned int batch;
	struct frame *frames;
	struct mmsghdr *msgs;
	struct iovec *iov;		/* two per frame: header, padding */
	uint8_t *zeros;
	struct stats st;
	uint64_t consec_errors;
	bool fatal;
};

static void account(struct sender *s, unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++) {
		s->st.sent++;
		s->st.per_kind[s->frames[i].kind]++;
		if (s->frames[i].mal >= 0)
			s->st.malformed++;
	}
}

/* Send frames[0..n-1]; retry on ENOBUFS/EAGAIN, count and skip hard errors. */
static void send_batch(struct sender *s, unsigned int n)
{
	unsigned int done = 0, backoff_us = 20;
	uint64_t stall_start = 0;

	while (done < n && !s->fatal) {
		int ret = sendmmsg(s->fd, s->msgs + done, n - done, MSG_DONTWAIT);
		if (ret > 0) {
			account(s, done, ret);
			done += ret;
			backoff_us = 20;
			stall_start = 0;
			s->consec_errors = 0;
			continue;
		}
		if (ret < 0 && errno == EINTR) {
			if (stop_requested)
				return;
			continue;
		}
		if (ret == 0 || errno == ENOBUFS || errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == ENOMEM) {
			uint64_t now = now_ns();

			s->st.retries++;
			if (!stall_start) {
				stall_start = now;
			} else if (now - stall_start > STALL_LIMIT_NS) {
				fprintf(stderr, PROG ": no progress for %llu s (%s), giving up\n",
					STALL_LIMIT_NS / 1000000000ull, strerror(errno));
				s->fatal = true;
				return;
			}
			if (stop_requested)
				return;
			sleep_us(backoff_us);
			if (backoff_us < 1000)
				backoff_us *= 2;
			continue;
		}
		/* Hard error on frames[done]: count it and move past it */
		if (!s->st.errors)
			fprintf(stderr, PROG ": send on %s failed: %s (counting further errors)\n",
				s->iface, strerror(errno));
		s->st.errors++;
		done++;
		if (++s->consec_errors >= MAX_CONSEC_ERRORS) {
			fprintf(stderr, PROG ": %d consecutive send errors, giving up\n",
				MAX_CONSEC_ERRORS);
			s->fatal = true;
			return;
		}
	}
}

static void sender_init(struct sender *s, const struct config *cfg, int fd, unsigned int mtu)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->iface = cfg->iface;
	s->fd = fd;
	s->batch = cfg->batch;
	s->frames = calloc(s->batch, sizeof(*s->frames));
	s->msgs = calloc(s->batch, sizeof(*s->msgs));
	s->iov = calloc(2 * (size_t)s->batch, sizeof(*s->iov));
	s->zeros = calloc(1, mtu + 1);
	if (!s->frames || !s->msgs || !s->iov || !s->zeros)
		die(1, "out of memory");
	for (i = 0; i < s->batch; i++) {
		s->iov[2 * i].iov_base = s->frames[i].hdr;
		s->iov[2 * i + 1].iov_base = s->zeros;
		s->msgs[i].msg_hdr.msg_iov = &s->iov[2 * i];
	}
}

static void sender_free(struct sender *s)
{
	free(s->frames);
	free(s->msgs);
	free(s->iov);
	free(s->zeros);
}

static void fill_batch(struct sender *s, struct gen *g, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct frame *f = &s->frames[i];

		build_frame(g, f);
		s->iov[2 * i].iov_len = f->len;
		s->iov[2 * i + 1].iov_len = f->pad;
		s->msgs[i].msg_hdr.msg_iovlen = f->pad ? 2 : 1;
	}
}

static void print_json_string(const char *str)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)str; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void report(const struct config *cfg, const struct stats *st, double secs, bool complete)
{
	double pps = secs > 0 ? st->sent / secs : 0;

	if (!cfg->json) {
		printf("sent %" PRIu64 " frames in %.3f s (%.0f pps), %" PRIu64 " malformed, %"
		       PRIu64 " send errors, %" PRIu64 " retries\n",
		       st->sent, secs, pps, st->malformed, st->errors, st->retries);
		return;
	}
	printf("{\"iface\":");
	print_json_string(cfg->iface);
	printf(",\"sent\":%" PRIu64 ",\"seconds\":%.3f,\"pps\":%.0f,\"malformed\":%" PRIu64
	       ",\"send_errors\":%" PRIu64 ",\"retries\":%" PRIu64 ",\"requests\":%" PRIu64
	       ",\"replies\":%" PRIu64 ",\"gratuitous\":%" PRIu64 ",\"sources\":%u"
	       ",\"complete\":%s}\n",
	       st->sent, secs, pps, st->malformed, st->errors, st->retries,
	       st->per_kind[K_REQ], st->per_kind[K_REPLY], st->per_kind[K_GRAT],
	       cfg->sources, complete ? "true" : "false");
}

static int run(const struct config *cfg)
{
	uint64_t t0, t_end, max_frames = UINT64_MAX, i = 0;
	bool timed_out = false;
	unsigned int mtu = 0;
	struct sigaction sa;
	struct sender s;
	bool complete;
	struct gen g;
	double secs;
	int fd;

	if (!cfg->allow_init_netns && in_initial_netns())
		die(2, "refusing to send in the initial network namespace; run inside a test "
		    "namespace (ip netns exec NS ...) or pass --allow-init-netns");
	fd = open_iface(cfg, &mtu);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Tighter wakeups for --rate pacing */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);

	gen_init(&g, cfg, mtu);
	sender_init(&s, cfg, fd, mtu);

	if (cfg->have_count)
		max_frames = cfg->count;
	if (cfg->have_duration && cfg->rate > 0) {
		/* frame j is due at j / rate; only frames due before the end are sent */
		double d = cfg->duration * cfg->rate;
		uint64_t due = (uint64_t)d + ((double)(uint64_t)d < d);

		if (due < max_frames)
			max_frames = due;
	}

	t0 = now_ns();
	t_end = t0 + (uint64_t)((cfg->have_duration ? cfg->duration : MAX_RUNTIME_S) * 1e9);
	while (i < max_frames && !stop_requested && !s.fatal) {
		uint64_t now = now_ns(), n = s.batch;

		if (now >= t_end) {
			timed_out = true;
			break;
		}
		if (cfg->rate > 0) {
			uint64_t due = (uint64_t)((now - t0) / 1e9 * cfg->rate) + 1;

			if (due > max_frames)
				due = max_frames;
			if (due <= i) {
				uint64_t next = t0 + (uint64_t)(i / cfg->rate * 1e9);

				sleep_until(next < t_end ? next : t_end);
				continue;
			}
			if (due - i < n)
				n = due - i;
		}
		if (max_frames - i < n)
			n = max_frames - i;
		fill_batch(&s, &g, n);
		send_batch(&s, n);
		i += n;
	}
	/* With --duration and --rate the run lasts the full duration */
	if (cfg->have_duration && cfg->rate > 0 && !stop_requested && !s.fatal &&
	    i >= max_frames && (!cfg->have_count || max_frames < cfg->count))
		sleep_until(t_end);
	secs = (now_ns() - t0) / 1e9;

	/* Complete: every scheduled frame went out, or --duration ended the run */
	complete = !stop_requested && !s.fatal && !s.st.errors &&
		   (i >= max_frames || (timed_out && cfg->have_duration));
	if (timed_out && !cfg->have_duration)
		fprintf(stderr, PROG ": stopped at the %.0f s run time limit\n", MAX_RUNTIME_S);
	if (stop_requested)
		fprintf(stderr, PROG ": interrupted\n");
	report(cfg, &s.st, secs, complete);
	sender_free(&s);
	close(fd);
	return complete ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct config cfg;

	parse_args(&cfg, argc, argv);
	if (cfg.dry_run)
		return dry_run(&cfg);
	return run(&cfg);
}
