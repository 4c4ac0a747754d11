#!/usr/bin/env python3
"""Hostile clients: slowloris, oversize requests, chunked bodies and 10,000 malformed requests.

  * slowloris: SLOW connections trickle header bytes (one header line every ~0.5 s, never finishing);
    a normal request on a new connection must not take more than 1 s longer than its baseline, at the
    default settings and with 8 workers (far below the attacker count: the event loop holds slow heads);
  * a header flood on one connection: answered 431 at the cap, RSS grows less than 16 MiB;
  * oversize header / URI / header count / body, chunked bodies: a 4xx JSON envelope or a closed
    connection, never 5xx;
  * the corpus in malformed/ plus a generator (mutations of valid requests, bad framing, bad JSON,
    random bytes) up to JIM_MALFORMED_COUNT (default 10,000) requests over raw sockets: no 5xx, every
    4xx is the JSON envelope, nothing but garbage that is not HTTP closes the connection unanswered,
    the server stays up, and its peak RSS (VmHWM) stays under JIM_RSS_LIMIT_MB (default 512).
"""
import os
import random
import re
import socket
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import jimrel as J

SLOW = int(os.environ.get("JIM_SLOWLORIS_CONNECTIONS", "100"))
MALFORMED = int(os.environ.get("JIM_MALFORMED_COUNT", "10000"))
RSS_LIMIT_MB = int(os.environ.get("JIM_RSS_LIMIT_MB", "512"))
CORPUS = os.path.join(J.HERE, "malformed")
METHODS = [b"GET", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"HEAD"]

# ---------------------------------------------------------------------------------------------------
# raw HTTP


def raw_exchange(port, data, timeout=12.0, patience=1.0):
    """Sends bytes on a new connection; returns (status or None, headers, body, raw) of the first answer.

    No half-close right away: cpp-httplib 0.11.4 checks that the peer is still there (a MSG_PEEK that
    sees the FIN) before it writes, so a client that shuts down its sending side at once never gets an
    answer. Only when nothing came back within `patience` (a request the server waits to complete) does
    the client half-close, so the server sees the end of the input instead of waiting for its timeout.
    """
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    raw = b""
    try:
        try:
            s.sendall(data)
        except OSError:
            pass  # the server may answer and close before it has read everything
        deadline = time.monotonic() + timeout
        half_closed = False
        s.settimeout(patience)
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                if not half_closed:
                    half_closed = True
                    try:
                        s.shutdown(socket.SHUT_WR)
                    except OSError:
                        break
                    s.settimeout(max(0.1, deadline - time.monotonic()))
                continue
            except OSError:
                break
            if not chunk:
                break
            raw += chunk
            parsed = parse_response(raw)
            if parsed is not None:
                return parsed + (raw,)
    finally:
        s.close()
    parsed = parse_response(raw)
    return (parsed + (raw,)) if parsed else (None, {}, b"", raw)


def parse_response(raw):
    while raw.startswith(b"HTTP/1.1 1"):  # an interim answer (100 Continue): the real one follows
        _, sep, raw = raw.partition(b"\r\n\r\n")
        if not sep:
            return None
    head, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/") or not parts[1].isdigit():
        return (-1, {}, raw)
    headers = {}
    for l in lines[1:]:
        k, _, v = l.partition(b":")
        headers[k.strip().lower().decode("latin1")] = v.strip().decode("latin1")
    n = int(headers.get("content-length", "0") or 0)
    if len(rest) < n:
        return None
    return (int(parts[1]), headers, rest[:n])


REQUEST_LINE = re.compile(rb"^(?!PRI )[A-Z]+ \S+ HTTP/1\.[01]\r\n")  # PRI: the HTTP/2 preface


def complete_http(data):
    """Whether the bytes are one complete HTTP/1.x request the server must answer (not garbage, not cut
    short): a request line, CRLF header lines ending in an empty line, and at least Content-Length bytes."""
    if not REQUEST_LINE.match(data):
        return False
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            continue
        if name.strip().lower() == b"content-length":
            v = value.strip()
            if v.isdigit() and len(body) < int(v):
                return False
    return True


def is_envelope(body):
    return J.Response(0, {}, body).is_envelope()


# ---------------------------------------------------------------------------------------------------
# slowloris


def timed_request(port, key, timeout=60):
    c = J.Client(port, key=key, timeout=timeout)
    t0 = time.monotonic()
    try:
        r = c.get(J.CS)
        ok = r.status == 200
    except Exception:
        ok = False
    dt = time.monotonic() - t0
    c.close()
    return dt, ok


