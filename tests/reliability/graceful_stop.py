#!/usr/bin/env python3
"""Graceful stop under load: SIGTERM while clients write; exit 0 within 10 s; every 2xx is on disk.

THREADS keep-alive clients create and update run profiles (and a few idle keep-alive connections stay
open). After a moment the server gets SIGTERM by PID. It must exit with status 0 in under 10 s, log
"stopped" (not the forced-exit warning), and after a restart every acknowledged create and update must
be stored exactly as acknowledged: no client ever got a 2xx for a change that was not saved.
Rounds: JIM_STOP_ROUNDS (default 3).
"""
import os
import random
import socket
import threading
import time

import jimrel as J

THREADS = 12


def main():
    rounds = int(os.environ.get("JIM_STOP_ROUNDS", "3"))
    key = J.new_key()
    data = J.fresh_dir("data")
    acked = {}  # id -> (fields, revision)
    lock = threading.Lock()
    total_acks = 0
    worst = 0.0
    cs = None
    for rnd in range(rounds):
        server = J.Server(data, ["--rate-limit", "off"], infra_key=key, label=f"r{rnd}").start()
        c = server.client(key=key)
        if cs is None:
            cs = J.create_system(c, "graceful-stop")
        # Idle keep-alive connections must not hold the stop up.
        idle = []
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", server.port))
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(4096)
            idle.append(s)
        stop_sending = threading.Event()
        counts = [0] * THREADS
        inflight = [None] * THREADS  # the update a client sent and got no answer for

        def work(tid, rng):
            cl = J.Client(server.port, key=key, timeout=20)
            mine = []
            n = 0
            while not stop_sending.is_set():
                n += 1
                try:
                    if mine and rng.random() < 0.4:
                        pid = rng.choice(mine)
                        change = {"name": f"r{rnd}-t{tid}-u{n}", "pageSize": rng.randint(1, 10000)}
                        inflight[tid] = (pid, change["name"], change["pageSize"])
                        res = cl.put(J.profiles_path(cs, pid), change)
                        inflight[tid] = None
                        if res.status == 200:
                            with lock:
                                acked[pid] = (change["name"], change["pageSize"], J.etag_revision(res.header("ETag")))
                            counts[tid] += 1
                        else:
                            J.check(res.status == 503, f"update during stop answered {res!r}")
                            return
                    else:
                        body = {"name": f"r{rnd}-t{tid}-c{n}", "runType": "FullImport", "pageSize": rng.randint(1, 10000)}
                        res = cl.post(J.profiles_path(cs), body)
                        if res.status == 201:
                            pid = res.json["id"]
                            mine.append(pid)
                            with lock:
                                acked[pid] = (body["name"], body["pageSize"], J.etag_revision(res.header("ETag")))
                            counts[tid] += 1
                        else:
                            J.check(res.status == 503, f"create during stop answered {res!r}")
                            return
                except Exception:
                    return  # the server is going away; the outcome of this one request is unknown

        threads = [threading.Thread(target=work, args=(t, random.Random(rnd * 100 + t)), daemon=True)
                   for t in range(THREADS)]
        for t in threads:
            t.start()
        time.sleep(1.0 + random.random())
        rc, secs = server.terminate(timeout=15)
        stop_sending.set()
        for t in threads:
            t.join(20)
        for s in idle:
            s.close()
        worst = max(worst, secs)
        text = server.log_text()
        J.check(rc == 0, f"round {rnd}: exit status {rc} after SIGTERM under load (want 0)")
        J.check(secs < 10.0, f"round {rnd}: took {secs:.2f} s to stop (limit 10 s)")
        J.check("shutdown took longer" not in text, f"round {rnd}: the forced-exit path ran")
        J.check(" stopped" in text, f"round {rnd}: no 'stopped' log line")
        total_acks += sum(counts)
        J.log(f"round {rnd}: SIGTERM under load of {THREADS} clients: exit {rc} in {secs:.2f} s; "
              f"{sum(counts)} writes acknowledged")

        # Every acknowledged write must be on disk.
        server = J.Server(data, ["--rate-limit", "off"], infra_key=key, label=f"r{rnd}-check").start()
        c = server.client(key=key)
        stored = {p["id"]: p for p in c.get(J.profiles_path(cs)).json}
        missing = 0
        for pid, (name, size, rev) in sorted(acked.items()):
            s = stored.get(pid)
            if s is None:
                missing += 1
                J.check(False, f"acknowledged profile {pid} ({name}) is missing after SIGTERM")
                continue
            r = c.get(J.profiles_path(cs, pid))
            got_rev = J.etag_revision(r.header("ETag"))
            # An update cut off by the stop may have been applied without its 2xx reaching the client.
            ok = (s["name"], s["pageSize"], got_rev) == (name, size, rev)
            cut = [f for f in inflight if f and f[0] == pid]
            if not ok and cut and rev and got_rev == (pid, rev[1] + 1) and (s["name"], s["pageSize"]) == cut[0][1:]:
                ok = True
                acked[pid] = (s["name"], s["pageSize"], got_rev)
            J.check(ok, f"profile {pid}: stored {s['name']} {s['pageSize']} {got_rev}, acknowledged {name} {size} {rev}")
        rc, _ = server.terminate()
        J.check(rc == 0, f"verification server exited {rc}")
        J.log(f"round {rnd}: {len(acked)} acknowledged profiles checked, {missing} missing")
    if not J.failures():
        J.rmtree(data)
    J.finish(f"{rounds} SIGTERM rounds under load, slowest stop {worst:.2f} s, {total_acks} acknowledged writes, "
             f"{len(acked)} profiles verified after restart")


if __name__ == "__main__":
    J.main_guard(main)
