import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applicationProgram, applicationUserData } from '../../infra/environment/application-user-data';

const options = { applicationName: 'webapp', healthCheckPath: '/health' };

describe('applicationUserData', () => {
  const script = applicationUserData(options);

  it('is a bash script that stops at the first failing command', () => {
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('set -euo pipefail');
  });

  it('writes the program and a systemd unit through quoted heredocs (no shell expansion inside)', () => {
    expect(script).toContain("cat > /opt/webapp/server.py <<'PROGRAM'\n");
    expect(script).toContain("cat > /etc/systemd/system/webapp.service <<'UNIT'\n");
    expect(script.split('\n').filter((line) => line === 'PROGRAM')).toHaveLength(1);
    expect(script.split('\n').filter((line) => line === 'UNIT')).toHaveLength(1);
    expect(script).toContain(applicationProgram(options));
  });

  it('runs the program as a restarted, unprivileged service that may bind port 80', () => {
    expect(script).toContain('ExecStart=/usr/bin/python3 /opt/webapp/server.py');
    expect(script).toContain('Restart=always');
    expect(script).toContain('DynamicUser=yes');
    expect(script).toContain('AmbientCapabilities=CAP_NET_BIND_SERVICE');
    expect(script).toContain('WantedBy=multi-user.target');
    expect(script).toMatch(/systemctl enable --now webapp\.service\n$/);
  });

  it('is valid bash', () => {
    const check = spawnSync('bash', ['-n'], { input: script });
    expect(check.stderr.toString()).toBe('');
    expect(check.status).toBe(0);
  });

  it('rejects names and paths that would break the script', () => {
    expect(() => applicationUserData({ ...options, applicationName: 'web app' })).toThrow(/applicationName/);
    expect(() => applicationUserData({ ...options, applicationName: "x';rm" })).toThrow(/applicationName/);
    expect(() => applicationUserData({ ...options, healthCheckPath: 'health' })).toThrow(/healthCheckPath/);
    expect(() => applicationUserData({ ...options, healthCheckPath: '/a"b' })).toThrow(/healthCheckPath/);
    expect(() => applicationUserData({ ...options, port: 70000 })).toThrow(/port/);
  });
});

describe('applicationProgram', () => {
  const program = applicationProgram(options);

  it('reads the AMI and instance ids with an IMDSv2 session token', () => {
    expect(program).toContain('"/latest/api/token", method="PUT"');
    expect(program).toContain('"X-aws-ec2-metadata-token-ttl-seconds"');
    expect(program).toContain('"X-aws-ec2-metadata-token": token');
    expect(program).toContain('metadata("ami-id"), metadata("instance-id")');
    expect(program).toContain('"http://169.254.169.254"');
  });

  it('reports the version in a header and in the body, on / and on the health path', () => {
    expect(program).toContain('self.send_header("X-App-Version", VERSION)');
    expect(program).toContain('HEALTH_PATH = "/health"');
    expect(program).toContain('elif path == "/":');
    expect(program).toContain('"version": VERSION, "instance": INSTANCE');
  });

  it('listens on port 80 by default and on the configured port otherwise', () => {
    expect(program).toContain('os.environ.get("PORT", "80")');
    expect(applicationProgram({ ...options, port: 8080 })).toContain('os.environ.get("PORT", "8080")');
  });
});

const hasPython = spawnSync('python3', ['--version']).status === 0;

// Runs the real program against a fake instance metadata service that, like IMDSv2 with
// `HttpTokens: required`, answers metadata requests only with a valid session token.
(hasPython ? describe : describe.skip)('the program, run with python3', () => {
  const ami = 'ami-0123456789abcdef0';
  const instance = 'i-0fedcba9876543210';
  let imds: Server;
  let app: ChildProcess;
  let baseUrl: string;
  let folder: string;

  beforeAll(async () => {
    imds = createServer((request, response) => {
      if (request.method === 'PUT' && request.url === '/latest/api/token') {
        const ttl = request.headers['x-aws-ec2-metadata-token-ttl-seconds'];
        response.writeHead(ttl ? 200 : 400).end(ttl ? 'session-token' : '');
        return;
      }
      if (request.headers['x-aws-ec2-metadata-token'] !== 'session-token') {
        response.writeHead(401).end();
        return;
      }
      const values: Record<string, string> = {
        '/latest/meta-data/ami-id': ami,
        '/latest/meta-data/instance-id': instance,
      };
      const value = values[request.url ?? ''];
      response.writeHead(value ? 200 : 404).end(value ?? '');
    });
    await new Promise<void>((resolve) => imds.listen(0, '127.0.0.1', resolve));
    const imdsPort = (imds.address() as AddressInfo).port;

    folder = mkdtempSync(join(tmpdir(), 'reference-app-'));
    const file = join(folder, 'server.py');
    writeFileSync(file, applicationProgram({ ...options, healthCheckPath: '/ready' }));
    app = spawn('python3', [file], {
      env: { ...process.env, PORT: '0', IMDS_ENDPOINT: `http://127.0.0.1:${imdsPort}` },
    });
    const port = await new Promise<string>((resolve, reject) => {
      let output = '';
      app.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on port (\d+)/.exec(output);
        if (match) resolve(match[1]);
      });
      app.on('exit', (code) => reject(new Error(`the program exited with ${code}`)));
    });
    baseUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    app?.kill();
    await new Promise<void>((resolve) => (imds ? imds.close(() => resolve()) : resolve()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers the health path with 200 and the AMI in X-App-Version', async () => {
    const response = await fetch(`${baseUrl}/ready`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-app-version')).toBe(ami);
    expect(await response.json()).toEqual({ status: 'ok', version: ami, instance });
  });

  it('answers / with the application, version and instance', async () => {
    const response = await fetch(`${baseUrl}/?from=test`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-app-version')).toBe(ami);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ application: 'webapp', version: ami, instance });
  });

  it('answers other paths with 404, still saying which version answered', async () => {
    const response = await fetch(`${baseUrl}/health`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-app-version')).toBe(ami);
  });
});
