"""What the PostgreSQL drivers share: the cluster of scripts/test.sh (JIM_TEST_DATABASE_URL; without it a
driver is SKIPPED, saying so), a fresh database per driver, a private cluster for drivers that stop or crash
the server, and a writer that records what the nodes acknowledged.

Everything created here is removed at exit (atexit: also after finish()'s sys.exit), by name or by the
cluster's own directory, never by a broad match.
"""
import atexit
import os
import subprocess
import threading
import time
import uuid

import jimrel as J

CLUSTER_SCRIPT = os.path.join(J.ROOT, "scripts", "pg_cluster.sh")


def test_database_url():
    """JIM_TEST_DATABASE_URL, or SKIPPED (exit 77) when it is unset."""
    url = os.environ.get("JIM_TEST_DATABASE_URL", "")
    if not url:
        J.skip("JIM_TEST_DATABASE_URL is not set: the PostgreSQL backend is NOT tested "
               "(scripts/test.sh starts a throwaway cluster and sets it)")
    return url


def psql(url, sql, timeout=30):
    p = subprocess.run(["psql", "-qAt", url, "-c", sql], capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"psql {sql!r}: {p.stderr.decode('utf-8', 'replace')}")
    return p.stdout.decode()


def with_database(url, name):
    return url[: url.rfind("/") + 1] + name


def fresh_database(admin_url):
    """A new empty database on the cluster of `admin_url`, dropped at exit; returns its URL."""
    name = f"rel_{J.TEST_NAME}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    psql(admin_url, f"CREATE DATABASE {name}")
    atexit.register(lambda: subprocess.run(["psql", "-qAt", admin_url, "-c",
                                            f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True))
    return with_database(admin_url, name)


class PrivateCluster:
    """A cluster of this driver's own (scripts/pg_cluster.sh start), stopped and deleted at exit."""

    def __init__(self):
        p = subprocess.run(["bash", CLUSTER_SCRIPT, "start"], capture_output=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("cannot start a PostgreSQL cluster: " + p.stderr.decode("utf-8", "replace"))
        env = dict(line.split(" ", 1)[1].split("=", 1) for line in p.stdout.decode().splitlines()
                   if line.startswith("export "))
        self.dir = env["JIM_PG_CLUSTER_DIR"]
        self.url = env["JIM_TEST_DATABASE_URL"]
        atexit.register(lambda: subprocess.run(["bash", CLUSTER_SCRIPT, "stop", self.dir], capture_output=True))

    def control(self, what):
        """pause | resume | restart (an immediate stop, as a crash, then a start); returns its seconds."""
        t0 = time.monotonic()
        p = subprocess.run(["bash", CLUSTER_SCRIPT, what, self.dir], capture_output=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError(f"pg_cluster.sh {what}: " + p.stderr.decode("utf-8", "replace"))
        return time.monotonic() - t0


class Ledger:
    """What writers sent and what the nodes acknowledged, under one lock. A create is keyed by its unique
    name: acked maps name -> id; unknown holds names whose request got no answer (its outcome is unknown)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {}
        self.unknown = set()
        self.sent = set()
        self.statuses = {}
        self.after_kill = 0  # acknowledgements counted by pg_node_kill.py after a kill

    def names(self, tag, stop):
        """tag-1, tag-2, ... until `stop` is set, each recorded as sent before it is yielded."""
        n = 0
        while not stop.is_set():
            n += 1
            name = f"{tag}-{n}"
            with self.lock:
                self.sent.add(name)
            yield name

    def count(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1


def listed_profiles(client, cs):
    """name -> id of every run profile of system `cs`, read through `client`."""
    r = client.get(J.profiles_path(cs))
    if r.status != 200:
        raise AssertionError(f"GET {J.profiles_path(cs)}: {r!r}")
    out = {}
    for p in r.json:
        J.check(p["name"] not in out, f"two profiles named {p['name']} (ids {out.get(p['name'])} and {p['id']})")
        out[p["name"]] = p["id"]
    return out


def check_ledger(ledger, listed, where):
    """Every acknowledged create is listed with its id; nothing is listed that no writer sent. Returns the
    number of acknowledged writes checked and of unknown outcomes found applied."""
    with ledger.lock:
        acked, unknown, sent = dict(ledger.acked), set(ledger.unknown), set(ledger.sent)
    lost = [n for n, i in acked.items() if listed.get(n) != i]
    J.check(not lost, f"{len(lost)} acknowledged creates missing or with another id through {where}: {lost[:5]}")
    strays = [n for n in listed if n not in sent]
    J.check(not strays, f"{len(strays)} profiles no writer sent, through {where}: {strays[:5]}")
    return len(acked), len([n for n in unknown if n in listed and n not in acked])