def slowloris(threads_arg, key, label, samples=5, timeout=60, extra=()):
    args = ["--rate-limit", "off"] + (["--threads", str(threads_arg)] if threads_arg else []) + list(extra)
    server = J.Server(J.fresh_dir(label), args, infra_key=key, label=label).start()
    base = [timed_request(server.port, key) for _ in range(10)]
    baseline = max(d for d, _ in base)
    stop = threading.Event()
    socks = []
    for i in range(SLOW):
        s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        socks.append(s)
    cut = [0]

    def trickle():
        n = 0
        while not stop.is_set():
            n += 1
            for s in socks:
                try:
                    s.sendall(b"X-Slow-%d: y\r\n" % n)
                except OSError:
                    cut[0] += 1
            stop.wait(0.5)

    t = threading.Thread(target=trickle, daemon=True)
    t.start()
    time.sleep(2.0)  # every worker the attack can get is now busy with it
    samples = [timed_request(server.port, key, timeout) for _ in range(samples)]
    threads_now = server.status_field("Threads")
    stop.set()
    t.join()
    for s in socks:
        s.close()
    worst = max(d for d, _ in samples)
    failed = sum(1 for _, ok in samples if not ok)
    rc, _ = server.terminate()
    J.check(rc == 0, f"{label}: stop exited {rc}")
    J.log(f"{label}: baseline worst {baseline * 1000:.1f} ms; under {SLOW} slowloris connections worst "
          f"{worst * 1000:.1f} ms, median {statistics.median(d for d, _ in samples) * 1000:.1f} ms, {failed} failed; "
          f"server threads {threads_now}")
    return baseline, worst, failed


# ---------------------------------------------------------------------------------------------------
# generator


def templates(key, cs, rp):
    k = key.encode()
    body = b'{"name":"gen","runType":"FullImport","pageSize":100,"filePath":"/x.csv"}'
    sys_body = b'{"name":"gen-sys","connectorDefinitionId":1}'
    return [
        b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /api/v1/synchronisation/connected-systems?page=1&pageSize=10&sortBy=name&filter=name:contains:a "
        b"HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + k + b"\r\n\r\n",
        b"POST /api/v1/synchronisation/connected-systems/%d/run-profiles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"X-Api-Key: " % cs + k + b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
        b"PUT /api/v1/synchronisation/connected-systems/%d/run-profiles/%d HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"X-Api-Key: " % (cs, rp) + k + b"\r\nIf-Match: \"rp-%d-1\"\r\nContent-Type: application/json\r\n"
        b"Content-Length: 16\r\n\r\n{\"pageSize\":\"7\"}" % rp,
        b"POST /api/v1/synchronisation/connected-systems HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " + k +
        b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(sys_body) + sys_body,
        b"GET /api/v1/activities?connectedSystemId=%d&pageSize=5 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: " % cs
        + k + b"\r\n\r\n",
        b"DELETE /api/v1/apikeys/00000000-0000-4000-8000-000000000000 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: "
        + k + b"\r\n\r\n",
    ]


JSON_BAD = [b"{", b"}", b"[]", b"null", b"{\"name\":}", b"{\"name\":\"a\",}", b"{\"name\":\"a\"} x", b"\"str\"",
            b"{\"name\":\"\\ud800\"}", b"{\"pageSize\":1e3}", b"{\"pageSize\":1.5}", b"{\"pageSize\":99999999999999999999}",
            b"{\"runType\":1}", b"{\"NAME\":\"a\",\"name\":\"b\"}", b"{\"name\":\"\xc3\x28\"}", b"\xef\xbb\xbf{}",
            b"{\"a\":" * 500 + b"1" + b"}" * 500, b"{\"name\":\"" + b"\\u0000" * 300 + b"\"}", b"{\"pageSize\":\"-0\"}",
            b"{\"verifyImportContentHashes\":\"true\"}", b"{\"partitionId\":-9223372036854775808}", b"\0\0\0\0"]


