"""The server as an operator sees it: it listens on every configured port, answers each protocol with a
clear greeting, reloads certificates on SIGHUP without stopping, and exits 0 on SIGTERM."""
import hashlib
import json
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import BINARY, MallardServer


def read_line(sock, limit=4096):
    data = b""
    while not data.endswith(b"\n") and len(data) < limit:
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data.decode()


def tls_client():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def make_cert(directory, name):
    cert, key = os.path.join(directory, name + ".crt"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + name],
                   check=True, capture_output=True)
    return cert, key


def server_cert_digest(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with tls_client().wrap_socket(raw) as s:
            return hashlib.sha256(s.getpeercert(binary_form=True)).hexdigest()


class Greetings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = MallardServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def greeting(self, name, use_tls=False):
        raw = socket.create_connection(("127.0.0.1", self.server.ports[name]), timeout=10)
        sock = tls_client().wrap_socket(raw) if use_tls else raw
        with sock:
            return read_line(sock)

    def test_every_listener_is_bound(self):
        self.assertEqual(sorted(self.server.ports), ["http", "imap", "imaps", "lmtp", "pop3", "pop3s"])

    def test_imap_greets_on_plain_and_tls_ports(self):
        for line in (self.greeting("imap"), self.greeting("imaps", use_tls=True)):
            self.assertTrue(line.startswith("* OK [CAPABILITY IMAP4rev1 "), line)
            self.assertIn("] mallard.test ", line)

    def test_pop3_greets_on_plain_and_tls_ports(self):
        self.assertTrue(self.greeting("pop3").startswith("+OK mallard.test "))
        self.assertTrue(self.greeting("pop3s", use_tls=True).startswith("+OK mallard.test "))

    def test_lmtp_greets_with_220(self):
        self.assertTrue(self.greeting("lmtp").startswith("220 mallard.test "))

    def test_http_answers_with_a_json_error(self):
        with socket.create_connection(("127.0.0.1", self.server.ports["http"]), timeout=10) as s:
            s.sendall(b"GET /no-such-route HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            response = b""
            while chunk := s.recv(4096):
                response += chunk
        head, body = response.split(b"\r\n\r\n", 1)
        self.assertTrue(head.startswith(b"HTTP/1.1 404 "))
        self.assertEqual(json.loads(body)["code"], "ResourceNotFound")

    def test_a_self_signed_certificate_is_created_when_none_is_configured(self):
        self.assertTrue(os.path.exists(os.path.join(self.server.dir.name, "data/tls/self-signed.crt")))


class Signals(unittest.TestCase):
    def test_sigterm_interrupts_idle_sessions_and_exits_zero(self):
        server = MallardServer().start()
        try:
            # An HTTP client that never finishes its request: the session waits for it until shutdown.
            idle = socket.create_connection(("127.0.0.1", server.ports["http"]), timeout=10)
            idle.sendall(b"GET /users HTTP/1.1\r\nHost: x\r\n")
            time.sleep(0.2)
            started = time.monotonic()
            self.assertEqual(server.stop(), 0)
            self.assertLess(time.monotonic() - started, 8, "shutdown waited for the grace period")
            self.assertIn(b"503", idle.recv(4096))  # the interrupted session still answered
            idle.close()
        finally:
            server.close()

    def test_sighup_reloads_the_certificate_without_stopping(self):
        with tempfile.TemporaryDirectory() as d:
            first = make_cert(d, "first")
            server = MallardServer(tls_files=first).start()
            try:
                before = server_cert_digest(server.ports["imaps"])
                second = make_cert(d, "second")
                os.replace(second[0], first[0])
                os.replace(second[1], first[1])
                server.signal(signal.SIGHUP)
                self.assertTrue(server.wait_for_log("TLS certificates reloaded"))
                after = server_cert_digest(server.ports["imaps"])
                self.assertNotEqual(before, after)
                self.assertIsNone(server.proc.poll())
                self.assertEqual(server.stop(), 0)
            finally:
                server.close()

    def test_sighup_with_a_broken_config_keeps_the_old_one(self):
        server = MallardServer().start()
        try:
            with open(server.config_path, "a") as f:
                f.write("\n[imap]\nautologout = \"soon\"\n")
            server.signal(signal.SIGHUP)
            self.assertTrue(server.wait_for_log("reload failed"))
            with socket.create_connection(("127.0.0.1", server.ports["lmtp"]), timeout=10) as s:
                self.assertTrue(read_line(s).startswith("220 "))
            self.assertEqual(server.stop(), 0)
        finally:
            server.close()


class ConfigErrors(unittest.TestCase):
    def test_errors_name_the_file_the_line_and_the_key(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bad.toml")
            with open(path, "w") as f:
                f.write("[imap]\nstarttls = true\n\n[imap.plain]\nport = 70000\n")
            run = subprocess.run([BINARY, "--config", path, "--check"], capture_output=True, text=True)
            self.assertEqual(run.returncode, 2)
            self.assertIn("bad.toml:5", run.stderr)
            self.assertIn("imap.plain.port", run.stderr)

    def test_a_valid_override_passes_the_check(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "ok.toml")
            with open(path, "w") as f:
                f.write("[server]\nport_offset = 10000\n")
            run = subprocess.run([BINARY, "--config", path, "--check"], capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)


if __name__ == "__main__":
    unittest.main()
