"""10,000 random and malformed requests in under a minute, from 4 clients at once: raw
garbage, broken HTTP, bad JSON, wrong types, out-of-range values, random paths and
methods, and valid requests with random settings. Every answer must be a status below 500
(JSON errors for the API), and afterwards a normal request must still be answered.
    storm_check.py URL NMTX TMP"""
import json
import random
import socket
import sys
import threading
import time

from client import Client

url, nmtx, tmp = sys.argv[1:4]
api = Client(url)
TOTAL, CLIENTS = 10000, 4
sources = open(f"{api.ok('/api/runs')['runs'][0]['dir']}/data/dev.src").read().splitlines()[:50]
failures, answered = [], [0]
lock = threading.Lock()


def random_value(rng):
    return rng.choice([None, True, False, 0, -1, 1, 2, 3, 5, 16, 17, 2 ** 31, 2 ** 63, -2 ** 63, 1e308, -1e-300, 0.5, "", "x",
                       "1 2 3", "\u00ff\u4e2d", [], [1, 2], [3], [-1], [10 ** 12], {}, {"kind": "pin"},
                       {"kind": "pin", "step": 0, "position": 0}, {"kind": "scale", "step": 1, "position": 1, "factor": 1e9},
                       "a" * rng.randint(0, 5000), [rng.randint(-5, 60) for _ in range(rng.randint(0, 300))]])


def api_request(rng):
    path = rng.choice(["/api/translate", "/api/score", "/api/sentences", "/api/triage", "/api/runs"])
    body = {}
    if rng.random() < 0.8:
        body["run"] = rng.choice([0, 1, 0, 1, 2, -1, "0", None, 1.5])
    for key in ["source", "target", "beam", "alpha", "n_best", "hard", "monotonic", "window", "prefix", "intervention", "set"]:
        if rng.random() < 0.4:
            body[key] = random_value(rng)
    if rng.random() < 0.5:  # a plausible request, with random settings
        body.update(run=rng.randint(0, 1), source=rng.choice(sources), beam=rng.randint(1, 4))
        if rng.random() < 0.3:
            body["intervention"] = {"kind": rng.choice(["pin", "scale"]), "step": rng.randint(0, 5), "position": rng.randint(0, 3),
                                    "factor": rng.random() * 3}
        if rng.random() < 0.3:
            body["prefix"] = [rng.randint(4, 14) for _ in range(rng.randint(0, 4))]
    text = json.dumps(body).encode()
    mutate = rng.random()
    if mutate < 0.15:  # truncated or corrupted JSON
        cut = rng.randint(0, len(text))
        text = text[:cut] + bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 8)))
    method = "GET" if path == "/api/runs" or rng.random() < 0.05 else "POST"
    return method, path, text


def raw_request(rng):
    """Bytes that are not always HTTP: request lines, headers and bodies gone wrong."""
    choices = [
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"POST /api/translate HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: 99999999999\r\n\r\n{}" % api.port,
        b"POST /api/translate HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: -5\r\n\r\n" % api.port,
        b"POST /api/translate HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" % api.port,
        b"\x00\x01\x02 garbage \xff\r\n\r\n",
        b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X: " + b"y" * 10000 + b"\r\n\r\n",
        b"BREW /api/runs HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % api.port,
        bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 300))),
    ]
    return rng.choice(choices)


def worker(seed, count):
    rng = random.Random(seed)
    client = Client(url)
    for _ in range(count):
        kind = rng.random()
        try:
            if kind < 0.1:
                with socket.create_connection((api.host, api.port), timeout=10) as s:
                    s.sendall(raw_request(rng))
                    s.shutdown(socket.SHUT_WR)
                    head = s.recv(64)
                    if head.startswith(b"HTTP/1.1 5"):
                        raise AssertionError(f"raw request answered {head!r}")
            elif kind < 0.15:
                path = rng.choice(["/", "/inspect.js", "/x", "/api/", "/api/translate/..", "/%00", "/inspect.css?x=1", "/" + "z" * 300])
                status, _ = client.request(rng.choice(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]), path)
                assert status < 500, (path, status)
            else:
                method, path, text = api_request(rng)
                status, data = client.request(method, path, raw=text,
                                              headers={"Content-Type": "application/json", "Host": f"127.0.0.1:{api.port}"})
                assert status < 500, (method, path, text[:200], status, data)
                if status >= 400:
                    assert isinstance(data, dict) and "error" in data, (path, status, data)
        except (ConnectionError, socket.timeout) as e:
            with lock:
                failures.append(f"connection: {e!r}")
        except Exception as e:  # an assertion, or an answer that is not what it claims
            with lock:
                failures.append(f"{type(e).__name__}: {str(e)[:400]}")
        with lock:
            answered[0] += 1


start = time.time()
threads = [threading.Thread(target=worker, args=(k, TOTAL // CLIENTS)) for k in range(CLIENTS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
seconds = time.time() - start
print(f"storm: {answered[0]} requests in {seconds:.1f} s, {len(failures)} failures")
if failures:
    sys.exit("FAIL: " + "\n".join(failures[:10]))
if answered[0] != TOTAL:
    sys.exit(f"FAIL: {answered[0]} of {TOTAL} requests made")
if seconds > 60:
    sys.exit(f"FAIL: {seconds:.0f} s for {TOTAL} requests (at most 60)")
after = api.ok("/api/translate", {"run": 0, "source": sources[0], "beam": 3})
if not after["hypotheses"] or not after["hypotheses"][0]["tokens"]:
    sys.exit("FAIL: a normal request after the storm: " + json.dumps(after)[:300])
print("storm: a normal request is answered afterwards")