def mutate(rng, base):
    """One malformed variant of a valid request; returns (bytes, is_http) where is_http says whether the
    bytes still start with a request line the server should answer."""
    kind = rng.randrange(14)
    b = bytearray(base)
    if kind == 0:  # flip bytes
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b), False
    if kind == 1:  # truncate
        return bytes(b[:rng.randrange(1, len(b))]), False
    if kind == 2:  # insert junk
        pos = rng.randrange(len(b))
        return bytes(b[:pos]) + os.urandom(rng.randint(1, 20)) + bytes(b[pos:]), False
    head, _, body = base.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    if kind == 3:  # bad method / version / target
        method, target, version = lines[0].split(b" ", 2)
        choice = rng.randrange(5)
        if choice == 0:
            method = rng.choice([b"G3T", b"get", b"P\0ST", b"X" * rng.randint(1, 300), b"PRI", b""])
        elif choice == 1:
            version = rng.choice([b"HTTP/0.9", b"HTTP/2.0", b"HTTP/1.1 extra", b"HTTP/1", b"http/1.1", b""])
        elif choice == 2:
            target = target + rng.choice([b"%", b"%g0", b"/%00", b"/..", b"#frag", b"?a=%", b"/\xff\xfe"])
        elif choice == 3:
            target = rng.choice([b"", b"*", b"//", b"/api/v1/" + b"a/" * rng.randint(10, 2000), b"\\api\\v1"])
        else:
            target = target.replace(b"/api/v1", rng.choice([b"/API/V1", b"/api/v2", b"/api//v1", b"/api/v1/"]))
        lines[0] = b" ".join(x for x in (method, target, version))
        return b"\r\n".join(lines) + b"\r\n\r\n" + body, True
    if kind == 4:  # bad Content-Length
        cl = rng.choice([b"-1", b"abc", b"1.5", b" 5", b"5 5", b"0x10", b"99999999999999999999", b"", b"18446744073709551616",
                         str(len(body) + rng.randint(1, 50)).encode(), str(max(0, len(body) - 3)).encode()])
        lines = [l for l in lines if not l.lower().startswith(b"content-length")] + [b"Content-Length: " + cl]
        if rng.random() < 0.3:
            lines.append(b"Content-Length: " + str(len(body)).encode())
        return b"\r\n".join(lines) + b"\r\n\r\n" + body, True
    if kind == 5:  # chunked or other transfer codings
        te = rng.choice([b"chunked", b"gzip, chunked", b"identity", b"chunked, chunked", b"xchunked"])
        chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
        lines = [l for l in lines if not l.lower().startswith(b"content-length")] + [b"Transfer-Encoding: " + te]
        return b"\r\n".join(lines) + b"\r\n\r\n" + chunked, True
    if kind == 6:  # bad JSON body with a correct length
        nb = rng.choice(JSON_BAD)
        lines = [l for l in lines if not l.lower().startswith(b"content-length")]
        if lines[0].startswith(b"GET") or lines[0].startswith(b"DELETE"):
            lines[0] = b"POST" + lines[0][lines[0].index(b" "):]
        if not any(l.lower().startswith(b"content-type") for l in lines):
            lines.append(b"Content-Type: application/json")
        lines.append(b"Content-Length: %d" % len(nb))
        return b"\r\n".join(lines) + b"\r\n\r\n" + nb, True
    if kind == 7:  # malformed header lines
        bad = rng.choice([b"NoColon", b": empty-name", b" leading-space: x", b"X-Nul: a\0b", b"X-Ctl: \x01\x02",
                          b"X-Long: " + b"v" * rng.randint(1000, 9000), b"Host", b"X-Fold: a\r\n folded",
                          b"Content-Type: text/plain", b"Content-Type: application/json; charset=utf-16",
                          b"X-Api-Key: jim_ak_" + b"g" * 64, b"X-Api-Key: " + b"A" * rng.randint(1, 500)])
        lines.insert(rng.randrange(1, len(lines) + 1), bad)
        return b"\r\n".join(lines) + b"\r\n\r\n" + body, True
    if kind == 8:  # bare LF or CR line endings
        sep = rng.choice([b"\n", b"\r", b"\n\r"])
        return sep.join(lines) + sep + sep + body, False
    if kind == 9:  # many headers
        extra = [b"X-H%d: v" % i for i in range(rng.randint(50, 400))]
        return b"\r\n".join(lines[:1] + extra + lines[1:]) + b"\r\n\r\n" + body, True
    if kind == 10:  # pipelined: a valid request then a broken one
        return base + bytes(mutate(rng, base)[0]), True
    if kind == 11:  # path ids at the edges
        edge = rng.choice([b"0", b"-1", b"00001", b"9223372036854775807", b"9223372036854775808", b"1e3", b"+1",
                           b"%31", b" 1", b"1 ", b"\xd9\xa1"])
        lines[0] = lines[0].replace(b"connected-systems", b"connected-systems/" + edge, 1) \
            if b"connected-systems" in lines[0] else lines[0].replace(b"/health", b"/health/" + edge)
        return b"\r\n".join(lines) + b"\r\n\r\n" + body, True
    if kind == 12:  # random bytes (not HTTP)
        return os.urandom(rng.randint(1, 2000)), False
    # kind 13: query strings
    q = rng.choice([b"?page=0", b"?pageSize=100000", b"?page=abc", b"?sortBy=password", b"?sortDirection=up",
                    b"?filter=name:regex:.*", b"?filter=" + b"a" * 3000, b"?page=1&page=2", b"?%zz=1", b"?=",
                    b"?connectedSystemId=0", b"?targetType=Nope", b"?pageSize=-5"])
    method, target, version = lines[0].split(b" ", 2)
    lines[0] = b" ".join((method, target.split(b"?")[0] + q, version))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body, True


