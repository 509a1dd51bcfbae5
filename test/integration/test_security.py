"""Account security as clients see it, on the real binary: imported password hashes (bcrypt made by
Python's crypt module, i.e. libxcrypt; PBKDF2 made by hashlib) upgraded at login, application-specific
passwords limited to their scopes over real IMAP and POP3 logins and revoked by DELETE, TOTP set up and
checked with codes computed here (RFC 6238), its QR code read back as a PNG with zlib, API tokens of 2FA
users held back until their TOTP check, the auth log after good and bad logins, failed-login lockout and
its release, and PROXY protocol headers accepted where enabled and refused elsewhere."""
import base64
import hashlib
import hmac
import imaplib
import json
import os
import poplib
import re
import socket
import ssl
import struct
import subprocess
import time
import unittest
import warnings
import zlib

from harness import MallardServer, http_api, json_or_none

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import crypt  # gone in Python 3.13; the bcrypt test is skipped there
    except ImportError:
        crypt = None

TOKEN = "security-test-token"
CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")


def totp(seed, step):
    key = base64.b32decode(seed + "=" * (-len(seed) % 8))
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


def b64(data):
    return base64.b64encode(data).decode().rstrip("=")


class ServerBase(unittest.TestCase):
    extra_config = ""
    proxy_listeners = ()

    @classmethod
    def setUpClass(cls):
        cls.server = MallardServer(extra_config=f'[http]\naccess_token = "{TOKEN}"\n' + cls.extra_config)
        if cls.proxy_listeners:
            with open(cls.server.config_path) as f:
                text = f.read()
            for listener in cls.proxy_listeners:
                text = text.replace(f"[{listener}]\n", f"[{listener}]\nproxy_protocol = true\n")
            with open(cls.server.config_path, "w") as f:
                f.write(text)
        cls.server.start()
        cls.users = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def api(self, method, path, body=None, token=TOKEN):
        status, payload, response = http_api(self.server.ports["http"], method, path, body, token, timeout=30)
        return status, json_or_none(payload), response

    def new_user(self, password="account pw", hashed=False):
        type(self).users += 1
        name = f"{type(self).__name__.lower()}{type(self).users}"
        status, body, _ = self.api("POST", "/users", {"username": name, "password": password,
                                                      "hashedPassword": hashed})
        self.assertEqual(status, 200, body)
        return name, body["id"]

    def imap_login(self, user, password, port=None):
        client = imaplib.IMAP4("127.0.0.1", port or self.server.ports["imap"], timeout=30)
        try:
            client.login(user, password)
            return client
        except imaplib.IMAP4.error as e:
            client.shutdown()
            return str(e)

    def pop3_login(self, user, password):
        client = poplib.POP3("127.0.0.1", self.server.ports["pop3"], timeout=30)
        try:
            client.user(user)
            client.pass_(password)
            return client
        except poplib.error_proto as e:
            client.close()
            return str(e)

    def authlog(self, user_id):
        status, body, _ = self.api("GET", f"/users/{user_id}/authlog")
        self.assertEqual(status, 200, body)
        return body["results"]


