/**
 * `ledger.follow` (desktop/main/backend/chain-follow.ts): refuses anything but an http(s) RPC URL and a
 * contract address (the page is untrusted: it never names the file written), mirrors a game into
 * `<data>/chain/<chainId>-<game>.db`, appends only what is new on each call, and the ordinary ledger
 * reads accept the mirror's path.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serveRpc } from '../../core/chain/node-local.ts';
import { type Backend, createBackend } from '../../desktop/main/backend/index.ts';
import type { LedgerFollow, LedgerSnapshot } from '../../desktop/shared/api-views.ts';
import { fixture, fund, newGame } from '../chain/helpers.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('ledger.follow', { timeout: 120_000 }, () => {
  let dataDir: string;
  let backend: Backend;
  let rpc: Awaited<ReturnType<typeof serveRpc>>;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pinpoint-follow-'));
    backend = await createBackend({ repoRoot: REPO, dataDir, mode: 'browser' });
    rpc = await serveRpc((await fixture()).chain.provider);
  });
  after(async () => {
    await backend?.close();
    await rpc?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses other URL schemes and anything but an address as the game', async () => {
    const game = `0x${'ab'.repeat(20)}`;
    for (const [args, msg] of [
      [{ rpc: 'file:///etc/passwd', game }, /http\(s\) JSON-RPC URL/],
      [{ rpc: 'javascript:alert(1)', game }, /http\(s\) JSON-RPC URL/],
      [{ rpc: 42, game }, /http\(s\) JSON-RPC URL/],
      [{ rpc: rpc.url, game: '../../etc/passwd' }, /contract address/],
      [{ rpc: rpc.url, game: `${game}00` }, /contract address/],
      [{ rpc: rpc.url }, /contract address/],
    ] as const) {
      const r = await backend.call('ledger.follow', args);
      assert.equal(r.ok, false, JSON.stringify(args));
      if (!r.ok) assert.match(r.error.message, msg);
    }
    const none = await backend.call('ledger.follow', { rpc: rpc.url, game });
    assert.equal(none.ok, false);
    if (!none.ok) assert.match(none.error.message, /no contract at/);
  });

  it('mirrors the game into the data folder, incrementally', async () => {
    const f = await fixture();
    const alice = f.party('follow-unit:alice');
    const referee = f.party('follow-unit:referee');
    await fund(f, [alice, referee]);
    const g = await newGame(f, referee);
    await g.client.deposit(alice, 700n);
    const r1 = await backend.call('ledger.follow', { rpc: rpc.url, game: g.address });
    assert.ok(r1.ok, JSON.stringify(r1));
    const a = r1.result as LedgerFollow;
    assert.equal(a.path, join(dataDir, 'chain', `${f.chain.chainId}-${g.address.toLowerCase()}.db`));
    assert.equal(a.appended, 2, 'account.open + mint');
    const again = (await backend.call('ledger.follow', { rpc: rpc.url, game: g.address })) as {
      result: LedgerFollow;
    };
    assert.equal(again.result.appended, 0, 'nothing new: nothing appended');
    await g.client.deposit(alice, 5n);
    const r3 = (await backend.call('ledger.follow', { rpc: rpc.url, game: g.address })) as {
      result: LedgerFollow;
    };
    assert.equal(r3.result.appended, 1);
    const snap = await backend.call('ledger.snapshot', { path: a.path });
    assert.ok(snap.ok);
    const s = snap.result as LedgerSnapshot;
    assert.equal(s.accounts.find((x) => x.id === alice.address.toLowerCase())?.balance, 705);
  });
});
