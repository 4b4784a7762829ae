#!/usr/bin/env python3
"""Smoke test of the real Leadguard desktop window, driven by tauri-driver.

Why plain HTTP: WebDriver is a small JSON-over-HTTP protocol and Python's stdlib
speaks it; no client library to install. scripts/test-tauri.sh builds the app,
starts tauri-driver (which starts WebKitWebDriver, which starts the app) under
Xvfb and runs this file.

What it proves: the window loads the UI compiled into the binary, the UI reaches
the core through the single Tauri `api` command (the settings screen shows the
data directory the core reports, which is the LEADGUARD_DATA the test chose), and
the interface is in Chinese by default.

Usage: smoke.py --driver http://127.0.0.1:4444 --app /path/to/leadguard-app
                --data-dir DIR --screenshot-dir docs/screenshots
"""

import argparse
import base64
import http.client
import json
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


class WebDriverError(Exception):
    pass


class DriverDropped(Exception):
    """WebKitWebDriver closed or reset the connection mid-session: the known driver drop
    (root cause not found). scripts/test-tauri.sh retries a run only for this failure."""


# Exit status for the known driver drop (EX_TEMPFAIL); every other failure exits 1.
DRIVER_DROPPED_EXIT = 75
# tauri-driver proxies to WebKitWebDriver; when that connection drops it answers 5xx
# with the transport error in the body.
DROP_IN_BODY = re.compile(rb"connection (closed|reset|refused)|broken pipe|IncompleteMessage", re.I)
DROP_ERRORS = (ConnectionResetError, ConnectionRefusedError, BrokenPipeError,
               http.client.RemoteDisconnected, http.client.IncompleteRead)


class Session:
    def __init__(self, driver: str, app: str):
        self.driver = driver.rstrip("/")
        caps = {"capabilities": {"alwaysMatch": {"browserName": "wry", "tauri:options": {"application": app}}}}
        value = self._request("POST", "/session", caps)
        self.id = value["sessionId"]

    def _request(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.driver + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                payload = json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            body = e.read()[:500]
            if e.code >= 500 and DROP_IN_BODY.search(body):
                raise DriverDropped(f"{method} {path}: HTTP {e.code}: {body!r}") from None
            raise WebDriverError(f"{method} {path}: HTTP {e.code}: {body!r}") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, DROP_ERRORS):
                raise DriverDropped(f"{method} {path}: {e.reason!r}") from None
            raise
        except DROP_ERRORS as e:
            raise DriverDropped(f"{method} {path}: {e!r}") from None
        return payload.get("value")

    def cmd(self, method, path, body=None):
        return self._request(method, f"/session/{self.id}{path}", body)

    def execute(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def text_of(self, css):
        """The text of the first element matching `css`, read in one script call, so no
        element reference outlives a React re-render."""
        return self.execute("const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css)

    def wait_text(self, css, predicate, what, timeout=30.0):
        """Polls until an element matching `css` has text satisfying `predicate`."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.text_of(css)
            if last is not None and predicate(last):
                return last
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what} ({css!r}); last text: {last!r}")

    def screenshot(self, path: Path):
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        return len(png)

    def close(self):
        try:
            self.cmd("DELETE", "")
        except (WebDriverError, DriverDropped, OSError):
            pass


def has_cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", default="http://127.0.0.1:4444")
    ap.add_argument("--app", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--screenshot-dir", required=True)
    a = ap.parse_args()

    started = time.monotonic()
    s = Session(a.driver, a.app)
    try:
        title = s.cmd("GET", "/title")
        print(f"tauri-driver: session {s.id}, window title {title!r}")
        assert "Leadguard" in title, title
        # WebKitWebDriver 2.50 here sometimes drops its connection on the first command
        # that reaches the page while the window is still loading (seen in CI, under
        # load). Give the first navigation time to finish before touching the page.
        time.sleep(2.0)

        # The first screen: a Chinese heading rendered by the UI.
        heading = s.wait_text("h3", has_cjk, "a zh-CN heading on the first screen")
        print(f"tauri-driver: first screen heading {heading!r}")
        size = s.screenshot(Path(a.screenshot_dir) / "tauri-window.png")
        print(f"tauri-driver: screenshot tauri-window.png ({size} bytes)")

        # Settings: what the core says about this installation, through `api`.
        # Navigate after the script has returned: a navigation inside the script call
        # is another moment WebKitWebDriver 2.50 was seen to drop its connection.
        s.execute("setTimeout(() => { window.location.hash = '/settings'; }, 50); return true;")
        time.sleep(0.5)
        s.wait_text("h3", lambda t: t.strip() == "设置", "the 设置 (settings) heading")
        data_dir = s.wait_text("[data-testid=data-dir]", lambda t: t.strip() != "", "the data directory")
        print(f"tauri-driver: core reports data_dir {data_dir!r}")
        assert data_dir.strip() == a.data_dir, f"core data_dir {data_dir!r} != LEADGUARD_DATA {a.data_dir!r}"
        body = s.text_of("body")
        assert "Leadguard" in body and "桌面应用" in body, "settings must show the version and the Tauri transport"
        size = s.screenshot(Path(a.screenshot_dir) / "tauri-settings.png")
        print(f"tauri-driver: screenshot tauri-settings.png ({size} bytes)")
    finally:
        s.close()
    print(f"tauri-driver: PASS — real window rendered the UI with data from the core "
          f"({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DriverDropped as e:
        print(f"tauri-driver: WebKitWebDriver dropped the session: {e}", file=sys.stderr)
        sys.exit(DRIVER_DROPPED_EXIT)