def malformed_requests(server, key, rng):
    c = server.client(key=key)
    cs = J.create_system(c, "hostile")
    rp = c.post(J.profiles_path(cs), {"name": "target", "runType": "FullImport"}).json["id"]
    corpus = []
    for name in sorted(os.listdir(CORPUS)):
        with open(os.path.join(CORPUS, name), "rb") as f:
            data = f.read()
        data = data.replace(b"jim_ak_" + b"0" * 64, key.encode())
        corpus.append((name, data, complete_http(data)))
    tpl = templates(key, cs, rp)
    reqs = list(corpus)
    while len(reqs) < MALFORMED:
        data, _ = mutate(rng, rng.choice(tpl))
        reqs.append((f"gen-{len(reqs)}", data, complete_http(data)))
    stats = {"sent": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, "closed": 0, "closed_http": 0, "non_http_answer": 0}
    by_status = {}
    lock = threading.Lock()
    examples = []

    def one(item):
        name, data, is_http = item
        try:
            status, headers, body, raw = raw_exchange(server.port, data)
        except OSError as e:
            status, headers, body, raw = None, {}, b"", b""
        with lock:
            stats["sent"] += 1
            if status is None:
                stats["closed"] += 1
                if is_http:
                    stats["closed_http"] += 1
                    if len(examples) < 5:
                        examples.append((name, data[:120]))
                return
            if status == -1:
                stats["non_http_answer"] += 1
                J.check(False, f"{name}: the answer is not HTTP: {raw[:100]!r}")
                return
            by_status[status] = by_status.get(status, 0) + 1
            stats[f"{status // 100}xx"] = stats.get(f"{status // 100}xx", 0) + 1
        J.check(status < 500, f"{name}: {status} for {data[:150]!r}: {body[:200]!r}")
        if status >= 400:
            J.check(is_envelope(body), f"{name}: {status} without the JSON envelope: {body[:200]!r} for {data[:150]!r}")

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=48) as ex:
        list(ex.map(one, reqs))
    secs = time.monotonic() - t0
    return stats, by_status, examples, secs


# ---------------------------------------------------------------------------------------------------
# oversize


