"""Shared helpers of the reliability drivers: start/stop the real jim-edge binary by PID, a keep-alive
HTTP client, API-key material, and the registry of secrets and server logs the suite greps at the end.

Python 3 standard library only. Every server is started on 127.0.0.1 with --port 0, is tied to the
driver with PR_SET_PDEATHSIG (so a killed driver never leaves it behind) and is stopped by its PID.
"""
import ctypes
import hashlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def _default_binary():
    for candidate in ("build/test/cmd/jim-edge", "build/cmd/jim-edge", "build/rel/cmd/jim-edge"):
        path = os.path.join(ROOT, candidate)
        if os.access(path, os.X_OK):
            return path
    return os.path.join(ROOT, "build/cmd/jim-edge")


BIN = os.environ.get("JIM_EDGE_BIN") or _default_binary()
ARTIFACTS = os.environ.get("JIM_REL_ARTIFACTS") or os.path.join(tempfile.gettempdir(), "jim-reliability")
LOG_DIR = os.path.join(ARTIFACTS, "logs")
SECRET_DIR = os.path.join(ARTIFACTS, "secrets")
for _d in (LOG_DIR, SECRET_DIR):
    os.makedirs(_d, exist_ok=True)

TEST_NAME = os.path.splitext(os.path.basename(sys.argv[0]))[0] if sys.argv and sys.argv[0] else "driver"

_failures = []
_live_servers = []
_live_lock = threading.Lock()
_log_seq = [0]


