"""Two mallard processes on one data directory, sharing changes through a real redis-server (issue 5).

Each test class starts its own redis-server on a free loopback port (no persistence) and two servers, A and
B, with imap.poll_interval = "10m": a change made on one instance can then only reach an IDLE session on the
other in time through Redis — or, while Redis is down, through the outage polls and the resync after the
subscription returns. Users are created once with mallardctl on the shared store."""
import http.client
import json
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import tempfile
import time
import unittest
import uuid

from harness import MallardServer

CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")
REDIS_SERVER = shutil.which("redis-server")
PASSWORD = "two instances"
MESSAGE = (b"From: ann@example.com\r\nTo: bob@example.com\r\nSubject: across instances\r\n"
           b"Message-ID: <%d@example.com>\r\n\r\nHello from the other instance.\r\n")


def free_port():
    """A loopback port free now (redis-server has no --port 0): bound, read, released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.proc = None

    def start(self, timeout=10):
        self.proc = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--loglevel", "warning"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}")
            time.sleep(0.05)
        raise RuntimeError("redis-server did not answer PING")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


class Imap:
    """A line-level IMAP client: enough for LOGIN, SELECT, STORE and IDLE."""

    def __init__(self, port, user):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""
        assert self.line().startswith(b"* OK")
        _, done = self.command(b"l", f'LOGIN {user} "{PASSWORD}"'.encode())
        assert done.startswith(b"l OK"), done

    def line(self):
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def command(self, tag, text):
        self.sock.sendall(tag + b" " + text + b"\r\n")
        lines = []
        while True:
            line = self.line()
            if line.startswith(tag + b" "):
                return lines, line
            lines.append(line)

    def idle(self):
        _, done = self.command(b"s", b"SELECT INBOX")
        assert done.startswith(b"s OK"), done
        self.sock.sendall(b"i IDLE\r\n")
        assert self.line().startswith(b"+ ")
        return self

    def wait_for(self, pattern, timeout):
        """The first line matching `pattern` within `timeout` seconds, or None."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.sock.settimeout(left)
                line = self.line()
                if re.match(pattern, line):
                    return line
        except socket.timeout:
            return None
        finally:
            self.sock.settimeout(10)

    def close(self):
        self.sock.close()


