#!/usr/bin/env python3
"""cdp-shot: headless Chromium driven over the DevTools protocol (only the
standard library: a minimal RFC 6455 client), for the browser tests.

  cdp-shot.py --url URL --out SHOT.png [--wait JS] [--settle S] [--eval JS]
              [--timeout S] [--size WxH] [--until-dialog] [--ignore-cert]
              [--autoplay]

Opens URL, waits until the JS expression --wait is true (polled), then
--settle seconds, writes a screenshot of the page to --out and prints
"rect=X,Y,W,H" (the first canvas's box in the page, CSS px = device px) and
"eval=..." (--eval's value).  JavaScript dialogs (prompt, alert) are
dismissed and printed as "dialog=MESSAGE"; --until-dialog ends the wait at
the first one.  Exit 0, or 1 with a message on a timeout.

Chromium's --screenshot with --virtual-time-budget does not wait for
WebSocket traffic (virtual time runs ahead of it), hence this."""
import argparse, base64, json, os, re, shutil, socket, struct, subprocess, sys, tempfile, time


class WS:
    def __init__(self, url):
        m = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        self.s = socket.create_connection((m.group(1), int(m.group(2))))
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET %s HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n"
                        % (m.group(3), m.group(1), m.group(2), key)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.s.recv(65536)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("no websocket: %r" % head[:80])
        self.next_id = 0
        self.dialogs = []

    def send(self, obj):
        data = json.dumps(obj).encode()
        mask = os.urandom(4)
        n = len(data)
        h = bytes([0x81])
        if n < 126:
            h += bytes([0x80 | n])
        elif n < 65536:
            h += bytes([0xFE]) + struct.pack(">H", n)
        else:
            h += bytes([0xFF]) + struct.pack(">Q", n)
        self.s.sendall(h + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _need(self, n):
        while len(self.buf) < n:
            d = self.s.recv(1 << 20)
            if not d:
                raise RuntimeError("devtools connection closed")
            self.buf += d

    def recv(self):
        msg = b""
        while True:
            self._need(2)
            fin, n, h = self.buf[0] & 0x80, self.buf[1] & 0x7F, 2
            if n == 126:
                self._need(4)
                n, h = struct.unpack(">H", self.buf[2:4])[0], 4
            elif n == 127:
                self._need(10)
                n, h = struct.unpack(">Q", self.buf[2:10])[0], 10
            self._need(h + n)
            msg += self.buf[h:h + n]
            self.buf = self.buf[h + n:]
            if fin:
                return json.loads(msg)

    def call(self, method, session=None, **params):
        self.next_id += 1
        req = {"id": self.next_id, "method": method, "params": params}
        if session:
            req["sessionId"] = session
        self.send(req)
        while True:
            r = self.recv()
            if r.get("method") == "Page.javascriptDialogOpening":
                self.dialogs.append(r["params"].get("message", ""))
                self.send({"id": 1000000 + len(self.dialogs), "method": "Page.handleJavaScriptDialog",
                           "sessionId": r.get("sessionId"), "params": {"accept": False}})
                continue
            if r.get("id") == self.next_id:
                if "error" in r:
                    raise RuntimeError("%s: %s" % (method, r["error"]))
                return r["result"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--wait", default="true")
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--eval", default="''")
    ap.add_argument("--timeout", type=float, default=20)
    ap.add_argument("--size", default="1024x768")
    ap.add_argument("--until-dialog", action="store_true")
    ap.add_argument("--ignore-cert", action="store_true", help="wss: a test CA")
    ap.add_argument("--autoplay", action="store_true",
                    help="let media play without a user gesture (spice-html5's VP8 <video>)")
    a = ap.parse_args()
    w, h = a.size.split("x")
    prof = tempfile.mkdtemp(prefix="sc-chromium-")
    browser = subprocess.Popen(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--hide-scrollbars", "--force-device-scale-factor=1", "--force-color-profile=srgb",
         "--remote-debugging-port=0", "--user-data-dir=" + prof,
         "--window-size=%s,%s" % (w, h)] +
        (["--ignore-certificate-errors"] if a.ignore_cert else []) +
        (["--autoplay-policy=no-user-gesture-required"] if a.autoplay else []) + ["about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        end = time.time() + a.timeout
        url = None
        for line in browser.stderr:
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                url = m.group(1)
                break
        if not url:
            print("chromium did not start its DevTools endpoint", file=sys.stderr)
            return 1
        ws = WS(url)
        target = ws.call("Target.createTarget", url="about:blank")["targetId"]
        sess = ws.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        ws.call("Page.enable", sess)
        ws.call("Page.navigate", sess, url=a.url)

        def js(expr):
            r = ws.call("Runtime.evaluate", sess, expression=expr, returnByValue=True)
            return r.get("result", {}).get("value")

        while not (a.until_dialog and ws.dialogs) and not js(a.wait):
            if time.time() > end:
                print("timed out waiting for: %s" % a.wait, file=sys.stderr)
                print("eval=%s" % js(a.eval))
                return 1
            time.sleep(0.2)
        time.sleep(a.settle)
        shot = ws.call("Page.captureScreenshot", sess, format="png")
        with open(a.out, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        rect = js("(function(){var c=document.querySelector('canvas');if(!c)return '';"
                  "var r=c.getBoundingClientRect();"
                  "return [r.x,r.y,r.width,r.height].map(Math.round).join(',');})()")
        print("rect=%s" % rect)
        print("eval=%s" % js(a.eval))
        for d in ws.dialogs:
            print("dialog=%s" % d)
        return 0
    finally:
        browser.kill()
        browser.wait()
        shutil.rmtree(prof, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
