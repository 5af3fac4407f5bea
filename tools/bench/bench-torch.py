#!/usr/bin/env python3
"""Optional PyTorch side of `npm run bench` (issue 9): the same r2plus1d-18 student, shapes and step as
tools/bench/bench.mjs, run in PyTorch on the CPU, so the two can be compared on one machine.

The project never depends on this script or on PyTorch. It needs Debian's `python3-torch`
(`apt-get install python3-torch`; run it with /usr/bin/python3 when another python shadows it).

    /usr/bin/python3 tools/bench/bench-torch.py                 demo size + [1, 8, 112, 112, 3] + [2, 8, 112, 112, 3]
    /usr/bin/python3 tools/bench/bench-torch.py --paper         also [8, 8, 112, 112, 3] (the paper's batch)
    /usr/bin/python3 tools/bench/bench-torch.py --threads 1     torch.set_num_threads (default: all cores)
    python3 tools/bench/bench-torch.py --child '{"device": "cuda", ...}'   one configuration (tools/bench/bench-pairs.mjs
                                                          alternates such children with ccl's, same shapes)

Each configuration runs in its own child process, so its peak RSS is its own. Results go to
tools/bench/results/torch-results.json (atomically); when tools/bench/results/results.json has the same shape measured on
tfjs, the ratio (tfjs / torch) is printed. Nothing here asserts a time.

The model is written out here (not torchvision's) so that the channel widths follow ccl's widthMultiplier
exactly: c -> max(1, round(c * m)), intermediate channels M = floor(t k^2 Cin Cout / (k^2 Cin + t Cout)).
"""
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, 'results', 'torch-results.json')
TFJS_RESULTS = os.path.join(HERE, 'results', 'results.json')


def build_model(torch, width, num_classes):
    nn = torch.nn

    def scaled(c):
        return max(1, round(c * width))

    class Factorised(nn.Module):
        """Spatial 1 x k x k conv Cin -> M, BN, ReLU, temporal t x 1 x 1 conv M -> Cout (no conv bias)."""

        def __init__(self, cin, cout, t, k, stride, padding):
            super().__init__()
            mid = (t * k * k * cin * cout) // (k * k * cin + t * cout)
            self.spatial_conv = nn.Conv3d(cin, mid, (1, k, k), (1, stride[1], stride[1]), (0, padding[1], padding[1]), bias=False)
            self.bn = nn.BatchNorm3d(mid)
            self.relu = nn.ReLU(inplace=True)
            self.temporal_conv = nn.Conv3d(mid, cout, (t, 1, 1), (stride[0], 1, 1), (padding[0], 0, 0), bias=False)

        def forward(self, x):
            return self.temporal_conv(self.relu(self.bn(self.spatial_conv(x))))

    class Block(nn.Module):
        def __init__(self, cin, cout, downsample):
            super().__init__()
            s = 2 if downsample else 1
            self.downsample = nn.Sequential(Factorised(cin, cout, 1, 1, (2, 2), (0, 0)), nn.BatchNorm3d(cout)) if downsample else None
            self.conv1 = Factorised(cin, cout, 3, 3, (s, s), (1, 1))
            self.bn1 = nn.BatchNorm3d(cout)
            self.conv2 = Factorised(cout, cout, 3, 3, (1, 1), (1, 1))
            self.bn2 = nn.BatchNorm3d(cout)
            self.relu = nn.ReLU(inplace=True)

        def forward(self, x):
            r = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            return self.relu((x if self.downsample is None else self.downsample(x)) + r)

    c1, c2, c3, c4, c5 = (scaled(c) for c in (64, 64, 128, 256, 512))

    class R2plus1d18(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = Factorised(3, c1, 3, 7, (1, 2), (1, 3))
            self.bn1 = nn.BatchNorm3d(c1)
            self.relu = nn.ReLU(inplace=True)
            self.stages = nn.Sequential(Block(c1, c2, False), Block(c2, c3, True), Block(c3, c4, True), Block(c4, c5, True))
            self.linear = nn.Linear(c5, num_classes)

        def forward(self, x):
            h = self.stages(self.relu(self.bn1(self.conv1(x))))
            return self.linear(h.mean(dim=(2, 3, 4)))

    return R2plus1d18()


def child(cfg):
    import torch

    torch.set_num_threads(cfg['threads'])
    torch.manual_seed(0)
    device = cfg.get('device', 'cpu')  # 'cuda': PyTorch eager on the GPU (timings wait for the GPU's work)
    sync = torch.cuda.synchronize if device == 'cuda' else (lambda: None)
    b, t, h, w, c = cfg['input']
    model = build_model(torch, cfg['widthMultiplier'], cfg['numClasses']).to(device)
    params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(b, c, t, h, w).to(device)  # torch layout [B, C, T, H, W] (ccl: [B, T, H, W, C])
    labels = (torch.arange(b) % cfg['numClasses']).to(device)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        model.train()
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), labels)
        loss.backward()
        sync()
        t1 = time.perf_counter()
        opt.step()
        sync()
        t2 = time.perf_counter()
        return {'gradsMs': (t1 - t0) * 1e3, 'updateMs': (t2 - t1) * 1e3, 'stepMs': (t2 - t0) * 1e3}

    def forward():
        model.eval()
        with torch.no_grad():
            sync()
            t0 = time.perf_counter()
            model(x)
            sync()
            return (time.perf_counter() - t0) * 1e3

    warm = step() if cfg['steps'] > 1 else None
    steps = [step() for _ in range(max(1, cfg['steps'] - 1) if cfg['steps'] > 1 else 1)]
    step_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # after training steps only
    fwd = [forward() for _ in range(2 if cfg['steps'] > 1 else 1)]
    best = min(steps, key=lambda s: s['stepMs'])
    best = {**best, 'allStepMs': [round(s['stepMs']) for s in steps]}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    gpu = {'peakGpuMiB': round(torch.cuda.max_memory_allocated() / 2**20), 'gpu': torch.cuda.get_device_name()} if device == 'cuda' else {}
    return {**cfg, **gpu, 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'params': params,
            'warmStepMs': warm and warm['stepMs'], **best, 'forwardMs': min(fwd), 'peakRssMiB': round(peak), 'stepPeakRssMiB': round(step_peak)}


