/**
 * A dispute party that lives in another process: every DisputeParty question becomes a signed `ask`
 * envelope POSTed to the party's /v1/ask; the signed `answer` must come from the key the party proved
 * at hello, echo the question's seq, and carry the party's secp256k1 signature over the answer's
 * digest for on-chain round `round` (handed to `onAnswer` for relaying to the contract).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type {
  DisputeParty,
  InputReveal,
  NodeChildren,
  OpOpening,
  OpRootClaim,
  RunClaim,
  SealOpening,
  StateOpening,
  StepOpening,
} from '../dispute/types.ts';
import { canonicalJson } from '../hash/digest.ts';
import { toHex } from '../hash/hex.ts';
import { decodeValue, type Ed25519Key, encodeValue, open, ProtocolError, seal } from './protocol.ts';

export interface AskBody {
  method: keyof Omit<DisputeParty, 'name'>;
  args: number[];
}

export interface ChainSignature {
  /** On-chain round index: this party's answer count in the dispute, from 0. */
  round: number;
  /** 0x-prefixed SHA-256 of the canonical JSON of the encoded result. */
  digest: `0x${string}`;
  /** secp256k1 signature (EIP-191) over the contract's roundMessage. */
  sig: `0x${string}`;
}

export interface AnswerBody {
  method: string;
  result: unknown;
  chain: ChainSignature | null;
}

/** The digest a party commits to on chain for one answer. */
export function answerDigest(encodedResult: unknown): `0x${string}` {
  return `0x${toHex(sha256(new TextEncoder().encode(canonicalJson(encodedResult ?? null))))}`;
}

export type PostJson = (url: string, body: unknown, timeoutMs: number) => Promise<unknown>;

export class RemoteParty implements DisputeParty {
  private seq = 0;
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly partyKey: string,
    private readonly refereeKey: Ed25519Key,
    private readonly dispute: string,
    private readonly post: PostJson,
    private readonly timeoutMs: number,
    private readonly onAnswer: (party: RemoteParty, a: AnswerBody) => Promise<void> | void,
  ) {}

  private async ask<T>(method: AskBody['method'], args: number[]): Promise<T> {
    const seq = this.seq++;
    const req = seal<AskBody>(this.refereeKey, this.dispute, seq, 'ask', { method, args });
    const raw = await this.post(`${this.url}/v1/ask`, req, this.timeoutMs);
    const res = open<AnswerBody>(raw, { expectFrom: this.partyKey, kind: 'answer' });
    if (res.seq !== seq || res.dispute !== this.dispute)
      throw new ProtocolError(
        'replay',
        `answer to seq ${res.seq} of ${res.dispute}, asked seq ${seq} of ${this.dispute}`,
      );
    if (res.body.method !== method)
      throw new ProtocolError('malformed', `answer for ${res.body.method}, asked ${method}`);
    if (res.body.chain && res.body.chain.digest !== answerDigest(res.body.result))
      throw new ProtocolError('malformed', 'the on-chain digest does not match the answer');
    await this.onAnswer(this, res.body);
    return decodeValue(res.body.result) as T;
  }

  claim() {
    return this.ask<RunClaim>('claim', []);
  }
  runChildren(lo: number, hi: number) {
    return this.ask<NodeChildren>('runChildren', [lo, hi]);
  }
  openStep(step: number) {
    return this.ask<StepOpening>('openStep', [step]);
  }
  commitOps(step: number) {
    return this.ask<OpRootClaim>('commitOps', [step]);
  }
  children(step: number, lo: number, hi: number) {
    return this.ask<NodeChildren>('children', [step, lo, hi]);
  }
  openOp(step: number, index: number) {
    return this.ask<OpOpening>('openOp', [step, index]);
  }
  revealInputs(step: number, index: number) {
    return this.ask<InputReveal[]>('revealInputs', [step, index]);
  }
  openStateBefore(step: number, slot: number) {
    return this.ask<StateOpening>('openStateBefore', [step, slot]);
  }
  sealState(step: number) {
    return this.ask<SealOpening>('sealState', [step]);
  }
}

/** Answers an `ask` from a local party (the server side of RemoteParty); args are checked to be integers. */
export async function answerAsk(party: DisputeParty, body: AskBody): Promise<unknown> {
  const methods = [
    'claim',
    'runChildren',
    'openStep',
    'commitOps',
    'children',
    'openOp',
    'revealInputs',
    'openStateBefore',
    'sealState',
  ];
  if (!methods.includes(body?.method))
    throw new ProtocolError('malformed', `unknown question ${String(body?.method)}`);
  if (!Array.isArray(body.args) || body.args.length > 3 || !body.args.every((a) => Number.isSafeInteger(a)))
    throw new ProtocolError('malformed', 'question arguments must be up to 3 integers');
  const fn = (party as unknown as Record<string, (...a: number[]) => Promise<unknown>>)[body.method];
  return encodeValue(await fn.apply(party, body.args));
}
