"""What the inspector's checks share: a JSON client for the server, and a PNG check."""
import http.client
import json
import struct
import urllib.parse
import zlib


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
    """Pixels of an 8-bit RGB(A), non-interlaced PNG that are neither white nor the page's
    background (#fafbfc): a blank screenshot has none."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    bpp = 3 if ctype == 2 else 4
    stride = width * bpp
    previous = bytearray(stride)
    count = 0
    i = 0
    for _ in range(height):
        kind = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = previous[x]
            c = previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp):
            rgb = tuple(line[x:x + 3])
            if rgb != (255, 255, 255) and rgb != (250, 251, 252):
                count += 1
        previous = line
    return count
