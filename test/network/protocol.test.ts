/**
 * The wire protocol: signed envelopes (tampering, wrong sender, other version refused), replay guard,
 * bit-exact tensors, the hello's key binding, and a RemoteParty against an in-memory party answering
 * exactly as the local party does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkHello } from '../../cli/network/party-node.ts';
import { accountFromSeed } from '../../core/chain/game.ts';
import { executeRun } from '../../core/dispute/execute.ts';
import { TraceParty } from '../../core/dispute/party.ts';
import { syntheticTask } from '../../core/dispute/synthetic.ts';
import {
  decodeValue,
  ed25519FromSeed,
  encodeValue,
  open,
  PROTOCOL,
  ProtocolError,
  ReplayGuard,
  seal,
} from '../../core/network/protocol.ts';
import { type AskBody, answerAsk, answerDigest, RemoteParty } from '../../core/network/remote-party.ts';

const alice = ed25519FromSeed('alice');
const bob = ed25519FromSeed('bob');

const code = (c: string) => (e: unknown) => e instanceof ProtocolError && e.code === c;

test('a sealed envelope opens; any changed field, another sender or version is refused', () => {
  const e = seal(alice, 'task-1', 3, 'ask', { method: 'claim', args: [] });
  assert.deepEqual(open(e, { expectFrom: alice.publicKey, kind: 'ask' }).body, { method: 'claim', args: [] });
  assert.throws(() => open({ ...e, seq: 4 }), code('signature'));
  assert.throws(() => open({ ...e, dispute: 'task-2' }), code('signature'));
  assert.throws(() => open({ ...e, body: { method: 'claim', args: [1] } }), code('signature'));
  assert.throws(() => open({ ...e, from: bob.publicKey }), code('signature'));
  assert.throws(() => open(e, { expectFrom: bob.publicKey }), code('sender'));
  assert.throws(() => open(e, { kind: 'answer' }), code('kind'));
  assert.throws(() => open({ ...e, v: 'pinpoint.net/0' }), code('version'));
  assert.throws(() => open({ ...e, sig: 'zz' }), code('signature'));
  assert.throws(() => open('nope'), code('malformed'));
  assert.equal(e.v, PROTOCOL);
});

test('replays and reordered messages are refused per sender and dispute', () => {
  const g = new ReplayGuard();
  g.check(seal(alice, 'd', 0, 'ask', null));
  g.check(seal(alice, 'd', 1, 'ask', null));
  assert.throws(() => g.check(seal(alice, 'd', 1, 'ask', null)), code('replay'));
  assert.throws(() => g.check(seal(alice, 'd', 0, 'ask', null)), code('replay'));
  g.check(seal(alice, 'other', 0, 'ask', null)); // another dispute has its own counter
  g.check(seal(bob, 'd', 0, 'ask', null)); // another sender too
});

test('binary32 tensors cross the wire bit for bit (−0, NaN payloads, subnormals)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 64 }), (bits) => {
      const a = new Float32Array(new Uint32Array(bits).buffer);
      const back = decodeValue(
        JSON.parse(JSON.stringify(encodeValue({ t: { shape: [bits.length], data: a } }))),
      ) as {
        t: { data: Float32Array };
      };
      assert.deepEqual([...new Uint32Array(back.t.data.buffer)], bits);
    }),
  );
});

test('hello: the message key must be endorsed by the chain account it names', async () => {
  const key = ed25519FromSeed('p');
  const acct = accountFromSeed('p');
  const other = accountFromSeed('q');
  const binding = await acct.signMessage?.({ message: `pinpoint.net.bind.v1\0${key.publicKey}` });
  const hello = { role: 'solver', name: 'p', address: acct.address, ed25519: key.publicKey, binding };
  assert.equal((await checkHello(seal(key, 'hello', 0, 'hello', hello))).address, acct.address);
  await assert.rejects(
    checkHello(seal(key, 'hello', 0, 'hello', { ...hello, address: other.address })),
    code('signature'),
  );
  await assert.rejects(checkHello(seal(bob, 'hello', 0, 'hello', hello)), code('sender'));
});

test('a RemoteParty answers exactly what the local party answers, and checks the answer digest', async () => {
  const task = syntheticTask({ seed: 3, steps: 16 });
  const local = new TraceParty('solver', executeRun(task, { mode: 'trace' }));
  const referee = ed25519FromSeed('referee');
  const party = ed25519FromSeed('solver');
  const guard = new ReplayGuard();
  let tamper = false;
  const post = async (_url: string, body: unknown) => {
    const e = open<AskBody>(body, { expectFrom: referee.publicKey, kind: 'ask' });
    guard.check(e);
    const result = await answerAsk(local, e.body);
    const digest = answerDigest(tamper ? { other: 1 } : result);
    return seal(party, e.dispute, e.seq, 'answer', {
      method: e.body.method,
      result,
      chain: { round: e.seq, digest, sig: '0x' },
    });
  };
  const answers: number[] = [];
  const remote = new RemoteParty('solver', 'mem://', party.publicKey, referee, 'd1', post, 1000, (_p, a) => {
    answers.push(a.chain?.round ?? -1);
  });
  assert.deepEqual(await remote.claim(), await local.claim());
  assert.deepEqual(await remote.openStep(5), await local.openStep(5));
  const ri = await remote.revealInputs(5, 10);
  const li = await local.revealInputs(5, 10);
  assert.deepEqual(
    ri.map((r) => [...r.tensor.data]),
    li.map((r) => [...r.tensor.data]),
  );
  assert.deepEqual(answers, [0, 1, 2]);
  tamper = true;
  await assert.rejects(remote.claim(), code('malformed'));
  await assert.rejects(
    answerAsk(local, { method: 'constructor' as AskBody['method'], args: [] }),
    code('malformed'),
  );
  await assert.rejects(answerAsk(local, { method: 'openStep', args: [1.5] }), code('malformed'));
});
