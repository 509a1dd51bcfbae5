"""The webmail walk-through against the real binary: a user and an alias made through the HTTP API, a message
delivered by LMTP to the alias, listed and read parsed through the API, its attachment downloaded and compared
with the bytes that were sent, marked seen through the API — and that change heard by an IMAP session sitting
in IDLE (RFC 2177) and by the API's event stream (GET /users/:user/updates). Also a user token
(POST /authenticate) acting on "me", and search."""
import base64
import json
import smtplib
import socket
import time
import unittest

from harness import MallardServer, http_api, json_or_none

TOKEN = "test-root-token"
PASSWORD = "walk-through pw"
ATTACHMENT = bytes((i * 7 + 3) % 256 for i in range(3000))  # every byte value, not text


def message_with_attachment():
    encoded = base64.b64encode(ATTACHMENT).decode()
    lines = "\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
    return ("From: Bob <bob@example.org>\r\n"
            "To: Webmail User <walker.alias@example.com>\r\n"
            "Subject: quarterly numbers\r\n"
            "Date: Tue, 2 Jan 2024 10:00:00 +0000\r\n"
            "Message-ID: <walk-1@example.org>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
            "\r\n"
            "--XX\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Numbers attached.\r\n"
            "--XX\r\n"
            "Content-Type: application/octet-stream; name=\"numbers.bin\"\r\n"
            "Content-Disposition: attachment; filename=\"numbers.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "\r\n" + lines + "\r\n"
            "--XX--\r\n").encode()


class RawImap:
    """A bare IMAP client on a raw socket: lines in, lines out, so IDLE's untagged responses can be read."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.line()  # greeting

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; unread: %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def command(self, tag, text):
        self.sock.sendall(f"{tag} {text}\r\n".encode())
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if line.startswith(tag + " "):
                return line, lines

    def close(self):
        self.sock.close()


class EventStream:
    """GET /users/:user/updates read from a raw socket: the head, then events as they come."""

    def __init__(self, port, user):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(f"GET /users/{user}/updates HTTP/1.1\r\nHost: x\r\nX-Access-Token: {TOKEN}\r\n"
                          "Accept: text/event-stream\r\n\r\n".encode())
        self.buf = b""
        head = self.read_until(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1])
        self.head = head.decode()

    def read_until(self, needle, timeout=10):
        deadline = time.monotonic() + timeout
        while needle not in self.buf:
            if time.monotonic() > deadline:
                raise TimeoutError("waited for %r; got %r" % (needle, self.buf))
            self.sock.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("stream closed; got %r" % self.buf)
            self.buf += chunk
        at = self.buf.index(needle) + len(needle)
        out, self.buf = self.buf[:at], self.buf[at:]
        return out

    def next_event(self):
        """The next event's data as JSON (comment lines skipped)."""
        while True:
            block = self.read_until(b"\n\n").decode()
            data = [line[6:] for line in block.split("\n") if line.startswith("data: ")]
            if data:
                return json.loads("\n".join(data))

    def close(self):
        self.sock.close()


