// Stand-ins for third parties on a loopback port, so the end-to-end run talks to real HTTP
// without the Internet:
// - SendGrid's verification endpoint (/v3/scopes), accepting one key;
// - an OpenID Connect provider under /oidc: discovery, JWKS, an authorize endpoint that
//   consents at once as the identity last set through POST /oidc/control, and a token
//   endpoint that checks PKCE and signs ID tokens with a key made at start.
import http from 'node:http';
import crypto from 'node:crypto';

const port = Number(process.env.FAKE_PROVIDER_PORT ?? 3199);
const base = `http://127.0.0.1:${port}`;
const issuer = `${base}/oidc`;
const GOOD_KEY = 'SG.e2e-good-key';
const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'e2e-1', use: 'sig', alg: 'RS256' };
let identity = { email: 'sso.person@acme.example', name: 'Sol SSO', groups: [] };
const codes = new Map();

const b64url = (buf) => Buffer.from(buf).toString('base64url');
function sign(claims) {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'e2e-1' }));
  const body = b64url(JSON.stringify(claims));
  const sig = crypto.sign('sha256', Buffer.from(`${head}.${body}`), privateKey);
  return `${head}.${body}.${b64url(sig)}`;
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });
}

http
  .createServer(async (req, res) => {
    const url = new URL(req.url, base);
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/health') return send(200, { status: 'ok' });
    if (url.pathname === '/v3/scopes') {
      return req.headers.authorization === `Bearer ${GOOD_KEY}`
        ? send(200, { scopes: ['mail.send', 'marketing.read'] })
        : send(403, { errors: [{ message: 'access forbidden' }] });
    }
    if (url.pathname === '/oidc/.well-known/openid-configuration') {
      return send(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      });
    }
    if (url.pathname === '/oidc/jwks') return send(200, { keys: [jwk] });
    if (url.pathname === '/oidc/control' && req.method === 'POST') {
      identity = JSON.parse(await readBody(req));
      return send(200, identity);
    }
    if (url.pathname === '/oidc/authorize') {
      const code = crypto.randomBytes(16).toString('hex');
      const q = url.searchParams;
      codes.set(code, { nonce: q.get('nonce'), challenge: q.get('code_challenge'), client: q.get('client_id'), who: identity });
      const back = new URL(q.get('redirect_uri'));
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state'));
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }
    if (url.pathname === '/oidc/token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const issued = codes.get(form.get('code'));
      codes.delete(form.get('code'));
      const verifier = form.get('code_verifier') ?? '';
      const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
      if (!issued || challenge !== issued.challenge) return send(400, { error: 'invalid_grant' });
      const now = Math.floor(Date.now() / 1000);
      const idToken = sign({
        iss: issuer, sub: `sub-${issued.who.email}`, aud: issued.client, iat: now, exp: now + 300,
        nonce: issued.nonce, email: issued.who.email, email_verified: true, name: issued.who.name,
        groups: issued.who.groups,
      });
      return send(200, { access_token: 'e2e-access', token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    send(404, { error: 'not found' });
  })
  .listen(port, '127.0.0.1');
