#!/usr/bin/env python3
"""PostgreSQL stopped and crashed under write load (issue 17): 503 while it is down, recovery without
restarting jim-edge, nothing acknowledged lost, nothing created twice.

A cluster of this driver's own (scripts/pg_cluster.sh; SKIPPED without JIM_TEST_DATABASE_URL, like every
PostgreSQL test) and one node. Writers create run profiles the way docs/operations.md tells a client to: each
create carries an Idempotency-Key, and a 503 (or a lost answer) is retried with the same key until it is a
201. Each cycle:
  * pause (a fast stop): while the server is down, health/ready is 503 database_unreachable with Retry-After,
    health/live 200, a read and a write are the 503 SERVICE_UNAVAILABLE envelope with Retry-After; the
    writers see only 503s (never a 500); resume: writes succeed again, the same process;
  * restart as a crash (an immediate stop, crash recovery, start) under load: the node serves again by itself.
At the end every name a writer sent is listed exactly once, with the id of its 201 (a retry after an unknown
COMMIT outcome replayed, it did not create again), and the node's process never changed.
Cycles: JIM_PG_RESTART_CYCLES (default 3), within JIM_PG_RESTART_SECONDS (default 100).
"""
import os
import threading
import time

import jimrel as J
import jimpg as P

WRITERS = 4
RECOVERY_SECONDS = 30  # a down node must serve again within this after the database is back


def writer(port, key, cs, tag, ledger, stop):
    c = J.Client(port, key=key, timeout=15)
    for name in ledger.names(tag, stop):
        deadline = time.monotonic() + 60
        # The same request with the same Idempotency-Key until it is acknowledged: after the writer stops too.
        while time.monotonic() < deadline:
            try:
                r = c.post(J.profiles_path(cs), {"name": name, "runType": "FullImport"},
                           headers={"Idempotency-Key": name})
            except Exception:
                ledger.count("no answer")
                time.sleep(0.05)
                continue
            ledger.count(r.status)
            if r.status == 201:
                with ledger.lock:
                    ledger.acked[name] = r.json["id"]
                break
            if r.status != 503:
                J.check(False, f"create {name}: {r!r}")
                return
            J.check(r.is_envelope("SERVICE_UNAVAILABLE") and r.header("retry-after"), f"a 503 without Retry-After: {r!r}")
            time.sleep(0.05)  # a client's back-off (Retry-After says 5 s; the test does not wait that long)
        else:
            J.check(False, f"create {name} not acknowledged within 60 s")
            return


def check_down(node, key, cs):
    """While the database is down: every answer that needs it is the 503 with Retry-After, liveness is 200."""
    c = node.client(key)
    ready = c.get("/api/v1/health/ready")
    J.check(ready.status == 503 and ready.header("retry-after") and b"database_unreachable" in ready.body,
            f"health/ready while the database is down: {ready!r}")
    live = c.get("/api/v1/health/live")
    J.check(live.status == 200, f"health/live while the database is down: {live!r}")
    for r in (c.get(J.profiles_path(cs)), c.post(J.profiles_path(cs), {"name": "down", "runType": "FullImport"})):
        J.check(r.status == 503 and r.is_envelope("SERVICE_UNAVAILABLE") and r.header("retry-after"),
                f"a request while the database is down: {r!r}")


def wait_serving(node, key, cs, what):
    c = node.client(key)

    def serving():
        try:
            return c.get("/api/v1/health/ready").status == 200 and c.get(J.profiles_path(cs)).status == 200
        except Exception:
            return False
    t0 = time.monotonic()
    ok = J.wait_until(serving, timeout=RECOVERY_SECONDS, interval=0.1)
    J.check(ok, f"the node did not serve again within {RECOVERY_SECONDS} s after {what}")
    return time.monotonic() - t0


def main():
    P.test_database_url()  # SKIPPED without it, like every PostgreSQL test
    cycles = int(os.environ.get("JIM_PG_RESTART_CYCLES", "3"))
    budget = float(os.environ.get("JIM_PG_RESTART_SECONDS", "100"))
    cluster = P.PrivateCluster()
    key = J.new_key()
    node = J.Server(J.fresh_dir("node"), args=["--store", "postgresql", "--database-url", cluster.url], infra_key=key,
                    label="node").start()
    pid = node.pid
    cs = J.create_system(node.client(key), "database restarts")
    ledger = P.Ledger()
    stop = threading.Event()
    threads = [threading.Thread(target=writer, args=(node.port, key, cs, f"w{w}", ledger, stop)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    t0 = time.monotonic()
    done = 0
    for cycle in range(cycles):
        if time.monotonic() - t0 > budget:
            break
        J.wait_until(lambda: len(ledger.acked) > 0, timeout=10)
        time.sleep(0.5)  # load before the outage
        acked_before = len(ledger.acked)
        down = cluster.control("pause")
        check_down(node, key, cs)
        time.sleep(1.0)  # the writers meet the outage
        cluster.control("resume")
        back = wait_serving(node, key, cs, "a resume")
        time.sleep(0.5)
        cluster.control("restart")
        again = wait_serving(node, key, cs, "a crash restart")
        done += 1
        J.log(f"cycle {cycle}: stop took {down:.1f} s, serving {back:.2f} s after resume and {again:.2f} s after the "
              f"crash restart; {len(ledger.acked) - acked_before} creates acknowledged in the cycle")
    stop.set()
    for t in threads:
        t.join(timeout=90)
        J.check(not t.is_alive(), "a writer did not finish within 90 s")
    J.check(done == cycles, f"only {done} of {cycles} cycles within {budget:.0f} s")
    J.check(node.alive() and node.pid == pid, "the node's process changed or died")
    listed = P.listed_profiles(node.client(key), cs)
    checked, _ = P.check_ledger(ledger, listed, "the node")
    with ledger.lock:
        unacked = ledger.sent - set(ledger.acked)
        statuses = dict(ledger.statuses)
    J.check(not unacked, f"{len(unacked)} creates never acknowledged: {sorted(unacked)[:5]}")
    J.check(len(listed) == checked, f"{len(listed)} profiles listed for {checked} acknowledged creates")
    J.check(statuses.get(503, 0) > 0, f"the writers never met the outage: {statuses}")
    J.check(set(statuses) <= {201, 503, "no answer"}, f"answers other than 201 and 503: {statuses}")
    J.finish(f"{done} pause/resume + crash-restart cycles, {checked} creates each listed once with its acknowledged "
             f"id, the same process throughout; answers {statuses}")


if __name__ == "__main__":
    J.main_guard(main)
