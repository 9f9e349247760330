"""PyTorch reference for `npm run bench scale`: one training step (forward, backward, global-norm clip
1.0, Adam) of the same model as tasks/nanogpt-char.json — decoder-only, pre-LN, learned positions, whole-
layer Wq/Wk/Wv without bias, output projection and MLP with bias, exact GELU, final LN, linear head with
bias (816 705 parameters) — at batch 12, context 64, vocabulary 73.
Usage: python3 bench/torch_nanogpt.py <threads> <warm-up steps> <timed steps>; prints one JSON line."""
import json
import math
import sys
import time

import torch

threads, warm, timed = (int(a) for a in sys.argv[1:4])
torch.set_num_threads(threads)
torch.manual_seed(0)
B, T, D, H, L, F, V = 12, 64, 128, 4, 4, 512, 73


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
        self.q, self.k, self.v = (torch.nn.Linear(D, D, bias=False) for _ in range(3))
        self.o = torch.nn.Linear(D, D)
        self.f1, self.f2 = torch.nn.Linear(D, F), torch.nn.Linear(F, D)
        self.register_buffer('mask', torch.triu(torch.full((T, T), -1e9), 1))

    def forward(self, x):
        a = self.ln1(x)
        split = lambda t: t.view(B, T, H, D // H).transpose(1, 2)
        q, k, v = split(self.q(a)), split(self.k(a)), split(self.v(a))
        att = (q @ k.transpose(-2, -1) * (1 / math.sqrt(D // H)) + self.mask).softmax(-1)
        x = x + self.o((att @ v).transpose(1, 2).reshape(B, T, D))
        return x + self.f2(torch.nn.functional.gelu(self.f1(self.ln2(x))))


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.tok, self.pos = torch.nn.Embedding(V, D), torch.nn.Embedding(T, D)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(L))
        self.lnf, self.head = torch.nn.LayerNorm(D), torch.nn.Linear(D, V)

    def forward(self, idx):
        x = self.tok(idx) + self.pos(torch.arange(T))
        for b in self.blocks:
            x = b(x)
        return self.head(self.lnf(x))


model = Model()
params = sum(p.numel() for p in model.parameters())
opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.99))
x, y = torch.randint(0, V, (B, T)), torch.randint(0, V, (B, T))
times = []
for i in range(warm + timed):
    t0 = time.perf_counter()
    loss = torch.nn.functional.cross_entropy(model(x).view(-1, V), y.view(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if i >= warm:
        times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({'msPerStep': 1000 * times[len(times) // 2], 'params': params, 'torch': torch.__version__}))
