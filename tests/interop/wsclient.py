"""wsclient: the client side of a WebSocket (RFC 6455) upgrade, for the web
tests and bench scripts (standard library only).  Import it with
PYTHONPATH=$top_srcdir/tests/interop."""
import base64, os


def upgrade(s, path="/websockify", host="x", protocol="binary"):
    """Sends the upgrade request for `path` on the connected socket `s` and
    reads the answer.  Returns the bytes that came after the answer's head.
    Raises AssertionError if the answer is not 101 or the peer closes."""
    key = base64.b64encode(os.urandom(16)).decode()
    req = ("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n" % (path, host, key))
    if protocol:
        req += "Sec-WebSocket-Protocol: %s\r\n" % protocol
    s.sendall((req + "\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        assert d, "closed before the upgrade's answer"
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    assert b" 101 " in head.split(b"\r\n")[0], head
    return rest
