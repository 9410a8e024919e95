#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Slow Protocols frames and rtnetlink for selftests/bond_3ad*.sh (run
inside a netns). Several commands separated by "--" run in one process.

  bond_3ad_tool.py send IFACE CASE...   send crafted frames out of IFACE
  bond_3ad_tool.py marker IFACE TXID    send a Marker Information PDU and wait
                                        (5 s) for the Marker Response to it;
                                        prints "response port=P system=M txid=T"
  bond_3ad_tool.py flood IFACE N ACTOR PARTNER
                                        N LACPDUs, 0.1 s apart, as the port 1
                                        of system ACTOR (key 15, state 61) sends
                                        them to port 1 of PARTNER, but naming a
                                        wrong partner key (14), then one right
  bond_3ad_tool.py relay TAP PEER       create tap TAP (kept while this runs)
                                        and copy frames TAP <-> PEER
  bond_3ad_tool.py partner IFACE CTL    be the LACP partner behind IFACE (port
                                        1 of system 02:aa:bb:cc:dd:01, key 15):
                                        every 0.2 s a LACPDU whose partner
                                        fields repeat the actor fields of the
                                        last LACPDU heard on IFACE (none sent
                                        before one is heard) and whose actor
                                        state is the number in file CTL, read
                                        each time; ends when CTL says "stop",
                                        or after 300 s
  bond_3ad_tool.py nlset DEV WHAT VALUE set a bonding attribute iproute2 6.1
                                        does not know, by rtnetlink; WHAT is
                                        coupled_control (of a bond) or
                                        actor_port_prio (of a slave); prints
                                        "ok" or "error ERRNO: extack message"
  bond_3ad_tool.py nlget DEV WHAT       print that attribute ("none" if absent)
  bond_3ad_tool.py nlraw DEV ATTR HEX   send bond attribute number ATTR with
                                        payload HEX (any length); prints as
                                        nlset does

CASE names (each one frame to 01:80:c2:00:00:02, ethertype 0x8809):
  short      LACPDU cut to 30 bytes
  tlvtype    actor TLV type 9
  tlvlen     actor information length 19
  collector  collector information length 15
  version0   version number 0
  terminator version 1 with a terminator TLV of type 5
  markerlen  Marker Information with length 15
  markerver  Marker PDU with version 0
  markertlv  Marker PDU with TLV type 7 (unknown, well formed)
  subtype    Slow Protocols subtype 10 (not LACP, not marker)
