#!/usr/bin/env python3
"""kill -9 of one of two nodes under write load (issue 17, PostgreSQL backend).

Two jim-edge nodes serve one database (a fresh one on the cluster of JIM_TEST_DATABASE_URL; SKIPPED without
it). Each cycle: writers on both nodes create run profiles with unique names, one node is killed with SIGKILL
at a random moment, the writers of the other go on; then, through the survivor:
  * every acknowledged create (201) is listed, with the id it was acknowledged with;
  * nothing is listed that no writer sent, and no name twice; the creates in flight at the kill may or may
    not be there (their outcome is unknown);
  * the survivor kept acknowledging writes after the kill (the killed node's transaction held no lock for
    long: PostgreSQL ends a dead client's transaction when its socket closes);
then the killed node is started again and must read back the same. State accumulates: cycle N re-checks
everything acknowledged before it.
Bounded by count and time: JIM_PG_KILL_CYCLES (default 20) cycles within JIM_PG_KILL_SECONDS (default 100);
running out of time first is a FAIL (fewer cycles than asked proves less than asked). Seed: JIM_PG_KILL_SEED.
"""
import os
import random
import threading
import time

import jimrel as J
import jimpg as P

WRITERS_PER_NODE = 3


def writer(port, key, cs, tag, ledger, stop, after_kill, rng):
    c = J.Client(port, key=key, timeout=10)
    for name in ledger.names(tag, stop):
        try:
            r = c.post(J.profiles_path(cs), {"name": name, "runType": rng.choice(["FullImport", "DeltaImport"])})
        except Exception:
            with ledger.lock:
                ledger.unknown.add(name)
            return  # this node is gone
        ledger.count(r.status)
        if r.status == 201:
            with ledger.lock:
                ledger.acked[name] = r.json["id"]
            if after_kill.is_set():
                with ledger.lock:
                    ledger.after_kill += 1
        elif r.status == 503:
            J.check(r.is_envelope("SERVICE_UNAVAILABLE") and r.header("retry-after"), f"a 503 without Retry-After: {r!r}")
            with ledger.lock:
                ledger.unknown.add(name)
        else:
            J.check(False, f"create {name} on port {port}: {r!r}")
            return


def main():
    admin_url = P.test_database_url()
    cycles = int(os.environ.get("JIM_PG_KILL_CYCLES", "20"))
    budget = float(os.environ.get("JIM_PG_KILL_SECONDS", "100"))
    seed = int(os.environ.get("JIM_PG_KILL_SEED", str(random.randrange(1 << 30))))
    rng = random.Random(seed)
    J.log(f"{cycles} cycles within {budget:.0f} s, seed {seed}")
    url = P.fresh_database(admin_url)
    key = J.new_key()
    args = ["--store", "postgresql", "--database-url", url]
    dirs = [J.fresh_dir(f"node{i}") for i in range(2)]
    nodes = [J.Server(dirs[i], args=args, infra_key=key, label=f"node{i}").start() for i in range(2)]
    cs = J.create_system(nodes[0].client(key), "kill-9 under load")
    ledger = P.Ledger()
    t0 = time.monotonic()
    done = 0
    for cycle in range(cycles):
        if time.monotonic() - t0 > budget:
            break
        victim_i = cycle % 2
        victim, survivor = nodes[victim_i], nodes[1 - victim_i]
        stop, after_kill = threading.Event(), threading.Event()
        # Only the survivor's acknowledgements count as "after the kill" (the victim's event is never set).
        threads = [threading.Thread(target=writer, args=(node.port, key, cs, f"c{cycle}-n{i}-w{w}", ledger, stop,
                                                         after_kill if i != victim_i else threading.Event(),
                                                         random.Random(rng.random())))
                   for i, node in enumerate(nodes) for w in range(WRITERS_PER_NODE)]
        for t in threads:
            t.start()
        with ledger.lock:
            before = ledger.after_kill
        time.sleep(rng.uniform(0.3, 1.2))  # a random moment in the load, not an ordering of threads
        victim.kill9()
        after_kill.set()
        # The survivor's writers go on until each has had answers after the kill (bounded).
        J.wait_until(lambda: ledger.after_kill - before >= 2 * WRITERS_PER_NODE, timeout=10)
        stop.set()
        for t in threads:
            t.join(timeout=30)
            J.check(not t.is_alive(), "a writer did not finish within 30 s")
        with ledger.lock:
            progressed = ledger.after_kill - before
        J.check(progressed > 0, f"cycle {cycle}: the survivor acknowledged no write after the kill")
        checked, applied = P.check_ledger(ledger, P.listed_profiles(survivor.client(key), cs), f"the survivor (cycle {cycle})")
        nodes[victim_i] = J.Server(dirs[victim_i], args=args, infra_key=key, label=f"node{victim_i}").start()
        P.check_ledger(ledger, P.listed_profiles(nodes[victim_i].client(key), cs), f"the restarted node (cycle {cycle})")
        done += 1
        J.log(f"cycle {cycle}: killed node{victim_i}; {checked} acknowledged creates read back through the survivor, "
              f"{len(ledger.unknown)} outcomes unknown so far ({applied} of them applied); "
              f"{progressed} acks after the kill")
    elapsed = time.monotonic() - t0
    J.check(done == cycles, f"only {done} of {cycles} cycles within {budget:.0f} s")
    with ledger.lock:
        statuses = dict(ledger.statuses)
    J.check(set(statuses) <= {201, 503}, f"answers other than 201 and 503: {statuses}")
    J.finish(f"{done} kill -9 cycles in {elapsed:.0f} s, {len(ledger.acked)} acknowledged creates all read back "
             f"through the other node, answers {statuses}")


if __name__ == "__main__":
    J.main_guard(main)