class HttpMessages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        extra = "\n".join(["[http]", f'access_token = "{TOKEN}"', "max_body_bytes = 1048576"]) + "\n"
        cls.server = MallardServer(extra_config=extra).start()
        cls.port = cls.server.ports["http"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def api(self, method, path, body=None, token=TOKEN, raw=False):
        status, payload, response = http_api(self.port, method, path, body, token)
        if raw:
            return status, payload, response
        return status, json_or_none(payload)

    def test_webmail_walk_through(self):
        status, made = self.api("POST", "/users", {"username": "walker", "password": PASSWORD})
        self.assertEqual(status, 200, made)
        user = made["id"]
        status, alias = self.api("POST", f"/users/{user}/addresses", {"address": "walker.alias@example.com"})
        self.assertEqual(status, 200, alias)

        sent = message_with_attachment()
        with smtplib.LMTP("127.0.0.1", self.server.ports["lmtp"]) as lmtp:
            refused = lmtp.sendmail("bob@example.org", ["Walker.Alias@example.com"], sent)
            self.assertEqual(refused, {})

        status, boxes = self.api("GET", f"/users/{user}/mailboxes")
        inbox = next(b["id"] for b in boxes["results"] if b["path"] == "INBOX")
        messages = f"/users/{user}/mailboxes/{inbox}/messages"
        status, listing = self.api("GET", messages)
        self.assertEqual(status, 200, listing)
        self.assertEqual(listing["total"], 1)
        entry = listing["results"][0]
        self.assertEqual(entry["subject"], "quarterly numbers")
        self.assertEqual(entry["from"], {"name": "Bob", "address": "bob@example.org"})
        self.assertTrue(entry["attachments"])
        self.assertFalse(entry["seen"])
        self.assertEqual(entry["intro"], "Numbers attached.")
        message = f"{messages}/{entry['id']}"

        status, parsed = self.api("GET", message)
        self.assertEqual(status, 200, parsed)
        self.assertEqual(parsed["messageId"], "<walk-1@example.org>")
        self.assertEqual(parsed["text"].strip(), "Numbers attached.")
        self.assertEqual(len(parsed["attachments"]), 1)
        attachment = parsed["attachments"][0]
        self.assertEqual(attachment["filename"], "numbers.bin")
        self.assertEqual(attachment["transferEncoding"], "base64")
        self.assertEqual(attachment["sizeKb"], 3)

        status, downloaded, response = self.api("GET", f"{message}/attachments/{attachment['id']}", raw=True)
        self.assertEqual(status, 200)
        self.assertEqual(response.getheader("Content-Type"), "application/octet-stream")
        self.assertEqual(downloaded, ATTACHMENT)
        status, eml, response = self.api("GET", f"{message}/message.eml", raw=True)
        self.assertEqual(status, 200)
        self.assertTrue(eml.endswith(sent), "the stored message ends with the bytes sent (after trace headers)")

        # An IMAP session in IDLE and the API's event stream, both waiting; then the API marks the message seen.
        imap = RawImap(self.server.ports["imap"])
        stream = EventStream(self.port, user)
        try:
            tagged, _ = imap.command("a", f'LOGIN walker "{PASSWORD}"')
            self.assertIn("OK", tagged)
            tagged, _ = imap.command("b", "SELECT INBOX")
            self.assertIn("OK", tagged)
            imap.sock.sendall(b"c IDLE\r\n")
            self.assertTrue(imap.line().startswith("+"))
            self.assertEqual(stream.status, 200)
            self.assertIn("text/event-stream", stream.head)
            stream.read_until(b"mallard updates\n\n")

            status, updated = self.api("PUT", message, {"seen": True})
            self.assertEqual(status, 200, updated)
            self.assertEqual(updated["updated"], 1)

            line = imap.line()
            self.assertRegex(line, r"^\* 1 FETCH \(.*FLAGS \(.*\\Seen.*\)")
            event = stream.next_event()
            self.assertEqual(event["command"], "FETCH")
            self.assertEqual(event["mailbox"], inbox)
            self.assertEqual(event["uid"], entry["id"])
            self.assertIn("\\Seen", event["flags"])
            imap.sock.sendall(b"DONE\r\n")
            self.assertTrue(imap.line().startswith("c OK"))
        finally:
            imap.close()
            stream.close()

        status, reread = self.api("GET", message)
        self.assertTrue(reread["seen"])

        # The webmail's own session: a user token, on "me" only.
        status, login = self.api("POST", "/authenticate", {"username": "walker", "password": PASSWORD, "token": True})
        self.assertEqual(status, 200, login)
        token = login["token"]
        status, found = self.api("GET", "/users/me/search?q=numbers", token=token)
        self.assertEqual(status, 200, found)
        self.assertEqual(found["total"], 1)
        self.assertEqual(found["results"][0]["mailbox"], inbox)
        status, _ = self.api("GET", "/users", token=token)
        self.assertEqual(status, 403)
        status, _ = self.api("DELETE", "/authenticate", token=token)
        self.assertEqual(status, 200)
        status, denied = self.api("GET", "/users/me", token=token)
        self.assertEqual(status, 403, denied)

        status, health = self.api("GET", "/health")
        self.assertEqual(status, 200)
        self.assertTrue(health["success"])


if __name__ == "__main__":
    unittest.main()
