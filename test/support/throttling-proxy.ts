// A loopback HTTP proxy in front of the S3 server that answers the next N requests with
// 503 SlowDown, as S3 does under load, then forwards everything to the real server.
import http from 'node:http';
import type net from 'node:net';

export async function throttlingProxy(
  target: URL,
): Promise<{ url: string; throttleNext: (n: number) => void; throttled: () => number; close: () => Promise<void> }> {
  let pending = 0;
  let count = 0;
  const server = http.createServer((req, res) => {
    if (pending > 0) {
      pending -= 1;
      count += 1;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      );
      return;
    }
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (e) => res.destroy(e));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    throttleNext: (n) => {
      pending = n;
    },
    throttled: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
