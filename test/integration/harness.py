"""Starts the real mallard binary on loopback for integration tests, and stops it.

Every listener binds 127.0.0.1 port 0; the ports the kernel chose are read from the server's log
("listening for imap on 127.0.0.1:40123"), so tests never race for a free port.
"""
import http.client
import json
import os
import re
import signal
import subprocess
import tempfile
import time

BINARY = os.environ.get("MALLARD_BINARY", "build/tools/mallard/mallard")


def http_api(port, method, path, body=None, token=None, timeout=15):
    """One request to the HTTP API on loopback, `body` sent as JSON and `token` as X-Access-Token (none
    without): (status, the raw response body, the response)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"X-Access-Token": token} if token else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(), response
    finally:
        conn.close()


def json_or_none(payload):
    return json.loads(payload) if payload else None
LISTENERS = ["imap.plain", "imap.secure", "pop3.plain", "pop3.secure", "lmtp.listen", "http.listen"]


class MallardServer:
    """data_dir: another server's data directory to share (two instances on one store); by default each
    server has its own, removed with its temporary directory. The config and the log are always its own."""

    def __init__(self, extra_config="", tls_files=None, data_dir=None):
        self.dir = tempfile.TemporaryDirectory(prefix="mallard-test-")
        self.config_path = os.path.join(self.dir.name, "mallard.toml")
        self.log_path = os.path.join(self.dir.name, "mallard.log")
        self.data_dir = data_dir or os.path.join(self.dir.name, "data")
        self.ports = {}
        self.proc = None
        self.write_config(extra_config, tls_files)

    def write_config(self, extra_config="", tls_files=None):
        lines = [
            "[server]",
            f'data_dir = "{self.data_dir}"',
            'hostname = "mallard.test"',
            "workers = 2",
            'shutdown_grace = "10s"',
            "[log]",
            'level = "debug"',
        ]
        if tls_files:
            lines += ["[tls]", f'cert_file = "{tls_files[0]}"', f'key_file = "{tls_files[1]}"']
        for listener in LISTENERS:
            lines += [f"[{listener}]", 'host = "127.0.0.1"', "port = 0"]
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n" + extra_config)

    def start(self, timeout=20):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([BINARY, "--config", self.config_path], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.read_log()
            if "mallard ready" in text:
                for name, port in re.findall(r"listening for (\w+) on 127\.0\.0\.1:(\d+)", text):
                    self.ports[name] = int(port)
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"mallard exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.05)
        raise RuntimeError("mallard did not start:\n" + self.read_log())

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_for_log(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.read_log():
                return True
            time.sleep(0.05)
        return False

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=20):
        """Sends SIGTERM and returns the exit code (the process is killed if it outlives the timeout)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise

    def close(self):
        try:
            self.stop()
            self.check_sanitizers()
        finally:
            self.log.close()
            self.dir.cleanup()

    def check_sanitizers(self):
        """In a sanitizer build, a report in the server's log fails the test that ran the server."""
        text = self.read_log()
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if marker in text:
                raise AssertionError(f"sanitizer report in the server log:\n{text[-6000:]}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
