// A stand-in for SendGrid's verification endpoint on a loopback port, so the end-to-end run
// checks an authorization's health for real without the Internet. It accepts one key.
import http from 'node:http';

const port = Number(process.env.FAKE_PROVIDER_PORT ?? 3199);
const GOOD_KEY = 'SG.e2e-good-key';

http
  .createServer((req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/health') return send(200, { status: 'ok' });
    if (req.url === '/v3/scopes') {
      return req.headers.authorization === `Bearer ${GOOD_KEY}`
        ? send(200, { scopes: ['mail.send', 'marketing.read'] })
        : send(403, { errors: [{ message: 'access forbidden' }] });
    }
    send(404, { error: 'not found' });
  })
  .listen(port, '127.0.0.1');