class TwoInstancesBase(unittest.TestCase):
    outage_poll = "10m"
    imap_config = ""   # more [imap] keys
    redis_config = ""  # more [redis] keys
    extra_config = ""  # more tables

    @classmethod
    def setUpClass(cls):
        cls.redis = RedisServer().start()
        cls.data = tempfile.TemporaryDirectory(prefix="mallard-shared-")
        config = (f'[imap]\npoll_interval = "10m"\n{cls.imap_config}'
                  f'[redis]\nenabled = true\nhost = "127.0.0.1"\nport = {cls.redis.port}\n'
                  f'channel_prefix = "mallard-test-{uuid.uuid4().hex[:8]}:"\nreconnect_max = "1s"\n'
                  f'outage_poll_interval = "{cls.outage_poll}"\n{cls.redis_config}{cls.extra_config}')
        cls.a = cls.b = None
        try:
            cls.a = MallardServer(extra_config=config, data_dir=cls.data.name).start()
            cls.b = MallardServer(extra_config=config, data_dir=cls.data.name).start()
            for server in (cls.a, cls.b):
                assert server.wait_for_log("redis: subscribed to"), server.read_log()[-3000:]
                assert server.wait_for_log("redis: publishing on"), server.read_log()[-3000:]
        except BaseException:
            cls.tearDownClass()
            raise
        cls.users = 0

    @classmethod
    def tearDownClass(cls):
        for server in (cls.a, cls.b):
            if server:
                server.close()
        cls.redis.kill()
        cls.data.cleanup()

    def new_user(self):
        type(self).users += 1
        name = f"{type(self).__name__.lower()}{type(self).users}"
        run = subprocess.run([CTL, "--config", self.a.config_path, "user", "create", name, "--address",
                              f"{name}@example.com", "--password", PASSWORD], capture_output=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        return name

    def deliver(self, server, user, n):
        with smtplib.LMTP("127.0.0.1", server.ports["lmtp"]) as lmtp:
            lmtp.sendmail("ann@example.com", [f"{user}@example.com"], MESSAGE % n)

    def idle_on(self, server, user):
        session = Imap(server.ports["imap"], user).idle()
        self.addCleanup(session.close)
        return session

    def assert_seen(self, session, pattern, within):
        started = time.monotonic()
        line = session.wait_for(pattern, within)
        self.assertIsNotNone(line, f"no {pattern!r} within {within}s")
        return time.monotonic() - started


@unittest.skipIf(REDIS_SERVER is None, "redis-server is not installed (tools/setup.sh installs it)")
class TwoInstances(TwoInstancesBase):
    def test_1_delivery_on_a_reaches_idle_on_b(self):
        user = self.new_user()
        on_b = self.idle_on(self.b, user)
        self.deliver(self.a, user, 1)
        self.assert_seen(on_b, rb"\* 1 EXISTS", 2)

    def test_2_flag_set_on_b_reaches_idle_on_a(self):
        user = self.new_user()
        self.deliver(self.a, user, 1)
        on_a = self.idle_on(self.a, user)
        writer = Imap(self.b.ports["imap"], user)
        self.addCleanup(writer.close)
        _, done = writer.command(b"s", b"SELECT INBOX")
        self.assertTrue(done.startswith(b"s OK"), done)
        _, done = writer.command(b"f", rb"STORE 1 +FLAGS (\Flagged)")
        self.assertTrue(done.startswith(b"f OK"), done)
        self.assert_seen(on_a, rb"\* 1 FETCH \(.*\\Flagged", 2)

    def test_3_redis_restart_catch_up_then_live_again(self):
        user = self.new_user()
        on_b = self.idle_on(self.b, user)
        self.redis.kill()
        for server in (self.a, self.b):
            self.assertTrue(server.wait_for_log("redis: lost the subscribing connection"), server.read_log()[-3000:])
        # Made while Redis is down: nothing can announce it (both polls are 10 minutes here)...
        self.deliver(self.a, user, 1)
        self.assertIsNone(on_b.wait_for(rb"\* 1 EXISTS", 1), "seen while Redis was down: not the resync")
        # ...until B's subscription returns and every selected mailbox on B reads its journal.
        self.redis.start()
        self.assert_seen(on_b, rb"\* 1 EXISTS", 10)
        self.assertTrue(self.b.wait_for_log("redis: subscribing connection"), self.b.read_log()[-3000:])
        self.assertTrue(self.a.wait_for_log("redis: publishing connection"), self.a.read_log()[-3000:])
        # And live again: the next delivery on A is announced through Redis.
        self.deliver(self.a, user, 2)
        self.assert_seen(on_b, rb"\* 2 EXISTS", 2)

    def test_4_logout_through_a_ends_the_session_on_b(self):
        user = self.new_user()
        on_b = self.idle_on(self.b, user)
        other = self.idle_on(self.b, self.new_user())
        conn = http.client.HTTPConnection("127.0.0.1", self.a.ports["http"], timeout=10)
        self.addCleanup(conn.close)
        conn.request("GET", f"/users/resolve/{user}")
        uid = json.loads(conn.getresponse().read())["id"]
        conn.request("PUT", f"/users/{uid}/logout", body=json.dumps({"reason": "Moved to another server"}),
                     headers={"Content-Type": "application/json"})
        self.assertEqual(json.loads(conn.getresponse().read()), {"success": True})
        self.assert_seen(on_b, rb"\* BYE Moved to another server$", 2)
        with self.assertRaises(ConnectionError):
            on_b.wait_for(rb"never", 2)  # then closed
        self.assertIsNone(other.wait_for(rb"\* BYE", 0.5), "another user's session ended too")


@unittest.skipIf(REDIS_SERVER is None, "redis-server is not installed (tools/setup.sh installs it)")
class TwoInstancesDuringAnOutage(TwoInstancesBase):
    outage_poll = "1s"

    def test_changes_are_seen_by_polling_while_redis_is_down(self):
        user = self.new_user()
        on_b = self.idle_on(self.b, user)
        self.redis.kill()
        self.assertTrue(self.b.wait_for_log("redis: lost the subscribing connection"), self.b.read_log()[-3000:])
        self.deliver(self.a, user, 1)
        self.assert_seen(on_b, rb"\* 1 EXISTS", 3)  # outage polls every second, imap.poll_interval is 10m


def imap_login(port, user, password=PASSWORD):
    """A connection that tried LOGIN: (socket, the tagged reply). The socket stays open: a session that
    logged in holds its place until it is closed."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    greeting = sock.recv(4096)
    assert greeting.startswith(b"* OK"), greeting
    sock.sendall(f'l LOGIN {user} "{password}"\r\n'.encode())
    reply = b""
    while not re.search(rb"(^|\r\n)l [^\r\n]*\r\n", reply):
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    tagged = re.search(rb"(?:^|\r\n)(l [^\r\n]*)\r\n", reply)
    return sock, tagged.group(1) if tagged else reply


@unittest.skipIf(REDIS_SERVER is None, "redis-server is not installed (tools/setup.sh installs it)")
class TwoInstancesShareLimits(TwoInstancesBase):
    """Session limits and failed-login counts kept in Redis (issue 10): what one instance counts, the other
    sees; an instance that dies gives its places back within redis.instance_timeout."""
    imap_config = "max_connections_per_user = 2\nmax_connections_per_address = 0\n"
    redis_config = 'instance_timeout = "2s"\n'
    extra_config = "[auth]\nmax_failures_per_user = 3\nmax_failures_per_address = 0\n"

    def hold(self, server, user):
        sock, reply = imap_login(server.ports["imap"], user)
        self.addCleanup(sock.close)
        self.assertTrue(reply.startswith(b"l OK"), reply)
        return sock

    def admitted_within(self, server, user, seconds):
        deadline = time.monotonic() + seconds
        while True:
            sock, reply = imap_login(server.ports["imap"], user)
            self.addCleanup(sock.close)
            if reply.startswith(b"l OK") or time.monotonic() > deadline:
                return reply
            time.sleep(0.1)

    def test_1_the_per_user_limit_counts_sessions_on_both_instances(self):
        user = self.new_user()
        on_a = [self.hold(self.a, user), self.hold(self.a, user)]
        sock, reply = imap_login(self.b.ports["imap"], user)
        sock.close()
        self.assertEqual(reply, b"l NO [LIMIT] Too many simultaneous connections for this user")
        on_a.pop().close()  # one session on A ends: B may have its place
        self.assertTrue(self.admitted_within(self.b, user, 5).startswith(b"l OK"))
        sock, reply = imap_login(self.a.ports["imap"], user)  # full again, now counting B's
        sock.close()
        self.assertTrue(reply.startswith(b"l NO [LIMIT]"), reply)

    def test_2_failed_logins_on_a_lock_the_user_out_on_b(self):
        user = self.new_user()
        for _ in range(3):
            sock, reply = imap_login(self.a.ports["imap"], user, "wrong")
            sock.close()
            self.assertIn(b"AUTHENTICATIONFAILED", reply)
        sock, reply = imap_login(self.b.ports["imap"], user)  # the right password, refused all the same
        sock.close()
        self.assertTrue(reply.startswith(b"l NO [UNAVAILABLE]"), reply)

    def test_9_a_killed_instance_gives_its_places_back(self):
        user = self.new_user()
        self.hold(self.a, user)
        self.hold(self.a, user)
        sock, reply = imap_login(self.b.ports["imap"], user)
        sock.close()
        self.assertTrue(reply.startswith(b"l NO [LIMIT]"), reply)
        self.a.proc.kill()  # SIGKILL: nothing is released, the heartbeat just stops
        self.a.proc.wait()
        started = time.monotonic()
        self.assertTrue(self.admitted_within(self.b, user, 8).startswith(b"l OK"))
        self.assertLess(time.monotonic() - started, 2 + 3)  # instance_timeout, and a margin for a busy host


if __name__ == "__main__":
    unittest.main()