def oversize(server, key):
    port = server.port
    k = key.encode()
    big_array = b'{"name":"x","roleIds":[' + b"1," * 524_000 + b'1]}'  # just under 1 MiB, 524,001 role ids
    cases = {
        "header-value-100KiB": (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n", None),
        "uri-100KiB": (b"GET /api/v1/health?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", None),
        "uri-9KiB": (b"GET /api/v1/" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", None),
        "headers-10000": (b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(10000))
                          + b"\r\n", 431),
        "body-100MiB-declared": (b"POST /api/v1/synchronisation/connected-systems HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + k +
                                 b"\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n", 413),
        "body-2MiB-sent": (b"POST /api/v1/synchronisation/connected-systems HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + k +
                           b"\r\nContent-Type: application/json\r\nContent-Length: 2097152\r\n\r\n" + b" " * 2097152, 413),
        "body-chunked-small": (b"POST /api/v1/synchronisation/connected-systems HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + k +
                               b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                               411),
        "body-chunked-4MiB": (b"POST /api/v1/synchronisation/connected-systems HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + k +
                              b"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
                              (b"100000\r\n" + b" " * 0x100000 + b"\r\n") * 4 + b"0\r\n\r\n", 411),
        "body-json-array-1MiB": (b"POST /api/v1/apikeys HTTP/1.1\r\nHost: x\r\nX-Api-Key: " + k +
                                 b"\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(big_array)
                                 + big_array, 400),
    }
    results = {}
    for name, (data, want) in cases.items():
        status, headers, body, raw = raw_exchange(port, data)
        results[name] = status
        if status is None:
            J.check(want is None, f"{name}: closed without an answer (want {want})")
            continue
        J.check(400 <= status < 500, f"{name}: answered {status}: {body[:200]!r}")
        J.check(is_envelope(body), f"{name}: {status} without the envelope: {body[:200]!r}")
        if want:
            J.check(status == want, f"{name}: answered {status}, want {want}")
    J.log(f"oversize and chunked: {results}")
    return results


def header_flood(server, mib=16):
    """Sends `mib` MiB of header lines on one connection, then ends the request; returns (MiB, VmRSS kB)."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        chunk = b"".join(b"X-%d: %s\r\n" % (i, b"v" * 90) for i in range(10_000))
        for _ in range(max(1, (mib << 20) // len(chunk))):
            s.sendall(chunk)
        rss = server.status_field("VmRSS")
        s.sendall(b"\r\n")
        s.recv(100)
    except OSError:
        rss = server.status_field("VmRSS")
    finally:
        s.close()
    return mib, rss


def main():
    key = J.new_key()
    rng = random.Random(int(os.environ.get("JIM_HOSTILE_SEED", "7")))

    # 1. slowloris, asserted at the default configuration (the pool grows past the attackers).
    b_ok, w_ok, f_ok = slowloris(None, key, "slowloris-default")
    J.check(f_ok == 0 and w_ok <= b_ok + 1.0,
            f"at the defaults, a normal request took {w_ok:.2f} s under slowloris (baseline {b_ok:.2f} s)")
    # With the pool capped far below the attacker count: a thread-per-connection server is starved here;
    # jim-edge's event loop holds the slow heads, so no worker is taken and nothing is starved.
    b_def, w_def, f_def = slowloris(None, key, "slowloris-capped", samples=5, timeout=5,
                                    extra=["--threads", "8", "--max-threads", "8"])
    J.check(f_def == 0 and w_def <= b_def + 1.0,
            f"with 8 workers, {f_def} of 5 normal requests went unanswered under {SLOW} slowloris connections")

    # 2. oversize and malformed, on one server whose RSS is watched.
    server = J.Server(J.fresh_dir("hostile"), ["--rate-limit", "off"], infra_key=key, label="malformed").start()
    rss_start = server.status_field("VmRSS")
    over = oversize(server, key)
    stats, by_status, examples, secs = malformed_requests(server, key, rng)
    hwm = server.status_field("VmHWM")
    rss_end = server.status_field("VmRSS")
    rss_before_flood = server.status_field("VmRSS")
    flood_mib, flood_rss = header_flood(server)
    J.check(server.alive(), "the server died under malformed requests")
    r = server.client(key=key).get("/api/v1/health")
    J.check(r.status == 200, f"health after the malformed requests: {r!r}")
    J.check(hwm is not None and hwm < RSS_LIMIT_MB * 1024, f"peak RSS {hwm} kB is above {RSS_LIMIT_MB} MiB")
    J.check(stats["closed_http"] == 0, f"{stats['closed_http']} HTTP-shaped requests were closed without an answer, "
                                       f"e.g. {examples}")
    J.log(f"malformed: {stats['sent']} requests in {secs:.1f} s: {stats}; statuses {dict(sorted(by_status.items()))}")
    J.log(f"RSS: start {rss_start} kB, end {rss_end} kB, peak (VmHWM) {hwm} kB")
    # The head cap is enforced while the head arrives (431 and close the moment it is passed).
    J.check(flood_rss - rss_before_flood < 16 * 1024,
            f"{flood_mib} MiB of header lines raised RSS from {rss_before_flood} kB to {flood_rss} kB")
    J.log(f"header flood: {flood_mib} MiB of header lines on one connection: RSS {rss_before_flood} kB -> {flood_rss} kB")
    rc, _ = server.terminate()
    J.check(rc == 0, f"stop exited {rc}")
    J.finish(f"slowloris x{SLOW}: +{(w_ok - b_ok) * 1000:.0f} ms at the defaults, "
             f"+{(w_def - b_def) * 1000:.0f} ms with 8 workers ({f_def} of 5 unanswered); {len(over)} oversize/chunked cases; "
             f"{stats['sent']} malformed requests: {stats['4xx']} 4xx, {stats['2xx']} 2xx, {stats['5xx']} 5xx, "
             f"{stats['closed']} closed unanswered ({stats['closed_http']} HTTP-shaped); peak RSS {hwm} kB")


if __name__ == "__main__":
    J.main_guard(main)
