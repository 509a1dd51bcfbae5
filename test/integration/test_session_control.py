"""Ending sessions from outside (issues 9 and 10), against the real mallard binary: PUT /users/:user/logout
ends every IMAP session of the user — in IDLE or not — with "* BYE <reason>" and its POP3 sessions with
"-ERR ... <reason>", closing them within a second, while other users' sessions stay; deleting an
application password ends only the sessions opened with it; POST /users/:user/quota/reset puts a drifted
counter right again. Users are made through the API; the quota counter is skewed with SQL on the store."""
import os
import socket
import sqlite3
import time
import unittest

from harness import MallardServer, http_api, json_or_none

TOKEN = "session-control-token"


class Line:
    """A line-level client for IMAP and POP3: enough to log in, IDLE, and watch what the server says."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def line(self, timeout=10):
        self.sock.settimeout(timeout)
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def send(self, text):
        self.sock.sendall(text + b"\r\n")

    def tagged(self, tag, text):
        self.send(tag + b" " + text)
        while True:
            line = self.line()
            if line.startswith(tag + b" "):
                return line

    def closed_within(self, seconds):
        """Whether the server closes the connection within `seconds` (what is still unread is dropped)."""
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                self.sock.settimeout(max(0.01, deadline - time.monotonic()))
                if not self.sock.recv(65536):
                    return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
        return False

    def close(self):
        self.sock.close()


class SessionControl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        extra = f'[http]\naccess_token = "{TOKEN}"\n[imap]\npoll_interval = "10m"\n'
        cls.server = MallardServer(extra_config=extra).start()
        cls.users = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def api(self, method, path, body=None):
        status, payload, _ = http_api(self.server.ports["http"], method, path, body, TOKEN)
        return status, json_or_none(payload)

    def new_user(self):
        type(self).users += 1
        name = f"sc{type(self).users}"
        status, body = self.api("POST", "/users", {"username": name, "password": "pw " + name})
        self.assertEqual(status, 200, body)
        return name, body["id"]

    def imap(self, name, password=None):
        c = Line(self.server.ports["imap"])
        self.addCleanup(c.close)
        self.assertTrue(c.line().startswith(b"* OK"))
        password = password or "pw " + name
        reply = c.tagged(b"l", f'LOGIN {name} "{password}"'.encode())
        self.assertTrue(reply.startswith(b"l OK"), reply)
        return c

    def idle(self, c):
        self.assertTrue(c.tagged(b"s", b"SELECT INBOX").startswith(b"s OK"))
        c.send(b"i IDLE")
        self.assertTrue(c.line().startswith(b"+ "))
        return c

    def pop3(self, name, password=None):
        c = Line(self.server.ports["pop3"])
        self.addCleanup(c.close)
        self.assertTrue(c.line().startswith(b"+OK"))
        c.send(f"USER {name}".encode())
        self.assertTrue(c.line().startswith(b"+OK"))
        c.send(f"PASS {password or 'pw ' + name}".encode())
        reply = c.line()
        self.assertTrue(reply.startswith(b"+OK"), reply)
        return c

    def assert_ended(self, c, expected, within=1.0):
        started = time.monotonic()
        line = c.line(timeout=within)
        while not line.startswith(expected[:5]):  # "* BYE" or "-ERR "
            line = c.line(timeout=max(0.01, within - (time.monotonic() - started)))
        self.assertEqual(line, expected)
        self.assertTrue(c.closed_within(max(0.05, within - (time.monotonic() - started))), "not closed")

    def test_logout_ends_imap_idle_and_not_idle_and_pop3_but_not_other_users(self):
        name, uid = self.new_user()
        other, _ = self.new_user()
        idling = self.idle(self.imap(name))
        plain = self.imap(name)
        self.assertTrue(plain.tagged(b"n", b"NOOP").startswith(b"n OK"))
        pop = self.pop3(name)
        bystander = self.idle(self.imap(other))
        status, body = self.api("PUT", f"/users/{uid}/logout", {"reason": "Down for maintenance"})
        self.assertEqual((status, body), (200, {"success": True}))
        self.assert_ended(idling, b"* BYE Down for maintenance")
        self.assert_ended(plain, b"* BYE Down for maintenance")
        self.assert_ended(pop, b"-ERR [SYS/TEMP] Down for maintenance")
        # The other user's session is still there and answers.
        bystander.send(b"DONE")
        self.assertTrue(bystander.line().startswith(b"i OK"))
        self.assertTrue(bystander.tagged(b"n", b"NOOP").startswith(b"n OK"))
        # Logging in again works: a logout is not a lock-out.
        self.assertTrue(self.imap(name).tagged(b"n", b"NOOP").startswith(b"n OK"))

    def test_logout_without_a_reason_uses_the_default_and_long_reasons_are_refused(self):
        name, uid = self.new_user()
        c = self.imap(name)
        status, body = self.api("PUT", f"/users/{uid}/logout", {"reason": "x" * 129})
        self.assertEqual(status, 400, body)
        self.assertEqual(c.tagged(b"n", b"NOOP")[:4], b"n OK")
        self.assertEqual(self.api("PUT", f"/users/{uid}/logout")[0], 200)
        self.assert_ended(c, b"* BYE Logout requested from API")
        self.assertEqual(self.api("PUT", "/users/999999/logout")[1]["code"], "UserNotFound")

    def test_revoking_an_asp_ends_only_the_sessions_opened_with_it(self):
        name, uid = self.new_user()
        first = self.api("POST", f"/users/{uid}/asps", {"description": "phone", "scopes": ["*"]})[1]
        second = self.api("POST", f"/users/{uid}/asps", {"description": "laptop", "scopes": ["*"]})[1]
        revoked = self.idle(self.imap(name, first["password"]))
        kept = self.idle(self.imap(name, second["password"]))
        account = self.imap(name)
        pop = self.pop3(name, first["password"])
        self.assertEqual(self.api("DELETE", f"/users/{uid}/asps/{first['id']}")[0], 200)
        self.assert_ended(revoked, b"* BYE Application password revoked")
        self.assert_ended(pop, b"-ERR [AUTH] Application password revoked")
        kept.send(b"DONE")
        self.assertTrue(kept.line().startswith(b"i OK"))
        self.assertTrue(account.tagged(b"n", b"NOOP").startswith(b"n OK"))

    def test_quota_reset_puts_a_skewed_counter_right(self):
        name, uid = self.new_user()
        c = self.imap(name)
        message = b"Subject: quota\r\n\r\n" + b"x" * 1000 + b"\r\n"
        c.send(b"a APPEND INBOX {%d}" % len(message))
        self.assertTrue(c.line().startswith(b"+"))
        c.sock.sendall(message + b"\r\n")
        self.assertTrue(c.line().startswith(b"a OK"))
        true_size = self.api("GET", f"/users/{uid}")[1]["limits"]["quota"]["used"]
        self.assertGreaterEqual(true_size, len(message))
        with sqlite3.connect(os.path.join(self.server.data_dir, "mallard.db"), timeout=10) as db:
            db.execute("UPDATE users SET quota_used = 123456789 WHERE id = ?", (int(uid),))
        self.assertEqual(self.api("GET", f"/users/{uid}")[1]["limits"]["quota"]["used"], 123456789)
        status, body = self.api("POST", f"/users/{uid}/quota/reset")
        self.assertEqual(status, 200, body)
        self.assertEqual(body, {"success": True, "storageUsed": true_size, "previousStorageUsed": 123456789})
        self.assertEqual(self.api("GET", f"/users/{uid}")[1]["limits"]["quota"]["used"], true_size)
        with sqlite3.connect(os.path.join(self.server.data_dir, "mallard.db"), timeout=10) as db:
            db.execute("UPDATE users SET quota_used = 5 WHERE id = ?", (int(uid),))
        status, body = self.api("POST", "/quota/reset")
        self.assertEqual(status, 200, body)
        self.assertTrue(body["success"])
        self.assertRegex(body["task"], r"^[0-9a-f]{24}$")
        self.assertEqual(self.api("GET", f"/users/{uid}")[1]["limits"]["quota"]["used"], true_size)


if __name__ == "__main__":
    unittest.main()
