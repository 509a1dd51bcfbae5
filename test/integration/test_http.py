"""The HTTP API as a WildDuck client sees it: the real mallard binary driven with http.client over loopback.
Users, addresses and mailboxes are created through the API itself; errors come back as a status plus
{"error", "code"}; connections are persistent (RFC 9112 §9.3) and pipelined requests are answered in order."""
import http.client
import json
import socket
import time
import unittest

from harness import MallardServer

TOKEN = "test-root-token"
MAX_BODY = 4096


def read_response(sock_file):
    """One HTTP/1.1 response with a Content-Length body, from a raw socket's file."""
    status_line = sock_file.readline()
    headers = {}
    while (line := sock_file.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = sock_file.read(int(headers.get("content-length", "0")))
    return int(status_line.split()[1]), headers, body


class HttpApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        extra = "\n".join([
            "[http]",
            f'access_token = "{TOKEN}"',
            f"max_body_bytes = {MAX_BODY}",
            'cors_origins = ["https://app.example"]',
            'request_timeout = "2s"',
            'idle_timeout = "2s"',
        ]) + "\n"
        cls.server = MallardServer(extra_config=extra).start()
        cls.port = cls.server.ports["http"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)

    def api(self, method, path, body=None, token=TOKEN, conn=None, headers=None):
        own = conn is None
        conn = conn or self.connect()
        try:
            h = dict(headers or {})
            if token:
                h["X-Access-Token"] = token
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                h["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=h)
            response = conn.getresponse()
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None), response
        finally:
            if own:
                conn.close()

    def create_user(self, name):
        status, body, _ = self.api("POST", "/users", {"username": name, "password": "pw " + name})
        self.assertEqual(status, 200, body)
        self.assertTrue(body["success"])
        return body["id"]

    def test_user_address_and_mailbox_lifecycle(self):
        uid = self.create_user("alice")
        status, user, _ = self.api("GET", f"/users/{uid}")
        self.assertEqual(status, 200)
        self.assertEqual(user["username"], "alice")
        self.assertEqual(user["address"], "alice@mallard.test")
        self.assertIn("quota", user["limits"])

        status, body, _ = self.api("POST", f"/users/{uid}/addresses", {"address": "alias@example.com"})
        self.assertEqual(status, 200, body)
        status, body, _ = self.api("GET", f"/users/{uid}/addresses")
        self.assertEqual(sorted(a["address"] for a in body["results"]), ["alias@example.com", "alice@mallard.test"])
        status, body, _ = self.api("GET", "/addresses/resolve/alias@example.com")
        self.assertEqual((status, body["user"]), (200, uid))

        status, body, _ = self.api("GET", f"/users/{uid}/mailboxes?counters=true")
        self.assertEqual(status, 200)
        paths = [m["path"] for m in body["results"]]
        self.assertEqual(paths[0], "INBOX")
        self.assertIn("Trash", paths)
        self.assertEqual(body["results"][0]["total"], 0)

        status, body, _ = self.api("POST", f"/users/{uid}/mailboxes", {"path": "Projects/Mallard"})
        self.assertEqual(status, 200, body)
        box = body["id"]
        status, body, _ = self.api("PUT", f"/users/{uid}/mailboxes/{box}", {"path": "Projects/Done"})
        self.assertEqual(status, 200, body)
        status, body, _ = self.api("GET", f"/users/{uid}/mailboxes/{box}")
        self.assertEqual((body["path"], body["name"], body["unseen"]), ("Projects/Done", "Done", 0))

        status, body, _ = self.api("GET", "/users/resolve/alice")
        self.assertEqual(body["id"], uid)
        status, body, _ = self.api("GET", "/users?query=alice")
        self.assertEqual(body["total"], 1)
        self.assertEqual(body["results"][0]["id"], uid)

    def test_errors_are_json_with_a_code(self):
        status, body, _ = self.api("GET", "/users/999999")
        self.assertEqual((status, body["code"]), (404, "UserNotFound"))
        status, body, _ = self.api("GET", "/no/such/route")
        self.assertEqual((status, body["code"]), (404, "ResourceNotFound"))
        status, body, response = self.api("GET", "/users", token=None)
        self.assertEqual((status, body["code"]), (401, "InvalidToken"))
        self.assertEqual(response.getheader("WWW-Authenticate"), "Bearer")
        status, body, _ = self.api("GET", "/users", token="wrong")
        self.assertEqual((status, body["code"]), (403, "InvalidToken"))
        status, body, _ = self.api("GET", "/users", token=None, headers={"Authorization": "Bearer " + TOKEN})
        self.assertEqual(status, 200)
        status, body, _ = self.api("GET", "/users?accessToken=" + TOKEN, token=None)
        self.assertEqual(status, 200)
        status, body, _ = self.api("POST", "/users", {"username": "x y"})
        self.assertEqual((status, body["code"]), (400, "InputValidationError"))

    def test_a_body_over_the_limit_is_413(self):
        status, body, response = self.api("POST", "/users", {"username": "big", "password": "p" * (2 * MAX_BODY)})
        self.assertEqual(status, 413)
        self.assertEqual(response.getheader("Connection"), "close")
        self.assertEqual(body["code"], "RequestTooLarge")

    def test_keep_alive_serves_two_requests_on_one_connection(self):
        conn = self.connect()
        try:
            status, _, _ = self.api("GET", "/users", conn=conn)
            self.assertEqual(status, 200)
            first_socket = conn.sock
            self.assertIsNotNone(first_socket)
            status, _, _ = self.api("GET", "/users?limit=1", conn=conn)
            self.assertEqual(status, 200)
            self.assertIs(conn.sock, first_socket, "the connection was not kept alive")
        finally:
            conn.close()

    def test_pipelined_requests_are_answered_in_order(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=15) as s:
            s.sendall(f"GET /users/resolve/nobody1 HTTP/1.1\r\nHost: x\r\nX-Access-Token: {TOKEN}\r\n\r\n"
                      f"GET /nothing HTTP/1.1\r\nHost: x\r\nX-Access-Token: {TOKEN}\r\nConnection: close\r\n\r\n"
                      .encode())
            f = s.makefile("rb")
            first = read_response(f)
            second = read_response(f)
            self.assertEqual((first[0], json.loads(first[2])["code"]), (404, "UserNotFound"))
            self.assertEqual((second[0], json.loads(second[2])["code"]), (404, "ResourceNotFound"))
            self.assertEqual(second[1].get("connection"), "close")
            self.assertEqual(f.read(), b"")  # closed after the response to "Connection: close"

    def test_chunked_request_body(self):
        conn = self.connect()
        try:
            body = json.dumps({"username": "chunky", "password": "pw"}).encode()
            conn.request("POST", "/users", body=iter([body[:10], body[10:]]), encode_chunked=True,
                         headers={"X-Access-Token": TOKEN, "Content-Type": "application/json",
                                  "Transfer-Encoding": "chunked"})
            response = conn.getresponse()
            self.assertEqual(response.status, 200, response.read())
        finally:
            conn.close()

    def test_expect_100_continue(self):
        body = json.dumps({"username": "patient", "password": "pw"}).encode()
        with socket.create_connection(("127.0.0.1", self.port), timeout=15) as s:
            s.sendall(f"POST /users HTTP/1.1\r\nHost: x\r\nX-Access-Token: {TOKEN}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                      "Expect: 100-continue\r\nConnection: close\r\n\r\n".encode())
            f = s.makefile("rb")
            self.assertEqual(f.readline(), b"HTTP/1.1 100 Continue\r\n")
            self.assertEqual(f.readline(), b"\r\n")
            s.sendall(body)
            status, _, raw = read_response(f)
            self.assertEqual(status, 200, raw)

    def test_an_unfinished_request_gets_408_and_an_idle_connection_is_closed(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=15) as s:
            s.sendall(b"GET /users HTTP/1.1\r\nHost: x\r\n")
            f = s.makefile("rb")
            status, headers, body = read_response(f)
            self.assertEqual((status, json.loads(body)["code"]), (408, "RequestTimeout"))
            self.assertEqual(headers.get("connection"), "close")
        with socket.create_connection(("127.0.0.1", self.port), timeout=15) as s:
            started = time.monotonic()
            self.assertEqual(s.recv(100), b"")  # closed without a response
            self.assertLess(time.monotonic() - started, 10)

    def test_head_has_the_length_but_no_body(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=15) as s:
            s.sendall(f"HEAD /users HTTP/1.1\r\nHost: x\r\nX-Access-Token: {TOKEN}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(4096):
                data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200 "))
        self.assertIn(b"Content-Length: ", head)
        self.assertEqual(rest, b"")

    def test_cors_preflight_for_an_allowed_origin(self):
        status, _, response = self.api("OPTIONS", "/users", token=None,
                                       headers={"Origin": "https://app.example",
                                                "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 204)
        self.assertEqual(response.getheader("Access-Control-Allow-Origin"), "https://app.example")
        self.assertIn("X-Access-Token", response.getheader("Access-Control-Allow-Headers"))
        status, _, response = self.api("GET", "/users", headers={"Origin": "https://evil.example"})
        self.assertEqual(status, 200)
        self.assertIsNone(response.getheader("Access-Control-Allow-Origin"))


class HttpWithoutToken(unittest.TestCase):
    def test_loopback_only_is_logged_and_loopback_is_served(self):
        with MallardServer() as server:
            self.assertIn("answers only clients on loopback", server.read_log())
            conn = http.client.HTTPConnection("127.0.0.1", server.ports["http"], timeout=15)
            conn.request("GET", "/users")
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            self.assertEqual(json.loads(response.read())["total"], 0)
            conn.close()


if __name__ == "__main__":
    unittest.main()
