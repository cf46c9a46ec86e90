/**
 * The reference application: a tiny HTTP service delivered in the launch template's user data, so the
 * environment needs no artifact store, no package download and no internet access (Python 3 ships with
 * Amazon Linux 2023). It reports the AMI it runs on, which is what a blue/green deployment changes, so a
 * response says which fleet answered: header `X-App-Version: ami-…` and body
 * `{"application":"…","version":"ami-…","instance":"i-…"}`.
 */

/** What the application needs to know about the environment it runs in. */
export interface ApplicationOptions {
  /** Names the systemd unit and the install directory (`/opt/<name>`); letters, digits and `-`. */
  readonly applicationName: string;
  /** Path the load balancer's health check requests; must answer 200 once the application is ready. */
  readonly healthCheckPath: string;
  /** Port the application listens on. @default 80 */
  readonly port?: number;
}

const DEFAULT_PORT = 80;

/**
 * The Python 3 program (standard library only). Two environment variables exist for tests only:
 * `PORT` (0 picks a free port, printed on start-up) and `IMDS_ENDPOINT` (a fake instance metadata service).
 */
export function applicationProgram(options: ApplicationOptions): string {
  validate(options);
  const port = options.port ?? DEFAULT_PORT;
  // JSON string literals are valid Python string literals for these validated values.
  return `"""${options.applicationName}: reference application for blue/green deployments."""
import json
import os
import sys
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

APPLICATION = ${JSON.stringify(options.applicationName)}
HEALTH_PATH = ${JSON.stringify(options.healthCheckPath)}
PORT = int(os.environ.get("PORT", "${port}"))
IMDS = os.environ.get("IMDS_ENDPOINT", "http://169.254.169.254")


def read_identity():
    """Reads (ami-id, instance-id) with an IMDSv2 session token: the launch template requires IMDSv2."""
    token_request = urllib.request.Request(
        IMDS + "/latest/api/token", method="PUT", headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"}
    )
    with urllib.request.urlopen(token_request, timeout=2) as response:
        token = response.read().decode()

    def metadata(name):
        request = urllib.request.Request(
            IMDS + "/latest/meta-data/" + name, headers={"X-aws-ec2-metadata-token": token}
        )
        with urllib.request.urlopen(request, timeout=2) as response:
            return response.read().decode().strip()

    return metadata("ami-id"), metadata("instance-id")


def identity_or_exit():
    # Never serve under an unknown version: exit, let systemd restart us, and meanwhile fail the health
    # check, so an instance that cannot say which version it runs never receives traffic.
    for attempt in range(1, 6):
        try:
            return read_identity()
        except OSError as error:
            print(f"instance metadata unavailable (attempt {attempt}): {error}", file=sys.stderr, flush=True)
            time.sleep(1)
    sys.exit(1)


VERSION, INSTANCE = identity_or_exit()


class Handler(BaseHTTPRequestHandler):
    server_version = APPLICATION
    sys_version = ""
    # Keep-alive, and an idle timeout longer than the ALB's (60 s by default): the load balancer, not the
    # application, closes idle connections, which avoids 502s on requests sent down a closing connection.
    protocol_version = "HTTP/1.1"
    timeout = 120

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == HEALTH_PATH:
            self.reply(200, {"status": "ok", "version": VERSION, "instance": INSTANCE})
        elif path == "/":
            self.reply(200, {"application": APPLICATION, "version": VERSION, "instance": INSTANCE})
        else:
            self.reply(404, {"error": "not found", "version": VERSION, "instance": INSTANCE})

    def do_HEAD(self):
        self.do_GET()

    def reply(self, status, body):
        payload = (json.dumps(body) + "\\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-App-Version", VERSION)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format, *args):
        # Health checks arrive every few seconds from every load balancer node: keep them out of the journal.
        if not self.path.startswith(HEALTH_PATH):
            super().log_message(format, *args)


server = ThreadingHTTPServer(("", PORT), Handler)
print(f"{APPLICATION} {VERSION} on {INSTANCE} listening on port {server.server_address[1]}", flush=True)
server.serve_forever()
`;
}

/**
 * The user data script: writes the program and a hardened systemd unit, then starts it. cloud-init runs it
 * once, as root, at first boot; systemd restarts the application if it exits and on reboot.
 */
export function applicationUserData(options: ApplicationOptions): string {
  validate(options);
  const name = options.applicationName;
  return `#!/bin/bash
# Installs and starts ${name}, the reference application (see infra/environment/application-user-data.ts).
set -euo pipefail
install -d -m 0755 /opt/${name}
cat > /opt/${name}/server.py <<'PROGRAM'
${applicationProgram(options)}PROGRAM
cat > /etc/systemd/system/${name}.service <<'UNIT'
[Unit]
Description=${name} reference application (blue/green deployments)
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=/usr/bin/python3 /opt/${name}/server.py
Restart=always
RestartSec=2
# No root: a throwaway user that may bind a port below 1024 and nothing else.
DynamicUser=yes
AmbientCapabilities=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes

[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now ${name}.service
`;
}

function validate(options: ApplicationOptions): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(options.applicationName)) {
    throw new Error(
      `applicationName must be letters, digits and '-': ${JSON.stringify(options.applicationName)}`,
    );
  }
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(options.healthCheckPath)) {
    throw new Error(
      `healthCheckPath must be an absolute URL path: ${JSON.stringify(options.healthCheckPath)}`,
    );
  }
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`port must be an integer in 1–65535: ${port}`);
  }
}
