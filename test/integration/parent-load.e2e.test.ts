import { expect } from 'chai';
import http from 'node:http';
import { DEFAULT_RETRY_POLICY } from '../../src/clients/retry-policy';
import { UpstreamClient } from '../../src/clients/upstream-client';
import { createLogger } from '../../src/lib/logger';
import { addDownstream } from '../support/downstream-client';
import { dropTier, startTier, type TierNode } from '../support/hierarchy';
import { waitFor } from '../support/wait-for';
import { parseXml, type XmlElement } from '../support/xml-compare';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSUS = 'http://www.microsoft.com/SoftwareDistribution';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ENDPOINT = '/ServerSyncWebService/ServerSyncWebService.asmx';
const getUpdateData = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP}"><soap:Body><GetUpdateData xmlns="${WSUS}"><cookie><Expiration>2030-01-01T00:00:00Z</Expiration><EncryptedData>AAAA</EncryptedData></cookie><updateIds/></GetUpdateData></soap:Body></soap:Envelope>`;

/** An HTTP answer read whole. */
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** post sends a ServerSync request; with `hold`, it sends the headers and half the body and keeps the rest until release is called. */
function post(url: string, operation: string, body: string, hold = false): { answer: Promise<Answer>; release: () => void } {
  const bytes = Buffer.from(body);
  const req = http.request(`${url}${ENDPOINT}`, {
    method: 'POST',
    agent: false,
    headers: {
      'Content-Type': 'text/xml; charset=utf-8',
      'Content-Length': bytes.length,
      SOAPAction: `"${WSUS}/${operation}"`,
    },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
  });
  if (hold) {
    req.flushHeaders();
    req.write(bytes.subarray(0, bytes.length >> 1));
  } else req.end(bytes);
  return { answer, release: () => req.end(bytes.subarray(bytes.length >> 1)) };
}

const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);
const metric = async (url: string, line: RegExp) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(line.exec(text)?.[1] ?? NaN);
};

describe('a parent under load: ServerBusy beyond its bound, and keep-alive', function () {
  this.timeout(120_000);
  let root: TierNode;

  before(async () => {
    root = await startTier('busyroot', undefined, { CASCADE_SYNC_MAX_CONCURRENT: '1', CASCADE_SYNC_MAX_QUEUED: '1' });
  });
  after(async () => dropTier(root));

  it("answers a heavy request beyond the bound with WSUS's ServerBusy fault and a Retry-After, counts and logs it", async () => {
    const first = post(root.url, 'GetUpdateData', getUpdateData, true);
    await waitFor('the first request to hold the turn', async () => (await metric(root.url, /^cascade_serversync_in_flight (\d+)/m)) === 1);
    const second = post(root.url, 'GetRevisionIdList', getUpdateData);
    await waitFor('the second request to wait in line', async () => (await metric(root.url, /^cascade_serversync_queued (\d+)/m)) === 1);
    // A light call is never held up by the bound.
    const light = await post(root.url, 'GetAuthConfig', getUpdateData.replace(/GetUpdateData/g, 'GetAuthConfig')).answer;
    expect(light.status).to.equal(200);

    const refused = await post(root.url, 'GetUpdateData', getUpdateData).answer;
    expect(refused.status).to.equal(500);
    expect(refused.headers['content-type']).to.equal('text/xml; charset=utf-8');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).to.be.within(1, 60);

    const envelope = parseXml(refused.body);
    expect(envelope.name).to.equal(`{${SOAP}}Envelope`);
    expect(envelope.children.map((c) => c.name)).to.deep.equal([`{${SOAP}}Body`]);
    const body = envelope.children[0];
    expect(body.children.map((c) => c.name)).to.deep.equal([`{${SOAP}}Fault`]);
    const fault = body.children[0];
    expect(fault.children.map((c) => c.name)).to.deep.equal(['{}faultcode', '{}faultstring', '{}detail']);
    expect(child(fault, '{}faultcode')!.text).to.equal('soap:Server');
    const detail = child(fault, '{}detail')!;
    expect(detail.children.map((c) => c.name)).to.deep.equal(['{}ErrorCode', '{}Message', '{}ID', '{}Method']);
    expect(child(detail, '{}ErrorCode')!.text).to.equal('ServerBusy');
    const message = child(detail, '{}Message')!.text;
    expect(message).to.match(
      /^The server is busy \(1 of 1 sync requests from downstream servers running, 1 waiting\); retry after (\d+) seconds\.$/,
    );
    expect(message).to.contain(`retry after ${retryAfter} seconds`);
    expect(child(fault, '{}faultstring')!.text).to.equal(message);
    expect(child(detail, '{}ID')!.text).to.match(GUID);
    expect(child(detail, '{}Method')!.text).to.equal('GetUpdateData');

    // Once the first is done, the one in line runs (and is refused for its made-up cookie, not for load).
    first.release();
    for (const done of [await first.answer, await second.answer]) {
      expect(done.status).to.equal(500);
      expect(done.body).to.contain('<ErrorCode>InvalidCookie</ErrorCode>');
    }
    expect(await metric(root.url, /^cascade_serversync_refused_total\{operation="GetUpdateData",reason="limit"\} (\d+)/m)).to.equal(1);
    expect(await metric(root.url, /^cascade_serversync_in_flight (\d+)/m)).to.equal(0);
    const logged = root
      .process!.output()
      .split('\n')
      .filter((l) => l.includes('ServerSync request refused'));
    expect(logged.length).to.equal(1);
    expect(JSON.parse(logged[0])).to.include({ level: 40, operation: 'GetUpdateData', reason: 'limit', inFlight: 1, queued: 1 });
  });

  it('keeps an idle connection open longer than its clients keep one: a client busy past 5 s still sends on a live socket', async () => {
    // A client's event loop busy (parsing, storing) past Node's default keep-alive of 5 s cannot see the parent
    // close the idle socket, and sends on it as soon as it is free: "socket hang up" / "other side closed".
    const busy = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 7000);
    const agent = new http.Agent({ keepAlive: true });
    const get = () =>
      new Promise<{ status: number; reused: boolean; keepAlive?: string }>((resolve, reject) => {
        const req = http.get(`${root.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, keepAlive: String(res.headers['keep-alive']) }),
          );
        });
        req.on('error', reject);
      });
    try {
      const first = await get();
      expect(first).to.include({ status: 200, reused: false });
      busy();
      expect(await get()).to.include({ status: 200, reused: true });
      expect(first.keepAlive).to.equal('timeout=65');
    } finally {
      agent.destroy();
    }

    // The same for a child's own calls, without retries to hide a failure.
    const creds = await addDownstream(root.env, 'busy-child.example');
    const client = await UpstreamClient.connect(
      { url: root.url, serverId: creds.id, secret: creds.secret },
      { log: createLogger('silent'), retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 } },
    );
    const list = () => client.getRevisionIdList({ getConfig: true, categories: [], classifications: [] });
    try {
      await client.authorize();
      await list();
      await client.getConfigData();
      busy();
      await list();
      await client.getConfigData();
    } finally {
      await client.close();
    }
  });
});