class HashesAndAsps(ServerBase):
    @unittest.skipIf(crypt is None, "no crypt module")
    def test_a_bcrypt_hash_made_by_libxcrypt_logs_in_and_is_upgraded(self):
        hashed = crypt.crypt("bcrypt pw", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))
        self.assertTrue(hashed.startswith("$2b$"))
        name, _ = self.new_user(hashed, hashed=True)
        self.assertIn("AUTHENTICATIONFAILED", self.imap_login(name, "wrong"))
        client = self.imap_login(name, "bcrypt pw")
        self.assertNotIsInstance(client, str, client)
        client.logout()
        self.assertTrue(self.server.wait_for_log(f"password hash of {name} upgraded to argon2id"))
        client = self.imap_login(name, "bcrypt pw")  # now against the argon2id hash
        self.assertNotIsInstance(client, str, client)
        client.logout()

    def test_a_pbkdf2_hash_in_wildducks_format_logs_in_over_pop3(self):
        salt = os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha512", b"pbkdf2 pw", salt, 1000, 64)
        name, _ = self.new_user(f"$pbkdf2-sha512$i=1000${b64(salt)}${b64(digest)}", hashed=True)
        client = self.pop3_login(name, "pbkdf2 pw")
        self.assertNotIsInstance(client, str, client)
        client.quit()
        self.assertTrue(self.server.wait_for_log(f"password hash of {name} upgraded to argon2id"))

    def test_an_unsupported_hash_is_refused_by_the_api(self):
        status, body, _ = self.api("POST", "/users", {"username": "md5user", "password": "$1$abc$def",
                                                      "hashedPassword": True})
        self.assertEqual(status, 400, body)

    def test_totp_and_an_imap_asp_then_the_auth_log_shows_both_attempts(self):
        name, uid = self.new_user()
        status, setup, _ = self.api("POST", f"/users/{uid}/2fa/totp/setup", {})
        self.assertEqual(status, 200, setup)
        self.assertTrue(setup["otpauth"].startswith("otpauth://totp/"))
        seed = setup["seed"]
        now = int(time.time()) // 30
        self.assertEqual(self.api("POST", f"/users/{uid}/2fa/totp/enable", {"token": "000000"})[0], 403)
        self.assertEqual(self.api("POST", f"/users/{uid}/2fa/totp/enable", {"token": totp(seed, now)})[0], 200)
        self.assertEqual(self.api("POST", f"/users/{uid}/2fa/totp/check", {"token": totp(seed, now)})[0], 403,
                         "a used code is refused")
        self.assertEqual(self.api("POST", f"/users/{uid}/2fa/totp/check", {"token": totp(seed, now + 1)})[0], 200)

        status, asp, _ = self.api("POST", f"/users/{uid}/asps", {"description": "mail app", "scopes": ["imap"]})
        self.assertEqual(status, 200, asp)
        self.assertRegex(asp["password"], r"^[a-z]{16}$")
        # 2FA on: the account password no longer opens IMAP; the ASP does, and only for IMAP.
        self.assertIn("AUTHENTICATIONFAILED", self.imap_login(name, "account pw"))
        client = self.imap_login(name, asp["password"])
        self.assertNotIsInstance(client, str, client)
        self.assertIn("[AUTH]", self.pop3_login(name, asp["password"]))
        events = self.authlog(uid)
        logins = [e for e in events if e["action"] == "authentication"]
        self.assertEqual([(e["protocol"], e["result"]) for e in logins[:3]],
                         [("POP3", "fail"), ("IMAP", "success"), ("IMAP", "fail")])
        self.assertEqual(logins[1]["asp"], asp["id"])
        self.assertEqual(logins[1]["ip"], "127.0.0.1")
        self.assertIn("application password", logins[2]["detail"])
        self.assertIn("enable 2fa totp", [e["action"] for e in events])
        status, one, _ = self.api("GET", f"/users/{uid}/authlog/{logins[1]['id']}")
        self.assertEqual((status, one["result"]), (200, "success"))

        # Revoking the ASP ends the session it opened (at once: test_session_control.py), and it logs in no more.
        self.assertEqual(self.api("DELETE", f"/users/{uid}/asps/{asp['id']}")[0], 200)
        with self.assertRaises((imaplib.IMAP4.abort, imaplib.IMAP4.error, OSError)):
            client.select("INBOX")
            client.noop()
        self.assertIn("AUTHENTICATIONFAILED", self.imap_login(name, asp["password"]))
        self.assertEqual(self.api("DELETE", f"/users/{uid}/2fa")[0], 200)
        client = self.imap_login(name, "account pw")
        self.assertNotIsInstance(client, str, client)
        client.logout()

    def test_revoking_an_asp_ends_its_pop3_session_without_update(self):
        name, uid = self.new_user()
        asp = self.api("POST", f"/users/{uid}/asps", {"description": "pop", "scopes": ["pop3"]})[1]
        client = self.pop3_login(name, asp["password"])
        self.assertNotIsInstance(client, str, client)
        client.stat()
        self.assertEqual(self.api("DELETE", f"/users/{uid}/asps/{asp['id']}")[0], 200)
        with self.assertRaises(poplib.error_proto) as refused:
            client.stat()
        self.assertIn("revoked", str(refused.exception))
        client.close()

    def test_asps_list_get_and_unknown_ids(self):
        _, uid = self.new_user()
        status, made, _ = self.api("POST", f"/users/{uid}/asps", {"description": "a", "scopes": ["pop3", "smtp"]})
        self.assertEqual(status, 200, made)
        status, listed, _ = self.api("GET", f"/users/{uid}/asps")
        self.assertEqual([a["scopes"] for a in listed["results"]], [["pop3", "smtp"]])
        self.assertNotIn(made["password"], json.dumps(listed))
        self.assertEqual(self.api("GET", f"/users/{uid}/asps/{made['id']}")[1]["description"], "a")
        self.assertEqual(self.api("GET", f"/users/{uid}/asps/99999")[0], 404)
        self.assertEqual(self.api("POST", f"/users/{uid}/asps", {"description": "b", "scopes": ["ftp"]})[0], 400)


