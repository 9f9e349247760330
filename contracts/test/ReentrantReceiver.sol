// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IPinpointGame {
    function deposit() external payable;
    function withdraw(uint256 amount) external;
    function finalize(bytes32 id) external;
}

/// Test-only attacker: deposits, withdraws, and from its receive hook tries to withdraw again
/// (classic re-entrancy). It records whether the nested call was refused, so the outer withdrawal can
/// still complete and the test can check that exactly the deposited amount came out.
contract ReentrantReceiver {
    IPinpointGame public immutable game;
    uint256 public attempts;
    uint256 public refused;
    uint256 public amount;

    constructor(address game_) {
        game = IPinpointGame(game_);
    }

    function attack() external payable {
        amount = msg.value;
        game.deposit{value: msg.value}();
        game.withdraw(msg.value);
    }

    receive() external payable {
        if (attempts < 3) {
            attempts++;
            try game.withdraw(amount) {} catch {
                refused++;
            }
        }
    }
}