def log(msg):
    print(f"[{TEST_NAME} {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def check(cond, msg):
    """Records a failure (the driver goes on, so one run reports every problem it sees)."""
    if not cond:
        _failures.append(msg)
        log("FAIL: " + msg)
    return cond


def failures():
    return list(_failures)


SANITIZER_MARKS = ("WARNING: ThreadSanitizer", "ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")


def scan_logs_for_sanitizer_reports():
    """A server built with a sanitizer writes its reports to stderr, which is its log here."""
    for name in sorted(os.listdir(LOG_DIR)):
        if not name.startswith(TEST_NAME + "-"):
            continue
        with open(os.path.join(LOG_DIR, name), "rb") as f:
            text = f.read().decode("utf-8", "replace")
        for mark in SANITIZER_MARKS:
            if mark in text:
                i = text.index(mark)
                check(False, f"sanitizer report in {name}:\n{text[i:i + 3000]}")
                break


def finish(summary=""):
    """Prints PASS/FAIL and exits 0/1 after stopping every server still running."""
    stop_all()
    scan_logs_for_secrets(only_own=True)
    scan_logs_for_sanitizer_reports()
    if _failures:
        print(f"FAIL: {TEST_NAME}: {len(_failures)} problem(s); first: {_failures[0]}", flush=True)
        if _fresh_dirs:
            print(f"kept for inspection: {' '.join(_fresh_dirs)}", flush=True)
        sys.exit(1)
    for path in _fresh_dirs:
        shutil.rmtree(path, ignore_errors=True)
    print(f"PASS: {TEST_NAME}" + (f": {summary}" if summary else ""), flush=True)
    sys.exit(0)


def skip(reason):
    stop_all()
    for path in _fresh_dirs:
        shutil.rmtree(path, ignore_errors=True)
    print(f"SKIPPED: {TEST_NAME}: {reason}", flush=True)
    sys.exit(SKIP)


# ---------------------------------------------------------------------------------------------------
# API-key material and the secrets registry

def new_key():
    return "jim_ak_" + secrets.token_hex(32)


def sha256_hex(text):
    return hashlib.sha256(text.encode()).hexdigest()


_own_secrets = set()


def register_secret(plaintext):
    """Remembers a key (and its digest) that must never appear in a log or a response."""
    if not plaintext or plaintext in _own_secrets:
        return
    _own_secrets.add(plaintext)
    with open(os.path.join(SECRET_DIR, f"{TEST_NAME}.txt"), "a") as f:
        f.write(plaintext + "\n")


def forbidden_strings():
    out = set()
    for k in _own_secrets:
        out.add(k)
        out.add(sha256_hex(k))
    return out


def all_registered_secrets():
    keys = set()
    for name in os.listdir(SECRET_DIR):
        with open(os.path.join(SECRET_DIR, name)) as f:
            keys.update(line.strip() for line in f if line.strip())
    return keys


def scan_logs_for_secrets(only_own=False):
    """Greps server logs for every registered key plaintext and its SHA-256 hex. Returns (logs, keys)."""
    keys = _own_secrets if only_own else all_registered_secrets()
    needles = {}
    for k in keys:
        needles[k] = "plaintext"
        needles[sha256_hex(k)] = "sha256"
    logs = [os.path.join(LOG_DIR, n) for n in sorted(os.listdir(LOG_DIR))]
    if only_own:
        logs = [p for p in logs if os.path.basename(p).startswith(TEST_NAME + "-")]
    for path in logs:
        with open(path, "rb") as f:
            data = f.read().decode("utf-8", "replace")
        for needle, kind in needles.items():
            check(needle not in data, f"a key {kind} ({needle[:10]}...) appears in the log {path}")
    return len(logs), len(keys)


# ---------------------------------------------------------------------------------------------------
# Server processes

_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    _libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def new_log_path(label):
    _log_seq[0] += 1
    return os.path.join(LOG_DIR, f"{TEST_NAME}-{os.getpid()}-{_log_seq[0]:03d}-{label}.log")


class ServerFailed(Exception):
    pass


class Server:
    """One jim-edge serve process on 127.0.0.1, port chosen by the kernel."""

    def __init__(self, data_dir, args=(), infra_key=None, env=None, label="serve"):
        self.data_dir = data_dir
        self.args = list(args)
        self.infra_key = infra_key
        self.extra_env = dict(env or {})
        self.label = label
        self.proc = None
        self.port = None
        self.log_path = None

    def command(self):
        return [BIN, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", self.data_dir] + self.args

    def spawn(self):
        env = dict(os.environ)
        env.pop("JIM_INFRASTRUCTURE_API_KEY", None)
        if self.infra_key:
            env["JIM_INFRASTRUCTURE_API_KEY"] = self.infra_key
            register_secret(self.infra_key)
        env.update(self.extra_env)
        self.log_path = new_log_path(self.label)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                     stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        with _live_lock:
            _live_servers.append(self)
        return self

    def start(self, timeout=30):
        self.spawn()
        return self.wait_started(timeout)

    def wait_started(self, timeout=30):
        deadline = time.monotonic() + timeout
        pattern = re.compile(rb"jim-edge started.*?address=\S*?:(\d+)")
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                m = pattern.search(f.read())
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise ServerFailed(f"jim-edge exited with {self.proc.returncode} before it started:\n{self.log_tail()}")
            time.sleep(0.02)
        raise ServerFailed(f"jim-edge did not start within {timeout} s:\n{self.log_tail()}")

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_tail(self, n=20):
        return "\n".join(self.log_text().splitlines()[-n:])

    def kill9(self):
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._closed()

    def terminate(self, timeout=10.0):
        """SIGTERM by PID; returns (exit code or None if it had to be killed, seconds taken)."""
        t0 = time.monotonic()
        if self.alive():
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            rc = None
        self._closed()
        return rc, time.monotonic() - t0

    def _closed(self):
        try:
            self._log.close()
        except Exception:
            pass
        with _live_lock:
            if self in _live_servers:
                _live_servers.remove(self)

    def status_field(self, field):
        """A field of /proc/PID/status in kB (VmHWM, VmRSS, Threads...)."""
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def client(self, key=None, timeout=15):
        return Client(self.port, key=key, timeout=timeout)


def stop_all():
    with _live_lock:
        servers = list(_live_servers)
    for s in servers:
        try:
            s.terminate(timeout=10)
        except Exception:
            pass


def run_cli(args, env=None, timeout=60):
    e = dict(os.environ)
    e.pop("JIM_INFRASTRUCTURE_API_KEY", None)
    e.update(env or {})
    p = subprocess.run([BIN] + args, capture_output=True, timeout=timeout, env=e, preexec_fn=_die_with_parent)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------------
# HTTP

class Response:
    __slots__ = ("status", "headers", "body", "_json")

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self._json = None

    @property
    def json(self):
        if self._json is None:
            self._json = json.loads(self.body.decode("utf-8")) if self.body else None
        return self._json

    def header(self, name):
        return self.headers.get(name.lower())

    def is_envelope(self, code=None):
        try:
            j = self.json
        except ValueError:
            return False
        if not isinstance(j, dict):
            return False
        keys = {"code", "message", "details", "validationErrors", "timestamp"}
        if not keys.issubset(j.keys()) or not isinstance(j["message"], str) or not j["message"]:
            return False
        return code is None or j["code"] == code

    def __repr__(self):
        return f"<{self.status} {self.body[:200]!r}>"


class Client:
    """A keep-alive HTTP/1.1 client for one thread. Raises OSError/http.client errors on transport
    failures (the outcome of that request is then unknown)."""

    IDLE_RECONNECT = 2.5  # the server closes idle keep-alive connections after 5 s

    def __init__(self, port, key=None, timeout=15):
        self.port = port
        self.key = key
        self.timeout = timeout
        self.conn = None
        self.last_used = 0.0

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method, path, body=None, headers=None, key=None):
        if self.conn is not None and time.monotonic() - self.last_used > self.IDLE_RECONNECT:
            self.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        h = {}
        k = key if key is not None else self.key
        if k:
            h["X-Api-Key"] = k
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, bytearray)) else json.dumps(body).encode()
            h["Content-Type"] = "application/json; charset=utf-8"
        if headers:
            h.update(headers)
        try:
            self.conn.request(method, path, body=data, headers=h)
            r = self.conn.getresponse()
            payload = r.read()
        except Exception:
            self.close()
            raise
        self.last_used = time.monotonic()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        if hdrs.get("connection", "").lower() == "close":
            self.close()
        resp = Response(r.status, hdrs, payload)
        _check_no_secret_in_response(resp)
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


