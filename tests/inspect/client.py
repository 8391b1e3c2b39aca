"""What the inspector's checks share: a JSON client for the server, a counted check, and
a PNG check."""
import http.client
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from png_pixels import rgb_pixels  # noqa: E402


class Client:
    def __init__(self, url):
        parts = urllib.parse.urlparse(url)
        self.host, self.port = parts.hostname, parts.port

    def request(self, method, path, body=None, headers=None, raw=None):
        """(status, parsed JSON) of one request; raw sends bytes as they are."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        conn.request(method, path, body=data, headers=headers or {})
        response = conn.getresponse()
        text = response.read()
        conn.close()
        kind = response.getheader("Content-Type", "")
        return response.status, (json.loads(text) if kind.startswith("application/json") and text else text)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, body):
        return self.request("POST", path, body, {"Content-Type": "application/json"})

    def ok(self, path, body=None):
        status, data = self.get(path) if body is None else self.post(path, body)
        assert status == 200, (path, body, status, data)
        return data


def png_pixels_not_background(path):
    """Pixels of a screenshot that are neither white nor the page's background (#fafbfc):
    a blank screenshot has none."""
    return sum(1 for rgb in rgb_pixels(path) if rgb not in ((255, 255, 255), (250, 251, 252)))


def check(condition, what):
    """Counts a check; exits with FAIL: what when it does not hold."""
    check.count += 1
    if not condition:
        sys.exit("FAIL: " + what)


check.count = 0