def plan(paper, threads):
    demo = {'model': 'r2plus1d-18', 'widthMultiplier': 0.25, 'input': [4, 8, 56, 56, 3], 'numClasses': 101, 'steps': 3}
    full = {'model': 'r2plus1d-18', 'widthMultiplier': 1, 'numClasses': 101, 'steps': 3}
    runs = [demo, {**full, 'input': [1, 8, 112, 112, 3]}, {**full, 'input': [2, 8, 112, 112, 3]}]
    if paper:
        runs.append({**full, 'input': [8, 8, 112, 112, 3]})
    out = []
    for r in runs:
        for n in sorted({1, threads}):
            out.append({**r, 'threads': n})
    return out


def write_atomic(path, text):
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def same_shape(a, b):
    return a.get('kind', 'model') == 'model' and a.get('input') == b['input'] and a.get('widthMultiplier') == b['widthMultiplier']


def parent(args):
    threads = os.cpu_count() or 1
    if '--threads' in args:
        threads = int(args[args.index('--threads') + 1])
    results = []
    for cfg in plan('--paper' in args, threads):
        out = subprocess.run([sys.executable, __file__, '--child', json.dumps(cfg)], capture_output=True, text=True)
        line = next((l for l in out.stdout.splitlines() if l.startswith('BENCH_RESULT ')), None)
        if out.returncode != 0 or line is None:
            print(f'failed: {json.dumps(cfg)}\n{out.stderr[-2000:]}', file=sys.stderr)
            results.append({**cfg, 'error': out.stderr[-500:]})
            continue
        r = json.loads(line[len('BENCH_RESULT '):])
        results.append(r)
        print(f"torch {r['torch']} {r['threads']} thread(s) {r['input']} width {r['widthMultiplier']}: step {r['stepMs'] / 1e3:.2f} s, "
              f"forward {r['forwardMs'] / 1e3:.3f} s, peak RSS {r['peakRssMiB']} MiB", flush=True)
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    write_atomic(RESULTS, json.dumps({'measuredAt': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'cores': os.cpu_count(),
                                      'loadAverage': os.getloadavg(), 'results': results}, indent=2) + '\n')
    if os.path.exists(TFJS_RESULTS):
        with open(TFJS_RESULTS) as f:
            tfjs = json.load(f)
        rows = tfjs.get('results', tfjs) if isinstance(tfjs, dict) else tfjs
        for r in (r for r in results if 'stepMs' in r):
            for o in (o for o in rows if isinstance(o, dict) and 'stepMs' in o and same_shape(o, r) and o.get('threads') == r['threads']):
                print(f"ratio tfjs {o['backend']} / torch, {r['threads']} thread(s), {r['input']}: step {o['stepMs'] / r['stepMs']:.2f}x, "
                      f"forward {o['forwardMs'] / r['forwardMs']:.2f}x, peak RSS {o['peakRssMiB'] / r['peakRssMiB']:.2f}x")


if __name__ == '__main__':
    if len(sys.argv) > 2 and sys.argv[1] == '--child':
        print('BENCH_RESULT ' + json.dumps(child(json.loads(sys.argv[2]))), flush=True)
    else:
        parent(sys.argv[1:])
