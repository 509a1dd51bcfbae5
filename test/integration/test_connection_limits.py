"""Connection limits per client address and per user, as IMAP and POP3 clients see them, with low limits.

Over the per-address limit the greeting refuses the connection (IMAP "* BYE [UNAVAILABLE]", POP3
"-ERR [SYS/TEMP]") and the server closes it; over the per-user limit the login is refused (IMAP
"NO [LIMIT]", RFC 5530; POP3 "-ERR [IN-USE]", RFC 2449) and the session stays unauthenticated. Plain and
implicit-TLS listeners of one protocol count together; the two protocols count apart. A session that ends
(logout, or the client just going away) gives its places back."""
import imaplib
import os
import poplib
import socket
import ssl
import subprocess
import time
import unittest

from harness import MallardServer

CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")
PASSWORD = "limit secret"


def tls_client():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Line:
    """A line-level client: the greeting, commands, and whether the server closed the connection."""

    def __init__(self, port, tls=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        if tls:
            self.sock = tls_client().wrap_socket(self.sock)
        self.file = self.sock.makefile("rb")
        self.greeting = self.line()

    def line(self):
        return self.file.readline().rstrip(b"\r\n")

    def send(self, text):
        self.sock.sendall(text + b"\r\n")
        return self.line()

    def imap(self, tag, text):
        self.sock.sendall(tag + b" " + text + b"\r\n")
        while True:
            line = self.line()
            if line.startswith(tag + b" ") or not line:
                return line

    def closed_by_server(self):
        return self.file.read() == b""

    def close(self):
        self.file.close()
        self.sock.close()


class LimitsBase(unittest.TestCase):
    extra_config = ""

    @classmethod
    def setUpClass(cls):
        cls.server = MallardServer(extra_config=cls.extra_config).start()
        cls.users = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def new_user(self):
        type(self).users += 1
        name = f"user{type(self).users}"
        run = subprocess.run([CTL, "--config", self.server.config_path, "user", "create", name, "--address",
                              f"{name}@example.com", "--password", PASSWORD], capture_output=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        return name

    def admitted(self, port, ok_prefix, tls=False, timeout=10):
        """Connects until the greeting admits the client: the server learns of a closed peer asynchronously."""
        deadline = time.monotonic() + timeout
        while True:
            client = Line(port, tls)
            if client.greeting.startswith(ok_prefix):
                return client
            client.close()
            if time.monotonic() > deadline:
                self.fail(f"not admitted: {client.greeting!r}")
            time.sleep(0.05)


class AddressLimits(LimitsBase):
    extra_config = ("[imap]\nmax_connections_per_address = 3\n"
                    "[pop3]\nmax_connections_per_address = 2\n")

    def test_imap_refuses_in_the_greeting_over_the_limit_plain_and_tls_together(self):
        held = [self.admitted(self.server.ports["imap"], b"* OK"), self.admitted(self.server.ports["imap"], b"* OK"),
                self.admitted(self.server.ports["imaps"], b"* OK", tls=True)]
        refused = Line(self.server.ports["imap"])
        self.assertEqual(refused.greeting, b"* BYE [UNAVAILABLE] Too many connections from your address")
        self.assertTrue(refused.closed_by_server())
        refused.close()
        # POP3 counts apart: its own limit is not touched by the IMAP connections.
        pop = Line(self.server.ports["pop3"])
        self.assertTrue(pop.greeting.startswith(b"+OK"), pop.greeting)
        pop.close()
        held.pop().close()  # the TLS one goes away without LOGOUT; its place comes back
        again = self.admitted(self.server.ports["imap"], b"* OK")
        self.assertEqual(again.imap(b"a1", b"LOGOUT"), b"a1 OK LOGOUT completed")
        for c in held + [again]:
            c.close()

    def test_pop3_refuses_in_the_greeting_over_the_limit(self):
        held = [self.admitted(self.server.ports["pop3"], b"+OK"),
                self.admitted(self.server.ports["pop3s"], b"+OK", tls=True)]
        refused = Line(self.server.ports["pop3"])
        self.assertEqual(refused.greeting, b"-ERR [SYS/TEMP] Too many connections from your address")
        self.assertTrue(refused.closed_by_server())
        refused.close()
        self.assertTrue(held[0].send(b"QUIT").startswith(b"+OK"))
        held[0].close()
        again = self.admitted(self.server.ports["pop3"], b"+OK")
        again.close()
        held[1].close()


class UserLimits(LimitsBase):
    extra_config = ("[imap]\nmax_connections_per_user = 2\nmax_connections_per_address = 0\n"
                    "[pop3]\nmax_connections_per_user = 1\nmax_connections_per_address = 0\n")

    def test_imap_login_over_the_limit_is_no_limit_and_stays_unauthenticated(self):
        user = self.new_user()
        first = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"])
        first.login(user, PASSWORD)
        second = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"])
        second.login(f"{user}@example.com", PASSWORD)  # any login name of the user counts as the user
        third = Line(self.server.ports["imap"])
        self.assertEqual(third.imap(b"a1", b'LOGIN ' + user.encode() + b' "' + PASSWORD.encode() + b'"'),
                         b"a1 NO [LIMIT] Too many simultaneous connections for this user")
        self.assertEqual(third.imap(b"a2", b"SELECT INBOX"), b"a2 BAD SELECT requires login")
        # Another user is not affected.
        other = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"])
        other.login(self.new_user(), PASSWORD)
        other.logout()
        first.logout()
        deadline = time.monotonic() + 10
        while True:
            reply = third.imap(b"a3", b'LOGIN ' + user.encode() + b' "' + PASSWORD.encode() + b'"')
            if reply.startswith(b"a3 OK") or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertTrue(reply.startswith(b"a3 OK"), reply)
        third.close()
        second.logout()

    def test_pop3_login_over_the_limit_is_err_in_use(self):
        user = self.new_user()
        first = poplib.POP3("127.0.0.1", self.server.ports["pop3"], timeout=20)
        first.user(user)
        first.pass_(PASSWORD)
        second = poplib.POP3("127.0.0.1", self.server.ports["pop3"], timeout=20)
        second.user(user)
        with self.assertRaises(poplib.error_proto) as refused:
            second.pass_(PASSWORD)
        self.assertEqual(refused.exception.args[0], b"-ERR [IN-USE] Too many simultaneous connections for this user")
        with self.assertRaises(poplib.error_proto):
            second.stat()  # still in AUTHORIZATION
        # IMAP counts apart: a POP3 download does not lock the user out of IMAP.
        imap = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"])
        imap.login(user, PASSWORD)
        imap.logout()
        first.quit()
        deadline = time.monotonic() + 10
        while True:
            second.user(user)
            try:
                second.pass_(PASSWORD)
                break
            except poplib.error_proto:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.assertEqual(second.stat(), (0, 0))
        second.quit()


if __name__ == "__main__":
    unittest.main()