"""
import fcntl
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_SLOW = 0x8809
GROUP = bytes.fromhex("0180c2000002")
SRC = bytes.fromhex("02aabbccdd01")
FOREIGN = bytes.fromhex("02aabbccdd99")


def eth(payload):
    return GROUP + SRC + struct.pack("!H", ETH_P_SLOW) + payload


def lacpdu(version=1, actor=(1, 20), partner=(2, 20), collector=(3, 16), term=(0, 0)):
    info = struct.pack("!H6sHHHB3x", 32768, FOREIGN, 9, 255, 77, 0x05)
    pdu = struct.pack("!BB", 1, version)
    pdu += struct.pack("!BB", *actor) + info
    pdu += struct.pack("!BB", *partner) + struct.pack("!H6sHHHB3x", 0, bytes(6), 0, 0, 0, 0)
    pdu += struct.pack("!BB", *collector) + struct.pack("!H12x", 0)
    pdu += struct.pack("!BB", *term) + bytes(50)
    assert len(pdu) == 110
    return pdu


def marker(tlv=1, length=16, version=1, txid=1):
    pdu = struct.pack("!BBBBH6sIH", 2, version, tlv, length, 7, FOREIGN, txid, 0)
    pdu += bytes(2) + bytes(90)
    assert len(pdu) == 110
    return pdu


CASES = {
    "short": lambda: lacpdu()[:30],
    "tlvtype": lambda: lacpdu(actor=(9, 20)),
    "tlvlen": lambda: lacpdu(actor=(1, 19)),
    "collector": lambda: lacpdu(collector=(3, 15)),
    "version0": lambda: lacpdu(version=0),
    "terminator": lambda: lacpdu(term=(5, 0)),
    "markerlen": lambda: marker(length=15),
    "markerver": lambda: marker(version=0),
    "markertlv": lambda: marker(tlv=7),
    "subtype": lambda: bytes([10, 1]) + bytes(108),
}


def port_info(system, key):
    return struct.pack("!H6sHHHB3x", 65535, bytes.fromhex(system.replace(":", "")),
                       key, 255, 1, 61)


def cmd_flood(iface, count, actor, partner):
    s = packet_socket(iface)
    for i in range(count + 1):
        pdu = struct.pack("!BBBB", 1, 1, 1, 20) + port_info(actor, 15)
        pdu += struct.pack("!BB", 2, 20) + port_info(partner, 15 if i == count else 14)
        pdu += struct.pack("!BBH12xBB", 3, 16, 0, 0, 0) + bytes(50)
        s.send(eth(pdu))
        if i < count:
            time.sleep(0.1)
    return 0


def packet_socket(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    return s


def cmd_send(iface, cases):
    s = packet_socket(iface)
    for c in cases:
        s.send(eth(CASES[c]()))
    return 0


def cmd_marker(iface, txid):
    s = packet_socket(iface)
    s.send(eth(marker(txid=txid)))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            break
        frame, addr = s.recvfrom(2048)
        if addr[2] == socket.PACKET_OUTGOING or len(frame) < 14 + 110:
            continue
        if frame[0:6] != GROUP or struct.unpack("!H", frame[12:14])[0] != ETH_P_SLOW:
            continue
        sub, ver, tlv, length, port, system, tid = struct.unpack("!BBBBH6sI", frame[14:30])
        if sub == 2 and tlv == 2 and tid == txid:
            print("response port=%d system=%s txid=%d version=%d length=%d"
                  % (port, system.hex(":"), tid, ver, length))
            return 0
    print("no marker response")
    return 1


def cmd_relay(tap, peer):
    TUNSETIFF = 0x400454CA
    IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", tap.encode(), IFF_TAP | IFF_NO_PI))
    s = packet_socket(peer)
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([fd, s], [], [])
        if fd in r:
            s.send(os.read(fd, 65536))
        if s in r:
            frame, addr = s.recvfrom(65536)
            if addr[2] != socket.PACKET_OUTGOING:
                try:
                    os.write(fd, frame)
                except OSError:
                    pass


def cmd_partner(iface, ctl):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_SLOW))
    s.bind((iface, ETH_P_SLOW))
    heard = None
    deadline = time.monotonic() + 300
    next_tx = time.monotonic()
    while time.monotonic() < deadline:
        with open(ctl) as f:
            want = f.read().strip()
        if want == "stop":
            return 0
        now = time.monotonic()
        if heard is not None and now >= next_tx:
            pdu = struct.pack("!BBBB", 1, 1, 1, 20)
            pdu += struct.pack("!H6sHHHB3x", 32768, SRC, 15, 255, 1, int(want))
            pdu += struct.pack("!BB", 2, 20) + heard
            pdu += struct.pack("!BBH12xBB", 3, 16, 0, 0, 0) + bytes(50)
            s.send(eth(pdu))
            next_tx = now + 0.2
        r, _, _ = select.select([s], [], [], 0.05)
        if not r:
            continue
        frame, addr = s.recvfrom(2048)
        if addr[2] == socket.PACKET_OUTGOING or len(frame) < 14 + 2 + 2 + 18:
            continue
        if frame[14] != 1 or frame[16] != 1:
            continue  # not a LACPDU with an actor TLV first
        heard = frame[18:36]
    return 0


# rtnetlink: attribute numbers of the running kernel's uapi <linux/if_link.h>
RTM_NEWLINK, RTM_GETLINK, NLMSG_ERROR = 16, 18, 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NETLINK_CAP_ACK, NETLINK_EXT_ACK, NLMSGERR_ATTR_MSG = 10, 11, 1
IFLA_LINKINFO, IFLA_INFO_KIND, IFLA_INFO_DATA, IFLA_INFO_SLAVE_DATA = 18, 1, 2, 5
ATTRS = {  # name: (nested in, attribute, struct format)
    "coupled_control": (IFLA_INFO_DATA, 32, "B"),
    "actor_port_prio": (IFLA_INFO_SLAVE_DATA, 10, "H"),
}


def nla(kind, payload):
    n = 4 + len(payload)
    return struct.pack("HH", n, kind) + payload + bytes((4 - n % 4) % 4)


def nla_parse(buf):
    out = {}
    while len(buf) >= 4:
        n, kind = struct.unpack_from("HH", buf)
        if n < 4:
            break
        out[kind & 0x3FFF] = buf[4:n]
        buf = buf[(n + 3) & ~3:]
    return out


def rtnl(msg_type, flags, ifindex, attrs):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    s.setsockopt(270, NETLINK_CAP_ACK, 1)
    s.setsockopt(270, NETLINK_EXT_ACK, 1)
    body = struct.pack("BxHiII", 0, 0, ifindex, 0, 0) + attrs
    s.send(struct.pack("IHHII", 16 + len(body), msg_type, flags, 1, 0) + body)
    return s.recv(65536)


def nl_send_data(dev, nest, info):
    linkinfo = (nla(IFLA_INFO_KIND, b"bond\0") if nest == IFLA_INFO_DATA else b"") + \
        nla(nest | 0x8000, info)
    reply = rtnl(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, socket.if_nametoindex(dev),
                 nla(IFLA_LINKINFO | 0x8000, linkinfo))
    n, kind, flags = struct.unpack_from("IHH", reply)
    err = struct.unpack_from("i", reply, 16)[0] if kind == NLMSG_ERROR else 0
    if err == 0:
        print("ok")
        return 0
    msg = nla_parse(reply[16 + 4 + 16:n]).get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0")
    print("error %s: %s" % (os.strerror(-err), msg.decode()))
    return 1


def cmd_nlset(dev, what, value):
    nest, attr, fmt = ATTRS[what]
    return nl_send_data(dev, nest, nla(attr, struct.pack(fmt, int(value))))


def cmd_nlraw(dev, attr, payload):
    return nl_send_data(dev, IFLA_INFO_DATA, nla(int(attr), bytes.fromhex(payload)))


def cmd_nlget(dev, what):
    nest, attr, fmt = ATTRS[what]
    reply = rtnl(RTM_GETLINK, NLM_F_REQUEST, socket.if_nametoindex(dev), b"")
    n, kind = struct.unpack_from("IH", reply)
    info = nla_parse(reply[16 + 16:n]).get(IFLA_LINKINFO, b"")
    data = nla_parse(nla_parse(info).get(nest, b"")).get(attr)
    print(struct.unpack(fmt, data)[0] if data else "none")
    return 0


def run(args):
    if len(args) >= 2 and args[0] == "send":
        return cmd_send(args[1], args[2:])
    if len(args) == 3 and args[0] == "marker":
        return cmd_marker(args[1], int(args[2]))
    if len(args) == 4 and args[0] == "nlset":
        return cmd_nlset(args[1], args[2], args[3])
    if len(args) == 4 and args[0] == "nlraw":
        return cmd_nlraw(args[1], args[2], args[3])
    if len(args) == 3 and args[0] == "nlget":
        return cmd_nlget(args[1], args[2])
    if len(args) == 5 and args[0] == "flood":
        return cmd_flood(args[1], int(args[2]), args[3], args[4])
    if len(args) == 3 and args[0] == "relay":
        return cmd_relay(args[1], args[2])
    if len(args) == 3 and args[0] == "partner":
        return cmd_partner(args[1], args[2])
    print(__doc__, file=sys.stderr)
    return 2


def main(argv):
    """Commands separated by "--" run in turn (one interpreter start)."""
    rc, cmd = 0, []
    for a in argv[1:] + ["--"]:
        if a != "--":
            cmd.append(a)
            continue
        rc = max(rc, run(cmd))
        sys.stdout.flush()
        cmd = []
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
