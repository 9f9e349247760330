/**
 * The Ledger view following a chain (browser mode, Debian's Chromium): a PinpointGame on the in-process
 * EVM served as JSON-RPC, opened as `#/ledger?rpc=…&game=…`. The backend mirrors it into the data folder;
 * the view shows the chain's balances; settlements made on chain while the page is open arrive by polling
 * and their token flows are animated. Expected values come from the contract itself (balanceOf) and from
 * `ledger verify --rpc` (verifyAgainstChain) over the mirror file the view reports.
 * Screenshot: test-artifacts/e2e/ledger-follow.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { type Account, type Hex, keccak256, toHex } from 'viem';
import { type GameClient, proofSeal, taskKey } from '../../core/chain/game.ts';
import { serveRpc } from '../../core/chain/node-local.ts';
import { verifyAgainstChain } from '../../core/chain/node-sync.ts';
import { merkleProof, merkleRoot } from '../../core/hash/merkle.ts';
import { fixture, fund, newGame } from '../chain/helpers.ts';
import { type App, itWithScreenshot, skipReason, startApp } from './helpers/app.ts';

const skip = skipReason();
if (skip) console.log(`# SKIP ledger follow: ${skip}`);

const recs = (tag: string, from: number) =>
  Array.from({ length: 8 }, (_, i) => keccak256(toHex(i >= from ? `${tag}:${i}` : `h:${i}`)).slice(2));
const hx = (s: string) => `0x${s}` as Hex;

describe('ledger view follows a game on an RPC URL', { skip: skip ?? false, timeout: 300_000 }, () => {
  let app: App | undefined;
  let rpc: Awaited<ReturnType<typeof serveRpc>> | undefined;
  before(async () => {
    app = await startApp({ viewport: { width: 1440, height: 1000 } });
  });
  after(async () => {
    await app?.close();
    await rpc?.close();
  });
  const it = itWithScreenshot(() => app, 'ledger-follow-');

  it('mirrors the chain, then animates settlements that arrive while the page is open', async () => {
    const f = await fixture();
    rpc = await serveRpc(f.chain.provider);
    const P = Object.fromEntries(
      ['referee', 'alice', 'bob', 'carol', 'dave'].map((n) => [n, f.party(`follow:${n}`)]),
    ) as Record<string, Account>;
    await fund(f, Object.values(P));
    const g = await newGame(f, P.referee);
    const c: GameClient = g.client;
    for (const n of ['alice', 'bob', 'carol', 'dave']) await c.deposit(P[n], 1000n);
    // Before the page opens: one honest task, verified and finalized (commit-reveal).
    const k1 = taskKey('follow:t1');
    await c.postTask(P.alice, k1, 200n, 8);
    await c.claimTask(P.bob, k1);
    const r1 = hx(merkleRoot(recs('b1', 99)));
    const s1 = keccak256(toHex('salt1'));
    await c.commitProof(P.bob, k1, proofSeal(k1, P.bob.address, r1, s1));
    await c.revealProof(P.bob, k1, r1, s1);
    await c.verifyTask(P.carol, k1);
    await c.finalize(P.dave, k1);

    assert.ok(app);
    const { page } = app;
    await page.goto(app.url(`#/ledger?rpc=${encodeURIComponent(rpc.url)}&game=${g.address}`));
    const view = page.locator('.pp-view-ledger');
    const badge = view.locator('[data-role=follow]');
    await badge.getByText('following game').waitFor();
    const mirror = (await view.getAttribute('data-path')) ?? '';
    assert.ok(mirror.startsWith(app.dataDir), `the mirror lives in the data folder: ${mirror}`);
    const balanceCell = (who: string) =>
      view.locator(
        `[data-role=accounts] tr[data-account="${P[who].address.toLowerCase()}"] [data-role=balance]`,
      );
    for (const n of ['alice', 'bob', 'carol', 'dave'])
      assert.equal(
        (await balanceCell(n).innerText()).trim().replace(/\D/g, ''),
        String(await c.balanceOf(P[n].address)),
        `${n}'s balance as on chain`,
      );
    assert.deepEqual((await verifyAgainstChain(mirror, rpc.url, g.address)).problems, []);

    // While the page is open: bob cheats on t2, dave challenges and the referee settles on chain.
    const bad = recs('bad', 3);
    const good = recs('good', 99);
    const k2 = taskKey('follow:t2');
    await c.postTask(P.alice, k2, 200n, 8);
    await c.claimTask(P.bob, k2);
    await c.submitProof(P.bob, k2, hx(merkleRoot(bad)));
    await c.openDispute(P.dave, k2, hx(merkleRoot(good)));
    await c.settle(P.referee, k2, {
      loser: 'solver',
      step: 3,
      transcript: keccak256(toHex('t2')),
      solverLeaf: hx(bad[3]),
      solverPath: merkleProof(bad, 3).siblings.map(hx),
      challengerLeaf: hx(good[3]),
      challengerPath: merkleProof(good, 3).siblings.map(hx),
    });
    const title = view.locator('[data-role=flows]').locator('..').locator('h3');
    await view.getByRole('heading', { name: /dispute\.settle/ }).waitFor({ timeout: 60_000 });
    const settledAt = Number(/event (\d+)/.exec(await title.innerText())?.[1]);
    const disputes = view.locator('tr[data-dispute]');
    assert.equal(await disputes.count(), 1, 'the new dispute is listed');
    assert.match(await disputes.first().innerText(), /solver/);
    // The flow diagram draws the slashed stake going to the challenger (jackpot) and the treasury.
    const svgText = await view.locator('[data-role=flows]').innerText();
    assert.match(svgText, /treasury/i);
    // Balances after the settlement event are the chain's (the accounts table shows before → after).
    for (const n of ['alice', 'bob', 'dave']) {
      const cell = (await balanceCell(n).innerText()).trim();
      const now = cell.split('→').at(-1)?.replace(/\D/g, '');
      assert.equal(now, String(await c.balanceOf(P[n].address)), `${n} after event ${settledAt}: ${cell}`);
    }
    await app.screenshot('ledger-follow');

    // Then a copy on t3: carol seals bob's revealed run of t1 and reveals it: the penalty animates too.
    const k3 = taskKey('follow:t3');
    await c.postTask(P.alice, k3, 200n, 8);
    await c.claimTask(P.carol, k3);
    const s3 = keccak256(toHex('salt3'));
    await c.commitProof(P.carol, k3, proofSeal(k3, P.carol.address, r1, s3));
    await c.revealProof(P.carol, k3, r1, s3);
    await view.getByRole('heading', { name: /copy penalty/ }).waitFor({ timeout: 60_000 });
    assert.equal(await view.locator('[data-role=proofs] tr[data-state=copy]').count(), 1);
    await badge.locator(':scope[data-actions]').waitFor();
    assert.deepEqual((await verifyAgainstChain(mirror, rpc.url, g.address)).problems, []);

    // "Follow chain…": switch the open view to another game on the same chain (the RPC URL is prefilled).
    const g2 = await newGame(f, P.referee);
    await g2.client.deposit(P.alice, 321n);
    await view.getByRole('button', { name: 'Follow chain…' }).click();
    const form = view.locator('[data-role=follow-form]');
    assert.equal(await form.locator('[data-role=follow-rpc]').inputValue(), rpc.url);
    await form.locator('[data-role=follow-game]').fill('0x1234');
    await form.getByRole('button', { name: 'Follow' }).click();
    await form.locator('[data-role=follow-problem]').getByText('40 hex digits').waitFor();
    await form.locator('[data-role=follow-game]').fill(g2.address);
    await form.getByRole('button', { name: 'Follow' }).click();
    const view2 = page.locator(`.pp-view-ledger[data-path$="${g2.address.toLowerCase()}.db"]`);
    await view2.locator('[data-role=follow]').getByText('following game').waitFor();
    const alice2 = view2.locator(
      `[data-role=accounts] tr[data-account="${P.alice.address.toLowerCase()}"] [data-role=balance]`,
    );
    assert.equal((await alice2.innerText()).replace(/\D/g, ''), '321');
    assert.match(page.url(), new RegExp(`game=${g2.address}`, 'i'));
    assert.deepEqual(app.pageErrors, []);
  });
});
