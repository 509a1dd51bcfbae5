"""mallard-bench end to end, small: a real mallard (test/integration/harness.py) with the connection limits
off, users made by the tool through mallardctl, 120 idle sessions from two worker processes over several
source addresses, 3 watchers, 20 pushed messages and a short LMTP load. The tool must exit 0 (nothing
failed, no message missed), and its JSON line must carry the figures."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "integration"))
from harness import MallardServer  # noqa: E402

BENCH = os.environ.get("MALLARD_BENCH", "build/perf/mallard-bench")
CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")

LIMITS = "[imap]\nmax_connections_per_user = 0\nmax_connections_per_address = 100\n"


def main():
    server = MallardServer(extra_config=LIMITS)
    with server:
        run = subprocess.run(
            [BENCH, "--imap-ports", str(server.ports["imap"]), "--lmtp-port", str(server.ports["lmtp"]),
             "--server-pid", str(server.proc.pid), "--sessions", "120", "--users", "3", "--workers", "2",
             "--per-source", "30", "--watchers", "3", "--messages", "20", "--lmtp-sessions", "2",
             "--lmtp-messages", "40", "--seconds", "30", "--settle-ms", "200",
             "--create-users", CTL, "--ctl-config", server.config_path],
            capture_output=True, text=True, timeout=100)
        print(run.stdout)
        print(run.stderr, file=sys.stderr)
        if run.returncode != 0:
            print(f"mallard-bench exited with {run.returncode}", file=sys.stderr)
            return 1
        result = json.loads(run.stdout.strip().splitlines()[-1])
        checks = [
            result["idle"]["ready"] == 120,
            result["idle"]["pss_bytes_per_connection"] is not None,
            result["latency"]["delivered"] == 20 and result["latency"]["last_ms"]["n"] == 20,
            result["lmtp"]["delivered"] == 40,
            result["failures"] == 0,
        ]
        if not all(checks):
            print(f"unexpected figures: {checks}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
