// SPDX-License-Identifier: GPL-2.0
/*
 * xmit_flood - keep sending frames on one interface through AF_PACKET,
 * optionally with PACKET_QDISC_BYPASS (the frames then reach the driver's
 * ndo_start_xmit directly, with no qdisc and no dev_queue_xmit()).
 *
 * Meant to race a bond going down and up: errors while the interface is
 * down are counted and the flood goes on. The frames cycle through the
 * kinds a balance-tlb/alb bond handles differently on transmit: IPv4
 * unicast (hashed to a slave), broadcast (the active slave) and an ARP
 * request from the interface's own MAC and --src-ip (RLB).
 *
 * Usage: xmit_flood -i IFACE [--bypass] [--duration SECONDS] [--src-ip A.B.C.D]
 *                   [--cpu N]
 * Prints "sent N failed M" at the end; exit 0 unless setup failed.
 *
 * Build: cc -O2 -Wall -Wextra -o xmit_flood xmit_flood.c
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN	64
#define KINDS		3

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "xmit_flood: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* IPv4 header checksum over @len bytes. */
static uint16_t csum(const uint8_t *p, int len)
{
	uint32_t sum = 0;
	int i;

	for (i = 0; i < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Fill @f (FRAME_LEN bytes) with frame kind @k sent from @mac / @ip. */
static void build(uint8_t *f, int k, const uint8_t *mac, uint32_t ip)
{
	static const uint8_t peer[6] = { 0x02, 0xee, 0x00, 0x00, 0x00, 0x01 };
	uint8_t *l3 = f + 14;
	uint32_t dst = htonl(ntohl(ip) + 1);

	memset(f, 0, FRAME_LEN);
	memcpy(f + 6, mac, 6);
	switch (k) {
	case 0:		/* IPv4/UDP unicast */
	case 1:		/* IPv4/UDP broadcast */
		if (k == 0)
			memcpy(f, peer, 6);
		else
			memset(f, 0xff, 6);
		put16(f + 12, ETH_P_IP);
		l3[0] = 0x45;
		put16(l3 + 2, FRAME_LEN - 14);
		l3[8] = 64;
		l3[9] = IPPROTO_UDP;
		memcpy(l3 + 12, &ip, 4);
		if (k == 0)
			memcpy(l3 + 16, &dst, 4);
		else
			memset(l3 + 16, 0xff, 4);
		put16(l3 + 10, csum(l3, 20));
		put16(l3 + 20, 9);		/* UDP discard */
		put16(l3 + 22, 9);
		put16(l3 + 24, FRAME_LEN - 14 - 20);
		break;
	default:	/* ARP request, broadcast */
		memset(f, 0xff, 6);
		put16(f + 12, ETH_P_ARP);
		put16(l3, 1);			/* Ethernet */
		put16(l3 + 2, ETH_P_IP);
		l3[4] = 6;
		l3[5] = 4;
		put16(l3 + 6, 1);		/* request */
		memcpy(l3 + 8, mac, 6);
		memcpy(l3 + 14, &ip, 4);
		memcpy(l3 + 24, &dst, 4);
		break;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "bypass", no_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "src-ip", required_argument, NULL, 's' },
		{ "cpu", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	uint8_t frame[KINDS][FRAME_LEN], mac[6];
	unsigned long long sent = 0, failed = 0;
	const char *iface = NULL;
	double duration = 10, end;
	struct sockaddr_ll sll;
	struct in_addr src;
	struct ifreq ifr;
	int bypass = 0, cpu = -1, fd, opt, one = 1, k;

	inet_pton(AF_INET, "198.18.0.1", &src);
	while ((opt = getopt_long(argc, argv, "i:", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			iface = optarg;
			break;
		case 'b':
			bypass = 1;
			break;
		case 'd':
			duration = atof(optarg);
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &src) != 1) {
				fprintf(stderr, "xmit_flood: bad --src-ip %s\n", optarg);
				return 2;
			}
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: xmit_flood -i IFACE [--bypass] [--duration S] [--src-ip IP] [--cpu N]\n");
			return 2;
		}
	}
	if (!iface || duration <= 0 || duration > 3600) {
		fprintf(stderr, "xmit_flood: need -i IFACE and 0 < --duration <= 3600\n");
		return 2;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}

	/* Protocol 0: the kernel takes it from each frame's EtherType. */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		die("SIOCGIFHWADDR");
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = if_nametoindex(iface);
	if (!sll.sll_ifindex)
		die("if_nametoindex");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind");
	if (bypass && setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		die("PACKET_QDISC_BYPASS");
	for (k = 0; k < KINDS; k++)
		build(frame[k], k, mac, src.s_addr);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	end = now_s() + duration;
	for (k = 0; !stop; k = (k + 1) % KINDS) {
		if (send(fd, frame[k], FRAME_LEN, 0) == FRAME_LEN)
			sent++;
		else
			failed++;
		if (!((sent + failed) & 1023) && now_s() >= end)
			break;
	}
	printf("sent %llu failed %llu\n", sent, failed);
	return 0;
}
