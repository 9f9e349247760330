// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Pinpoint staking game: stakes, escrow, bounty, slashing, jackpot and dispute state on chain.
/// @notice Mirrors core/ledger (docs/LEDGER.md): the same actions, the same basis-point arithmetic
/// (every split rounds down, the remainder goes to a named party) and the same settlement outcomes.
/// Units are wei held by this contract; `deposit`/`withdraw` move them in and out. Invariant, checked
/// by the tests after every action:
///   address(this).balance == totalBalances + totalLocked + totalEscrow + treasury.
/// The contract checks itself: who may act, deadlines, round signatures (secp256k1, replay-bound to
/// chain, contract, task and round) and Merkle membership of the disputed step records in both parties'
/// committed run roots. It takes from the referee only which party lost (see docs/NETWORK.md).
/// Proofs are committed then revealed with the ledger's copy rule (docs/LEDGER.md "Identity binding"):
/// a reveal of a run root that another account revealed before this solver sealed is a copy and is
/// slashed like the ledger's copyPenalty; the seal is the ledger's own seal digest, so the SQLite
/// mirror re-checks every reveal with its own code.
contract PinpointGame {
    uint256 private constant BPS = 10_000;
    bytes32 private constant ROUND_TAG = keccak256("pinpoint.round.v1");

    enum TaskState { None, Posted, Claimed, Proved, Verified, Disputed, Settled }
    enum Loser { None, Solver, Challenger, Both }

    struct Task {
        address submitter;
        address solver;
        uint64 sealSeq; // packs with `solver` (one storage slot)
        address verifier;
        address challenger;
        uint128 bounty;
        uint128 escrow;
        uint128 solverLocked;
        uint128 challengerLocked;
        bytes32 runRoot;
        bytes32 challengerRoot;
        uint32 steps;
        uint32 round;
        uint64 deadline;
        uint64 verifiedAt;
        TaskState state;
        bool solverIn;
        bool challengerIn;
        Loser loser;
        bytes32 seal;
    }

    /// The first reveal of a run root, and the first by a different account: enough to answer the
    /// ledger's "earliest reveal by anyone but X" (core/ledger memory.ts firstReveal) exactly.
    struct Reveals {
        address first;
        uint64 firstSeq;
        address other;
        uint64 otherSeq;
    }

    address public immutable referee;
    uint128 public immutable solverStake;
    uint128 public immutable challengerStake;
    uint128 public immutable verifierReward;
    uint16 public immutable slashBps;
    uint16 public immutable whistleblowerBps;
    uint16 public immutable treasuryBps;
    uint32 public immutable roundSeconds;
    uint32 public immutable challengeSeconds;

    mapping(address => uint256) public balanceOf;
    mapping(bytes32 => Task) private tasks;
    uint256 public totalBalances;
    uint256 public totalLocked;
    uint256 public totalEscrow;
    uint256 public treasury;
    uint256 private locked = 1;
    /// Order of proof commitments and reveals (the ledger compares event seqs; this keeps the same order).
    uint64 public proofSeq;
    mapping(bytes32 => Reveals) private reveals;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);
    event TaskPosted(bytes32 indexed task, address indexed submitter, uint256 bounty, uint256 escrow, uint32 steps);
    event TaskClaimed(bytes32 indexed task, address indexed solver, uint256 stake);
    event ProofSubmitted(bytes32 indexed task, address indexed solver, bytes32 runRoot);
    event ProofCommitted(bytes32 indexed task, address indexed solver, bytes32 seal);
    event ProofRevealed(bytes32 indexed task, address indexed solver, bytes32 runRoot, bytes32 salt);
    event ProofCopied(bytes32 indexed task, address indexed copier, address indexed original, bytes32 runRoot);
    event TaskVerified(bytes32 indexed task, address indexed verifier);
    event DisputeOpened(bytes32 indexed task, address indexed challenger, bytes32 challengerRoot, uint256 stake, uint64 deadline);
    event RoundCommitted(bytes32 indexed task, uint32 round, address indexed party, bytes32 digest);
    event RoundAdvanced(bytes32 indexed task, uint32 round, uint64 deadline);
    event Slashed(bytes32 indexed task, address indexed account, uint256 slashed, uint256 returned);
    event Jackpot(bytes32 indexed task, address indexed account, uint256 amount);
    event Moved(bytes32 indexed task, address indexed to, uint256 amount, uint8 reason);
    event TreasuryPaid(bytes32 indexed task, uint256 amount);
    event DisputeSettled(bytes32 indexed task, Loser loser, uint32 step, bytes32 transcript, bool byTimeout);
    event TaskFinalized(bytes32 indexed task);

    /// Reasons in `Moved` (the ledger's MoveReason names): 0 stake.return, 1 reward.bounty,
    /// 2 reward.verifier, 3 refund, 4 slash.compensation.
    uint8 private constant R_STAKE_RETURN = 0;
    uint8 private constant R_BOUNTY = 1;
    uint8 private constant R_VERIFIER = 2;
    uint8 private constant R_REFUND = 3;
    uint8 private constant R_COMPENSATION = 4;

    error BadParams(string why);
    error Insufficient(address account, uint256 has, uint256 needs);
    error BadState(bytes32 task, TaskState state);
    error NotAllowed(string why);
    error Deadline(uint64 deadline, uint256 nowTs);
    error BadSignature(address recovered);
    error Replay(bytes32 task, uint32 round, address party);
    error BadProof(string which);
    error TransferFailed();
    error Reentrancy();

    modifier nonReentrant() {
        if (locked != 1) revert Reentrancy();
        locked = 2;
        _;
        locked = 1;
    }

    constructor(
        address referee_,
        uint128[3] memory amounts, // solverStake, challengerStake, verifierReward
        uint16[3] memory bps, // slashBps, whistleblowerBps, treasuryBps
        uint32 roundSeconds_,
        uint32 challengeSeconds_
    ) {
        if (referee_ == address(0)) revert BadParams("referee is the zero address");
        if (bps[0] > BPS || bps[1] > BPS || bps[2] > BPS) revert BadParams("basis points above 10000");
        if (uint256(bps[1]) + bps[2] > BPS) revert BadParams("whistleblowerBps + treasuryBps above 10000");
        if (roundSeconds_ == 0) revert BadParams("roundSeconds must be positive");
        referee = referee_;
        solverStake = amounts[0];
        challengerStake = amounts[1];
        verifierReward = amounts[2];
        slashBps = bps[0];
        whistleblowerBps = bps[1];
        treasuryBps = bps[2];
        roundSeconds = roundSeconds_;
        challengeSeconds = challengeSeconds_;
    }

    // ---------------------------------------------------------------- funds

    function deposit() external payable {
        balanceOf[msg.sender] += msg.value;
        totalBalances += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    /// Checks-effects-interactions plus a lock: a receiver that re-enters finds the lock (and its
    /// balance already reduced).
    function withdraw(uint256 amount) external nonReentrant {
        uint256 has = balanceOf[msg.sender];
        if (has < amount) revert Insufficient(msg.sender, has, amount);
        balanceOf[msg.sender] = has - amount;
        totalBalances -= amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    function _take(address account, uint256 amount) private {
        uint256 has = balanceOf[account];
        if (has < amount) revert Insufficient(account, has, amount);
        balanceOf[account] = has - amount;
        totalBalances -= amount;
    }

    function _give(address account, uint256 amount) private {
        balanceOf[account] += amount;
        totalBalances += amount;
    }

    // ---------------------------------------------------------------- task life

    function postTask(bytes32 id, uint128 bounty, uint32 steps) external {
        Task storage t = tasks[id];
        if (t.state != TaskState.None) revert BadState(id, t.state);
        if (steps == 0) revert BadParams("a task has at least one step");
        // As the ledger (task.post): a zero bounty would be a task the SQLite mirror refuses.
        if (bounty == 0) revert BadParams("bounty must be positive");
        uint128 total = bounty + verifierReward;
        _take(msg.sender, total);
        totalEscrow += total;
        t.submitter = msg.sender;
        t.bounty = bounty;
        t.escrow = total;
        t.steps = steps;
        t.state = TaskState.Posted;
        emit TaskPosted(id, msg.sender, bounty, total, steps);
    }

    function claimTask(bytes32 id) external {
        Task storage t = _need(id, TaskState.Posted);
        if (msg.sender == t.submitter) revert NotAllowed("the submitter cannot claim its own task");
        _take(msg.sender, solverStake);
        totalLocked += solverStake;
        t.solver = msg.sender;
        t.solverLocked = solverStake;
        t.state = TaskState.Claimed;
        emit TaskClaimed(id, msg.sender, solverStake);
    }

    /// Direct submission, sealed and revealed at once (the ledger's proof.submit): a copy if another
    /// account revealed the same run root at any time before. Refused while a seal is pending.
    function submitProof(bytes32 id, bytes32 runRoot) external nonReentrant {
        Task storage t = _need(id, TaskState.Claimed);
        if (msg.sender != t.solver) revert NotAllowed("only the claiming solver submits the proof");
        if (t.seal != bytes32(0)) revert NotAllowed("a sealed commitment is pending: reveal it");
        uint64 seq = ++proofSeq;
        emit ProofSubmitted(id, msg.sender, runRoot);
        _proveOrCopy(id, t, runRoot, seq);
    }

    /// Commit: the claimant records `seal` = sealOf(id, solver, runRoot, salt), which hides the run
    /// root. Sealing again replaces the pending seal (and its place in the order), as in the ledger.
    function commitProof(bytes32 id, bytes32 seal) external {
        Task storage t = _need(id, TaskState.Claimed);
        if (msg.sender != t.solver) revert NotAllowed("only the claiming solver commits a proof");
        if (seal == bytes32(0)) revert BadParams("a seal is a nonzero digest");
        t.seal = seal;
        t.sealSeq = ++proofSeq;
        emit ProofCommitted(id, msg.sender, seal);
    }

    /// Reveal: (runRoot, salt) must open the pending seal. If another account revealed the same run root
    /// before this seal was recorded, the solver can only have copied it: slashed (copy penalty).
    function revealProof(bytes32 id, bytes32 runRoot, bytes32 salt) external nonReentrant {
        Task storage t = _need(id, TaskState.Claimed);
        if (msg.sender != t.solver) revert NotAllowed("only the claiming solver reveals the proof");
        if (t.seal == bytes32(0)) revert NotAllowed("no sealed commitment: commitProof first");
        if (sealOf(id, msg.sender, runRoot, salt) != t.seal)
            revert BadProof("the reveal does not open the sealed commitment");
        uint64 sealSeq = t.sealSeq;
        t.seal = bytes32(0);
        t.sealSeq = 0;
        ++proofSeq;
        emit ProofRevealed(id, msg.sender, runRoot, salt);
        _proveOrCopy(id, t, runRoot, sealSeq);
    }

    /// `before`: a reveal by another account with a smaller seq makes this one a copy.
    function _proveOrCopy(bytes32 id, Task storage t, bytes32 runRoot, uint64 before) private {
        Reveals storage r = reveals[runRoot];
        (address orig, uint64 origSeq) = r.first != t.solver ? (r.first, r.firstSeq) : (r.other, r.otherSeq);
        if (orig != address(0) && origSeq < before) {
            // The ledger's copyPenalty: slashed share split victim (whistleblowerBps) / treasury /
            // submitter, the rest of the stake back to the copier, escrow refunded, no proof recorded.
            t.state = TaskState.Settled;
            t.loser = Loser.Solver;
            uint256 s = t.solverLocked;
            t.solverLocked = 0;
            totalLocked -= s;
            emit ProofCopied(id, t.solver, orig, runRoot);
            _slash(id, t.solver, s, orig, t.submitter);
            _refund(id, t);
            return;
        }
        uint64 seq = proofSeq;
        if (r.first == address(0)) {
            r.first = t.solver;
            r.firstSeq = seq;
        } else if (r.other == address(0) && r.first != t.solver) {
            r.other = t.solver;
            r.otherSeq = seq;
        }
        t.runRoot = runRoot;
        t.state = TaskState.Proved;
    }

    function verifyTask(bytes32 id) external {
        Task storage t = _need(id, TaskState.Proved);
        if (msg.sender == t.solver) revert NotAllowed("the solver cannot verify its own proof");
        t.verifier = msg.sender;
        t.verifiedAt = uint64(block.timestamp);
        t.state = TaskState.Verified;
        emit TaskVerified(id, msg.sender);
    }

    /// Verified and unchallenged for `challengeSeconds`: bounty to the solver, reward to the verifier,
    /// stake back.
    function finalize(bytes32 id) external nonReentrant {
        Task storage t = _need(id, TaskState.Verified);
        if (block.timestamp < uint256(t.verifiedAt) + challengeSeconds)
            revert Deadline(t.verifiedAt + challengeSeconds, block.timestamp);
        t.state = TaskState.Settled;
        _returnSolverStake(id, t);
        _payOut(id, t);
        emit TaskFinalized(id);
    }

    // ---------------------------------------------------------------- dispute

    function openDispute(bytes32 id, bytes32 challengerRoot) external {
        Task storage t = tasks[id];
        if (t.state != TaskState.Proved && t.state != TaskState.Verified) revert BadState(id, t.state);
        if (msg.sender == t.solver) revert NotAllowed("the solver cannot challenge its own proof");
        _take(msg.sender, challengerStake);
        totalLocked += challengerStake;
        t.challenger = msg.sender;
        t.challengerLocked = challengerStake;
        t.challengerRoot = challengerRoot;
        t.state = TaskState.Disputed;
        t.deadline = uint64(block.timestamp + roundSeconds);
        emit DisputeOpened(id, msg.sender, challengerRoot, challengerStake, t.deadline);
    }

    /// The digest a party signs for its answer in round `round` (EIP-191 personal message of this hash).
    function roundMessage(bytes32 id, uint32 round, bytes32 digest) public view returns (bytes32) {
        return keccak256(abi.encode(ROUND_TAG, block.chainid, address(this), id, round, digest));
    }

    /// Records a party's signed commitment to its answer of the current round. Anyone may relay it
    /// (the signature names the party); a second commitment of one party in one round, a commitment for
    /// another round, or one after the deadline is refused. When both parties are in, the round advances
    /// and the deadline restarts.
    function commitRound(bytes32 id, uint32 round, bytes32 digest, bytes calldata sig) external {
        Task storage t = _need(id, TaskState.Disputed);
        if (block.timestamp > t.deadline) revert Deadline(t.deadline, block.timestamp);
        address party = _recover(_ethSigned(roundMessage(id, round, digest)), sig);
        bool isSolver = party == t.solver;
        if (!isSolver && party != t.challenger) revert BadSignature(party);
        if (round != t.round || (isSolver ? t.solverIn : t.challengerIn)) revert Replay(id, round, party);
        if (isSolver) t.solverIn = true;
        else t.challengerIn = true;
        emit RoundCommitted(id, round, party, digest);
        if (t.solverIn && t.challengerIn) {
            t.round = round + 1;
            t.solverIn = false;
            t.challengerIn = false;
            t.deadline = uint64(block.timestamp + roundSeconds);
            emit RoundAdvanced(id, t.round, t.deadline);
        }
    }

    /// After the deadline, a party that did not commit the current round loses (both silent: both lose).
    function claimTimeout(bytes32 id) external nonReentrant {
        Task storage t = _need(id, TaskState.Disputed);
        if (block.timestamp <= t.deadline) revert Deadline(t.deadline, block.timestamp);
        Loser l = t.solverIn ? Loser.Challenger : (t.challengerIn ? Loser.Solver : Loser.Both);
        _settle(id, t, l, 0, bytes32(0), true);
    }

    /// The referee's verdict. Unless the two run roots are equal (then only the challenger can lose:
    /// there is nothing to disagree about), the contract requires the disputed step's record digest of
    /// each party with its Merkle path in that party's committed run root, and the two must differ.
    function settle(
        bytes32 id,
        Loser loser,
        uint32 step,
        bytes32 transcript,
        bytes32 solverLeaf,
        bytes32[] calldata solverPath,
        bytes32 challengerLeaf,
        bytes32[] calldata challengerPath
    ) external nonReentrant {
        if (msg.sender != referee) revert NotAllowed("only the referee settles");
        Task storage t = _need(id, TaskState.Disputed);
        if (loser == Loser.None) revert NotAllowed("a verdict names a loser");
        if (t.runRoot == t.challengerRoot) {
            if (loser != Loser.Challenger) revert BadProof("equal run roots: only the challenger can lose");
        } else {
            if (step >= t.steps) revert BadProof("step outside the task");
            if (solverLeaf == challengerLeaf) revert BadProof("the parties agree at this step");
            if (!verifyMerkle(solverLeaf, step, t.steps, solverPath, t.runRoot)) revert BadProof("solver path");
            if (!verifyMerkle(challengerLeaf, step, t.steps, challengerPath, t.challengerRoot))
                revert BadProof("challenger path");
        }
        _settle(id, t, loser, step, transcript, false);
    }

    function _settle(bytes32 id, Task storage t, Loser l, uint32 step, bytes32 transcript, bool byTimeout) private {
        t.state = TaskState.Settled;
        t.loser = l;
        uint256 s = t.solverLocked;
        uint256 c = t.challengerLocked;
        t.solverLocked = 0;
        t.challengerLocked = 0;
        totalLocked -= s + c;
        if (l == Loser.Solver) {
            _slash(id, t.solver, s, t.challenger, t.submitter);
            _move(id, t.challenger, c, R_STAKE_RETURN);
            _refund(id, t);
        } else if (l == Loser.Challenger) {
            _slash(id, t.challenger, c, address(0), t.solver);
            _move(id, t.solver, s, R_STAKE_RETURN);
            _payOut(id, t);
        } else {
            _slash(id, t.solver, s, address(0), t.submitter);
            _slash(id, t.challenger, c, address(0), t.submitter);
            _refund(id, t);
        }
        emit DisputeSettled(id, l, step, transcript, byTimeout);
    }

    /// slashed = ⌊stake·slashBps⌋; of it jackpot = ⌊slashed·whistleblowerBps⌋ (only with a whistleblower),
    /// treasury = ⌊slashed·treasuryBps⌋, the rest to the wronged party; the unslashed rest back to the owner.
    function _slash(bytes32 id, address owner, uint256 stake, address jackpotTo, address wronged) private {
        uint256 slashed = (stake * slashBps) / BPS;
        uint256 jackpot = jackpotTo == address(0) ? 0 : (slashed * whistleblowerBps) / BPS;
        uint256 toTreasury = (slashed * treasuryBps) / BPS;
        emit Slashed(id, owner, slashed, stake - slashed);
        if (jackpot > 0) {
            _give(jackpotTo, jackpot);
            emit Jackpot(id, jackpotTo, jackpot);
        }
        treasury += toTreasury;
        if (toTreasury > 0) emit TreasuryPaid(id, toTreasury);
        _move(id, wronged, slashed - jackpot - toTreasury, R_COMPENSATION);
        _move(id, owner, stake - slashed, R_STAKE_RETURN);
    }

    function _move(bytes32 id, address to, uint256 amount, uint8 reason) private {
        if (amount == 0) return;
        _give(to, amount);
        emit Moved(id, to, amount, reason);
    }

    function _returnSolverStake(bytes32 id, Task storage t) private {
        uint256 s = t.solverLocked;
        t.solverLocked = 0;
        totalLocked -= s;
        _move(id, t.solver, s, R_STAKE_RETURN);
    }

    function _payOut(bytes32 id, Task storage t) private {
        uint256 e = t.escrow;
        t.escrow = 0;
        totalEscrow -= e;
        _move(id, t.solver, t.bounty, R_BOUNTY);
        uint256 rest = e - t.bounty;
        if (t.verifier != address(0)) _move(id, t.verifier, rest, R_VERIFIER);
        else _move(id, t.submitter, rest, R_REFUND);
    }

    function _refund(bytes32 id, Task storage t) private {
        uint256 e = t.escrow;
        t.escrow = 0;
        totalEscrow -= e;
        _move(id, t.submitter, e, R_REFUND);
    }

    function _need(bytes32 id, TaskState s) private view returns (Task storage t) {
        t = tasks[id];
        if (t.state != s) revert BadState(id, t.state);
    }

    // ---------------------------------------------------------------- views and crypto

    function task(bytes32 id) external view returns (Task memory) {
        return tasks[id];
    }

    bytes private constant SEAL_TAG = "pinpoint.ledger.seal.v1\x00";

    /// The ledger's seal (core/ledger/seal.ts sealCommitment) for a mirrored task: SHA-256 of the tag and
    /// canonicalJson({account, publicKey: null, runCommitment, salt, task}), the account as the lowercase
    /// 0x address and the task as the 32-byte key in hex (core/chain/mirror.ts ids). The chain binds no
    /// Ed25519 key, hence publicKey null.
    function sealOf(bytes32 id, address solver, bytes32 runRoot, bytes32 salt) public pure returns (bytes32) {
        bytes32 a = bytes32(bytes20(solver));
        return sha256(
            abi.encodePacked(
                SEAL_TAG,
                '{"account":"0x',
                _hex16(bytes16(a)),
                bytes8(_hex16(bytes16(a << 128))),
                '","publicKey":null,"runCommitment":"',
                _hex32(runRoot),
                '","salt":"',
                _hex32(salt),
                '","task":"',
                _hex32(id),
                '"}'
            )
        );
    }

    function _hex32(bytes32 v) private pure returns (bytes memory) {
        return abi.encodePacked(_hex16(bytes16(v)), _hex16(bytes16(v << 128)));
    }

    /// 16 bytes as 32 lowercase hex digits without a loop: spread each nibble into its own byte, then add
    /// '0', plus ('a' − '0' − 10) = 39 for the nibbles above 9 (detected by the carry of nibble + 6).
    function _hex16(bytes16 data) private pure returns (bytes32 r) {
        r = (bytes32(data) & 0xFFFFFFFFFFFFFFFF000000000000000000000000000000000000000000000000)
            | ((bytes32(data) & 0x0000000000000000FFFFFFFFFFFFFFFF00000000000000000000000000000000) >> 64);
        r = (r & 0xFFFFFFFF000000000000000000000000FFFFFFFF000000000000000000000000)
            | ((r & 0x00000000FFFFFFFF000000000000000000000000FFFFFFFF0000000000000000) >> 32);
        r = (r & 0xFFFF000000000000FFFF000000000000FFFF000000000000FFFF000000000000)
            | ((r & 0x0000FFFF000000000000FFFF000000000000FFFF000000000000FFFF00000000) >> 16);
        r = (r & 0xFF000000FF000000FF000000FF000000FF000000FF000000FF000000FF000000)
            | ((r & 0x00FF000000FF000000FF000000FF000000FF000000FF000000FF000000FF0000) >> 8);
        r = ((r & 0xF000F000F000F000F000F000F000F000F000F000F000F000F000F000F000F000) >> 4)
            | ((r & 0x0F000F000F000F000F000F000F000F000F000F000F000F000F000F000F000F00) >> 8);
        uint256 x = uint256(r);
        r = bytes32(
            0x3030303030303030303030303030303030303030303030303030303030303030 + x
                + (((x + 0x0606060606060606060606060606060606060606060606060606060606060606) >> 4)
                    & 0x0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F0F) * 39
        );
    }

    function _ethSigned(bytes32 h) private pure returns (bytes32) {
        return keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", h));
    }

    function _recover(bytes32 h, bytes calldata sig) private pure returns (address) {
        if (sig.length != 65) return address(0);
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        // Low-s only (EIP-2): the other half of the curve would give a second valid signature.
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) return address(0);
        if (v < 27) v += 27;
        return ecrecover(h, v, r, s);
    }

    bytes private constant MERKLE_TAG = "pinpoint.merkle.v1\x00";

    /// RFC 6962 membership, exactly core/hash/merkle.ts: leaf = SHA-256(tag‖0x00‖digest),
    /// node = SHA-256(tag‖0x01‖left‖right), the left subtree holds the largest power of two below n.
    function verifyMerkle(bytes32 leaf, uint256 index, uint256 count, bytes32[] calldata path, bytes32 root)
        public
        pure
        returns (bool)
    {
        if (index >= count) return false;
        // Walk top-down to learn, level by level, whether the opened leaf is in the left subtree.
        bool[64] memory left;
        uint256 depth = 0;
        uint256 lo = 0;
        uint256 hi = count;
        while (hi - lo > 1) {
            if (depth == 64) return false;
            uint256 k = 1;
            while (k * 2 < hi - lo) k *= 2;
            if (index < lo + k) {
                left[depth] = true;
                hi = lo + k;
            } else {
                lo = lo + k;
            }
            depth++;
        }
        if (path.length != depth) return false;
        bytes32 h = sha256(abi.encodePacked(MERKLE_TAG, uint8(0), leaf));
        for (uint256 i = 0; i < depth; i++) {
            bytes32 sib = path[i];
            h = left[depth - 1 - i]
                ? sha256(abi.encodePacked(MERKLE_TAG, uint8(1), h, sib))
                : sha256(abi.encodePacked(MERKLE_TAG, uint8(1), sib, h));
        }
        return h == root;
    }
}