class Mallardctl(ServerBase):
    def ctl(self, *args):
        run = subprocess.run([CTL, "--config", self.server.config_path, *args], capture_output=True, timeout=60,
                             text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        return run.stdout

    def test_asp_add_list_delete_and_scopes_over_pop3(self):
        name, uid = self.new_user()
        out = self.ctl("asp", "add", name, "mail client", "--scopes", "pop3", "--expires", "30d")
        password = re.search(r"password: ([a-z]{16})", out).group(1)
        asp_id = re.search(r"added application password (\d+)", out).group(1)
        self.assertIn("mail client", self.ctl("asp", "list", name))
        client = self.pop3_login(name, password)
        self.assertNotIsInstance(client, str, client)
        client.quit()
        self.assertIn("AUTHENTICATIONFAILED", self.imap_login(name, password))
        self.ctl("asp", "delete", name, asp_id)
        self.assertIn("[AUTH]", self.pop3_login(name, password))
        self.ctl("user", "password", name, "--password", "new pw")
        actions = [e["action"] for e in self.authlog(uid)]
        self.assertIn("create asp", actions)
        self.assertIn("delete asp", actions)
        self.assertIn("password change", actions)


def read_png(data):
    """(width, height, bit depth, colour type, inflated scanlines) of a PNG, checking every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    at, idat, header, types = 8, b"", None, []
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        chunk = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + chunk) == crc, kind
        types.append(kind)
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        at += 12 + length
    assert types[0] == b"IHDR" and types[-1] == b"IEND", types
    width, height, depth, colour = header[:4]
    return width, height, depth, colour, zlib.decompress(idat)


class TwoFactorTokens(ServerBase):
    def user_api(self, token, method, path, body=None):
        return self.api(method, path, body, token=token)[:2]

    def login(self, name, password):
        status, body, _ = self.api("POST", "/authenticate", {"username": name, "password": password, "token": True})
        self.assertEqual(status, 200, body)
        return body

    def test_totp_setup_answers_a_qr_code_png_of_the_otpauth_url(self):
        _, uid = self.new_user()
        status, setup, _ = self.api("POST", f"/users/{uid}/2fa/totp/setup", {"label": "qr@example.com"})
        self.assertEqual(status, 200, setup)
        self.assertIn("qrcode", setup, "setup.sh installs libqrencode: the build has QR codes")
        prefix = "data:image/png;base64,"
        self.assertTrue(setup["qrcode"].startswith(prefix))
        width, height, depth, colour, pixels = read_png(base64.b64decode(setup["qrcode"][len(prefix):]))
        self.assertEqual((width, height, depth, colour), (width, width, 1, 0))
        scale, quiet = 4, 4
        modules = width // scale - 2 * quiet
        self.assertEqual(width % scale, 0)
        self.assertTrue(21 <= modules <= 177 and (modules - 17) % 4 == 0, modules)  # QR versions 1..40
        row = (width + 7) // 8 + 1
        self.assertEqual(len(pixels), row * height)

        def dark(x, y):
            return not pixels[y * row + 1 + x // 8] & (0x80 >> (x % 8))

        self.assertFalse(any(dark(x, y) for y in range(quiet * scale) for x in range(width)), "quiet zone")
        # The three finder patterns: dark 7x7 rings with a light ring inside, at three corners.
        for mx, my in ((0, 0), (modules - 7, 0), (0, modules - 7)):
            x, y = (quiet + mx) * scale, (quiet + my) * scale
            self.assertTrue(dark(x, y) and dark(x + 6 * scale, y + 6 * scale))
            self.assertFalse(dark(x + scale, y + scale))
            self.assertTrue(dark(x + 3 * scale, y + 3 * scale))

    def test_a_2fa_users_api_token_reaches_nothing_but_its_totp_check_until_it_passes(self):
        name, uid = self.new_user()
        seed = self.api("POST", f"/users/{uid}/2fa/totp/setup", {})[1]["seed"]
        now = int(time.time()) // 30
        self.assertEqual(self.api("POST", f"/users/{uid}/2fa/totp/enable", {"token": totp(seed, now)})[0], 200)

        login = self.login(name, "account pw")
        self.assertEqual(login["require2fa"], ["totp"])
        token = login["token"]
        for method, path in (("GET", "/users/me"), ("GET", f"/users/{uid}/mailboxes"),
                             ("DELETE", f"/users/{uid}/2fa"), ("POST", f"/users/{uid}/asps"), ("GET", "/users")):
            status, body = self.user_api(token, method, path, {} if method == "POST" else None)
            self.assertEqual((status, body["code"]), (403, "2FARequired"), (method, path))
        status, who = self.user_api(token, "GET", "/authenticated")
        self.assertEqual((status, who["require2fa"]), (200, ["totp"]))
        # The code that enabled TOTP is spent; one two steps away is outside the window; the next one passes.
        self.assertEqual(self.user_api(token, "POST", "/users/me/2fa/totp/check", {"token": totp(seed, now)})[0], 403)
        self.assertEqual(self.user_api(token, "POST", "/users/me/2fa/totp/check",
                                       {"token": totp(seed, now + 3)})[0], 403)
        self.assertEqual(self.user_api(token, "GET", "/users/me")[1]["code"], "2FARequired")
        status, body = self.user_api(token, "POST", "/users/me/2fa/totp/check", {"token": totp(seed, now + 1)})
        self.assertEqual(status, 200, body)
        status, me = self.user_api(token, "GET", "/users/me")
        self.assertEqual((status, me["id"]), (200, uid))
        self.assertEqual(self.user_api(token, "GET", "/authenticated")[1]["require2fa"], False)

        # Each token needs its own check, and the code just used does not pass it twice.
        second = self.login(name, "account pw")["token"]
        self.assertEqual(self.user_api(second, "GET", "/users/me")[1]["code"], "2FARequired")
        self.assertEqual(self.user_api(second, "POST", "/users/me/2fa/totp/check",
                                       {"token": totp(seed, now + 1)})[0], 403)
        self.assertEqual(self.user_api(second, "DELETE", "/authenticate")[0], 200)
        self.assertEqual(self.user_api(second, "GET", "/authenticated")[1]["code"], "InvalidToken")
        events = [e["action"] for e in self.authlog(uid)]
        self.assertIn("check 2fa totp", events)

        # With 2FA off a password login gives a token that works at once.
        self.assertEqual(self.api("DELETE", f"/users/{uid}/2fa")[0], 200)
        plain = self.login(name, "account pw")
        self.assertEqual(plain["require2fa"], False)
        self.assertEqual(self.user_api(plain["token"], "GET", "/users/me")[0], 200)


class RateLimits(ServerBase):
    extra_config = "[auth]\nmax_failures_per_user = 3\nmax_failures_per_address = 100\nfailure_window = 6\n"

    def test_lockout_without_checking_the_password_then_release(self):
        name, uid = self.new_user()
        for _ in range(3):
            self.assertIn("AUTHENTICATIONFAILED", self.imap_login(name, "wrong"))
        refused = self.imap_login(name, "account pw")
        self.assertIn("[UNAVAILABLE]", refused)
        self.assertIn("[SYS/TEMP]", self.pop3_login(name, "account pw"))
        self.assertEqual(self.authlog(uid)[0]["result"], "ratelimited")
        time.sleep(6.5)  # the window that began with the first failure ends (each failure also waits 1 s)
        client = self.imap_login(name, "account pw")
        self.assertNotIsInstance(client, str, client)
        client.logout()

    def test_failed_totp_checks_get_429_with_retry_after(self):
        _, uid = self.new_user()
        seed = self.api("POST", f"/users/{uid}/2fa/totp/setup", {})[1]["seed"]
        self.assertEqual(self.api("POST", f"/users/{uid}/2fa/totp/enable",
                                  {"token": totp(seed, int(time.time()) // 30)})[0], 200)
        for _ in range(3):
            self.assertEqual(self.api("POST", f"/users/{uid}/2fa/totp/check", {"token": "123456"})[0], 403)
        status, body, response = self.api("POST", f"/users/{uid}/2fa/totp/check", {"token": "123456"})
        self.assertEqual(status, 429, body)
        self.assertGreater(int(response.getheader("Retry-After")), 0)


class ProxyProtocol(ServerBase):
    proxy_listeners = ("imap.plain", "imap.secure")

    def connect(self, port, header, tls=False):
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        sock.sendall(header)
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock)
        return sock, sock.makefile("rb")

    def test_v1_header_gives_the_client_address_to_the_auth_log_with_the_id_user_agent(self):
        name, uid = self.new_user()
        sock, f = self.connect(self.server.ports["imap"], b"PROXY TCP4 198.51.100.7 127.0.0.1 51234 143\r\n")
        self.assertTrue(f.readline().startswith(b"* OK"))
        sock.sendall(b'a0 ID ("name" "TestClient" "version" "1.0")\r\n')
        sock.sendall(b"a1 LOGIN " + name.encode() + b' "account pw"\r\n')
        line = f.readline()
        while not line.startswith(b"a1 "):
            line = f.readline()
        self.assertTrue(line.startswith(b"a1 OK"), line)
        sock.close()
        event = self.authlog(uid)[0]
        self.assertEqual(event["ip"], "198.51.100.7")
        self.assertEqual(event["userAgent"], "TestClient/1.0")  # from IMAP ID (RFC 2971)

    def test_v2_header_before_tls(self):
        name, uid = self.new_user()
        header = (b"\r\n\r\n\x00\r\nQUIT\n" + bytes([0x21, 0x21]) + struct.pack(">H", 36) +
                  socket.inet_pton(socket.AF_INET6, "2001:db8::9") + socket.inet_pton(socket.AF_INET6, "::1") +
                  struct.pack(">HH", 4000, 993))
        sock, f = self.connect(self.server.ports["imaps"], header, tls=True)
        self.assertTrue(f.readline().startswith(b"* OK"))
        sock.sendall(b"a1 LOGIN " + name.encode() + b' wrong\r\n')
        line = f.readline()
        while line.startswith(b"*"):
            line = f.readline()
        self.assertTrue(line.startswith(b"a1 NO"), line)
        sock.close()
        self.assertEqual(self.authlog(uid)[0]["ip"], "2001:db8::9")

    def test_a_connection_without_a_header_is_closed(self):
        sock, f = self.connect(self.server.ports["imap"], b"a1 CAPABILITY\r\n")
        try:
            self.assertEqual(f.read(), b"")  # closed without a greeting
        except ConnectionResetError:
            pass  # closed with our command unread: the kernel resets instead
        sock.close()
        self.assertTrue(self.server.wait_for_log("PROXY header refused"))

    def test_a_header_on_a_listener_without_proxy_protocol_is_bad_input(self):
        sock = socket.create_connection(("127.0.0.1", self.server.ports["pop3"]), timeout=20)
        f = sock.makefile("rb")
        self.assertTrue(f.readline().startswith(b"+OK"))
        sock.sendall(b"PROXY TCP4 198.51.100.7 127.0.0.1 51234 110\r\n")
        self.assertTrue(f.readline().startswith(b"-ERR"))
        sock.close()


if __name__ == "__main__":
    unittest.main()