_response_allow = set()  # plaintexts legitimately shown once (the create response of that key)


def allow_in_next_response(plaintext):
    _response_allow.add(plaintext)


def _check_no_secret_in_response(resp):
    if not _own_secrets:
        return
    text = resp.body.decode("utf-8", "replace") + "\n" + "\n".join(f"{k}: {v}" for k, v in resp.headers.items())
    for k in list(_own_secrets):
        check(sha256_hex(k) not in text, f"a key digest appears in a response: {resp!r}")
        check(k not in text, f"a key plaintext appears in a response: {resp.status}")


def wait_until(pred, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    return pred()


# ---------------------------------------------------------------------------------------------------
# API shortcuts

CS = "/api/v1/synchronisation/connected-systems"


def create_system(c, name, connector=1):
    r = c.post(CS, {"name": name, "connectorDefinitionId": connector})
    if r.status != 201:
        raise AssertionError(f"cannot create connected system {name}: {r!r}")
    return r.json["id"]


def profiles_path(cs, rp=None):
    return f"{CS}/{cs}/run-profiles" + (f"/{rp}" if rp is not None else "")


def all_activities(c, cs=None, page_size=100):
    out, page = [], 1
    while True:
        q = f"/api/v1/activities?page={page}&pageSize={page_size}"
        if cs is not None:
            q += f"&connectedSystemId={cs}"
        r = c.get(q)
        if r.status != 200:
            raise AssertionError(f"GET {q}: {r!r}")
        j = r.json
        out.extend(j["items"])
        if not j["hasNextPage"]:
            return out
        page += 1


def etag_revision(etag):
    m = re.fullmatch(r'"rp-(\d+)-(\d+)"', etag or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


_fresh_dirs = []


def fresh_dir(label):
    """A new temp dir; removed by finish() when the driver passes, kept as evidence when it fails."""
    base = os.environ.get("JIM_REL_TMP") or tempfile.gettempdir()
    path = tempfile.mkdtemp(prefix=f"jim-{TEST_NAME}-{label}-", dir=base)
    _fresh_dirs.append(path)
    return path


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


def main_guard(fn):
    """Runs a driver's main; an unexpected exception is a FAIL with its traceback, never a hang."""
    import traceback
    try:
        fn()
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        _failures.append("driver raised " + traceback.format_exc().splitlines()[-1])
        finish()
