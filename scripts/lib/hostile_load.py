#!/usr/bin/env python3
"""The bench's hostile client (DESIGN.md section 8: node memory under hostile load).

Holds, all at once and for --hold-seconds, on a node at 127.0.0.1:PORT:
  - signed-looking writes: POST /v1/capture with a registered key id and a well-formed (wrong) signature,
    announcing an 8 MiB body and sending all of it but its last byte, so the node buffers them up to its
    request budget (these pass the header check: a member knows its own key id);
  - unauthenticated bodies: POST /v1/verify announcing 8 MiB (refused at once above the unsigned limit);
  - unread answers: connections that pipeline GET /v1/ledger/entries?from=0 and never read;
  - idle connections without TLS from 127.0.0.2, more than the per-address limit.
Then closes everything and prints `key=value` lines: what it held and how the node answered. The node's
resident memory is read by the caller from /proc. Every socket is to loopback; every loop is bounded.
"""
import argparse
import json
import socket
import ssl
import time


def tls_connect(port, timeout):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return context.wrap_socket(raw, server_hostname="localhost")


def try_open(action, opened, failures):
    try:
        opened.append(action())
    except OSError:
        failures[0] += 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--consortium", required=True, help="the consortium file, for a registered key id")
    parser.add_argument("--token", required=True, help="a read token, for the entry pages")
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--unsigned", type=int, default=100)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--reader-requests", type=int, default=50)
    parser.add_argument("--idle", type=int, default=2000)
    parser.add_argument("--hold-seconds", type=float, default=5.0)
    args = parser.parse_args()

    with open(args.consortium, encoding="utf-8") as file:
        key_id = json.load(file)["participants"][0]["keys"][0]["id"]
    body_bytes = 8 * 1024 * 1024
    signature = "A" * 86 + "=="  # 64 bytes of base64: well-formed, and wrong
    opened, failures = [], [0]
    refused_early = 0

    chunk = b"{" + b" " * (1024 * 1024 - 1)
    for _ in range(args.writes):
        def write():
            sock = tls_connect(args.port, 10)
            head = (f"POST /v1/capture HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    f"Rxl-Key-Id: {key_id}\r\nRxl-Signature: {signature}\r\nContent-Length: {body_bytes}\r\n\r\n")
            sock.sendall(head.encode())
            sock.settimeout(0.2)
            try:
                for _ in range(7):
                    sock.sendall(chunk)
                sock.sendall(chunk[:-1])
            except OSError:
                pass  # the node answered (503, budget spent) and stopped reading: it holds none of this body
            return sock
        try_open(write, opened, failures)

    for _ in range(args.unsigned):
        def unsigned():
            sock = tls_connect(args.port, 10)
            sock.sendall(f"POST /v1/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {body_bytes}\r\n\r\n".encode())
            return sock
        try_open(unsigned, opened, failures)

    request = (f"GET /v1/ledger/entries?from=0 HTTP/1.1\r\nHost: localhost\r\n"
               f"Authorization: Bearer {args.token}\r\n\r\n").encode()
    for _ in range(args.readers):
        def reader():
            sock = tls_connect(args.port, 10)
            sock.settimeout(0.5)
            try:
                for _ in range(args.reader_requests):
                    sock.sendall(request)
            except OSError:
                pass
            return sock
        try_open(reader, opened, failures)

    idle = []
    for _ in range(args.idle):
        try:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.2", 0))
            sock.settimeout(2)
            sock.connect(("127.0.0.1", args.port))
            idle.append(sock)
        except OSError:
            failures[0] += 1

    time.sleep(args.hold_seconds)
    # The first answers on the write connections: 401 (bad signature) once a body is whole, 503 past the budget.
    for sock in opened[: args.writes]:
        try:
            sock.settimeout(0.05)
            if sock.recv(64).startswith(b"HTTP/1.1 503"):
                refused_early += 1
        except (OSError, ssl.SSLError):
            pass
    for sock in opened + idle:
        try:
            sock.close()
        except OSError:
            pass
    print(f"hostile_connections={len(opened) + len(idle)}")
    print(f"hostile_connect_failures={failures[0]}")
    print(f"hostile_writes_busy={refused_early}")


if __name__ == "__main__":
    main()
