/**
 * Shared CLI argument checks (plain functions, no printing: the verb prints and picks the exit code).
 */

export type ProofArg = { ok: true; file: string } | { ok: false; message: string };

/**
 * The single `<proof.pinproof>` positional that `pinpoint inspect` and `pinpoint verify` take. On
 * anything but exactly one positional, the usage error the verb prints (then exits 2).
 */
export function oneProofArg(verb: string, positionals: readonly string[]): ProofArg {
  if (positionals.length === 1) return { ok: true, file: positionals[0] };
  const problem =
    positionals.length === 0
      ? 'missing <proof.pinproof>'
      : `one proof file expected, got ${positionals.length}`;
  return { ok: false, message: `pinpoint ${verb}: ${problem} (pinpoint ${verb} --help)` };
}
