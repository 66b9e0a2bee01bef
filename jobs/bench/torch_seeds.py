#!/usr/bin/env python3
"""The PyTorch side of jobs/bench/end-to-end: the seeds of one MLP trained the way a PyTorch user would script it.

  torch_seeds.py SPEC.yaml --mode loop|ensemble

Reads from the initsweep spec what it trains: seeds, model (depth, width, activation relu or tanh, bias-init),
training (epochs, batch-size, learning-rate; SGD only) and data (spirals: samples, arms, noise, turns,
test-fraction, standardize). The data follow initsweep's recipe for spirals (not its random numbers: the runs are
compared by time, not by values). Every seed gets He-normal weights and its own minibatch order, and every epoch
is evaluated as initsweep evaluates it: test loss and accuracy, gradient norm on a probe batch of the first 256
training rows, and the epoch's mean training loss.

  loop:     one seed after another (a fresh nn.Sequential per seed);
  ensemble: all seeds as one computation, the weights stacked into [seeds, in, out] tensors, every layer one
            torch.baddbmm, the seeds' mean losses summed into one backward pass, one SGD step for all.

One thread (torch.set_num_threads(1)), like each initsweep cell. Prints one JSON line: the seconds spent training
(data already in memory) and each seed's final test loss.
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import yaml

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def settings(path):
    with open(path) as f:
        spec = yaml.safe_load(f)
    grid = spec.get("grid") or {}
    for key, values in grid.items():
        if key != "scheme" and len(values) > 1:
            raise SystemExit(f"torch_seeds.py: {path}: grid axis '{key}' has several values; "
                             "the PyTorch side trains one grid point (seeds only)")
    model, training, data = spec.get("model", {}), spec.get("training", {}), spec.get("data", {})
    if data.get("dataset") != "spirals":
        raise SystemExit(f"torch_seeds.py: {path}: data.dataset must be spirals, got {data.get('dataset')}")
    if training.get("optimizer", "sgd") != "sgd":
        raise SystemExit(f"torch_seeds.py: {path}: training.optimizer must be sgd")
    seeds = spec.get("seeds", 1)

    def one(section, key, default):
        """A setting of the spec's section, or the single value of its grid axis."""
        return section.get(key, (grid.get(key) or [default])[0])

    return {
        "seeds": len(seeds) if isinstance(seeds, list) else int(seeds),
        "depth": int(one(model, "depth", 2)),
        "width": int(one(model, "width", 64)),
        "activation": one(model, "activation", "relu"),
        "bias": float(one(model, "bias-init", 0.0)),
        "epochs": int(training.get("epochs", 10)),
        "batch": int(training.get("batch-size", 32)),
        "lr": float(training.get("learning-rate", 0.01)),
        "samples": int(data.get("samples", 1000)),
        "arms": int(data.get("arms", 2)),
        "noise": float(data.get("noise", 0.05)),
        "turns": float(data.get("turns", 1.0)),
        "test_fraction": float(data.get("test-fraction", 0.25)),
        "standardize": bool(data.get("standardize", True)),
    }


def spirals(s):
    random = np.random.default_rng(0)
    i = np.arange(s["samples"])
    arm = i % s["arms"]
    t = random.random(s["samples"])
    angle = 2 * math.pi * (s["turns"] * t + arm / s["arms"])
    x = np.stack([t * np.cos(angle), t * np.sin(angle)], 1) + s["noise"] * random.standard_normal((s["samples"], 2))
    order = random.permutation(s["samples"])
    test = int(round(s["samples"] * s["test_fraction"]))
    train_i, test_i = order[test:], order[:test]
    train_x, test_x = x[train_i], x[test_i]
    if s["standardize"]:
        mean, std = train_x.mean(0), train_x.std(0)
        train_x, test_x = (train_x - mean) / std, (test_x - mean) / std
    as_x = lambda a: torch.tensor(a, dtype=torch.float32)
    as_y = lambda a: torch.tensor(a, dtype=torch.long)
    return as_x(train_x), as_y(arm[train_i]), as_x(test_x), as_y(arm[test_i])


def he_normal(generator, fan_in, fan_out):
    return torch.randn(fan_in, fan_out, generator=generator) * math.sqrt(2.0 / fan_in)


def shapes(s, classes):
    return [(2 if l == 0 else s["width"], classes if l == s["depth"] else s["width"]) for l in range(s["depth"] + 1)]


def loop(s, data):
    train_x, train_y, test_x, test_y = data
    classes = s["arms"]
    act = torch.nn.ReLU if s["activation"] == "relu" else torch.nn.Tanh
    loss_fn = torch.nn.CrossEntropyLoss()
    probe_x, probe_y = train_x[:256], train_y[:256]
    rows = train_x.shape[0]
    finals = []
    for seed in range(s["seeds"]):
        generator = torch.Generator().manual_seed(seed)
        layers = []
        for l, (fan_in, fan_out) in enumerate(shapes(s, classes)):
            linear = torch.nn.Linear(fan_in, fan_out)
            with torch.no_grad():
                linear.weight.copy_(he_normal(generator, fan_in, fan_out).t())
                linear.bias.fill_(s["bias"])
            layers.append(linear)
            if l < s["depth"]:
                layers.append(act())
        model = torch.nn.Sequential(*layers)
        optimizer = torch.optim.SGD(model.parameters(), lr=s["lr"])
        history = []

        def evaluate(train_loss):
            with torch.no_grad():
                logits = model(test_x)
                test_loss = loss_fn(logits, test_y).item()
                accuracy = (logits.argmax(1) == test_y).double().mean().item()
            model.zero_grad()
            loss_fn(model(probe_x), probe_y).backward()
            norm = torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters())).item()
            model.zero_grad()
            history.append((train_loss, test_loss, accuracy, norm))

        with torch.no_grad():
            initial = loss_fn(model(train_x), train_y).item()
        evaluate(initial)
        for epoch in range(s["epochs"]):
            order = torch.randperm(rows, generator=generator)
            total = 0.0
            for begin in range(0, rows, s["batch"]):
                index = order[begin:begin + s["batch"]]
                optimizer.zero_grad()
                loss = loss_fn(model(train_x[index]), train_y[index])
                loss.backward()
                optimizer.step()
                total += loss.item() * index.shape[0]
            evaluate(total / rows)
        finals.append(history[-1][1])
    return finals


def ensemble(s, data):
    train_x, train_y, test_x, test_y = data
    classes = s["arms"]
    k = s["seeds"]
    generators = [torch.Generator().manual_seed(seed) for seed in range(k)]
    weights, biases = [], []
    for fan_in, fan_out in shapes(s, classes):
        weights.append(torch.stack([he_normal(g, fan_in, fan_out) for g in generators]).requires_grad_(True))
        biases.append(torch.full((k, 1, fan_out), s["bias"]).requires_grad_(True))
    parameters = weights + biases
    optimizer = torch.optim.SGD(parameters, lr=s["lr"])
    act = torch.relu if s["activation"] == "relu" else torch.tanh
    rows = train_x.shape[0]
    probe_x, probe_y = train_x[:256].expand(k, -1, -1), train_y[:256].expand(k, -1)
    test_xk, test_yk = test_x.expand(k, -1, -1), test_y.expand(k, -1)

    def forward(x):
        h = x
        for l in range(len(weights)):
            h = torch.baddbmm(biases[l], h, weights[l])
            if l < len(weights) - 1:
                h = act(h)
        return h

    def losses(logits, y):
        n = y.shape[1]
        return torch.nn.functional.cross_entropy(logits.reshape(-1, classes), y.reshape(-1),
                                                 reduction="none").reshape(k, n).mean(1)

    history = []

    def evaluate(train_losses):
        with torch.no_grad():
            logits = forward(test_xk)
            test_losses = losses(logits, test_yk)
            accuracy = (logits.argmax(2) == test_yk).double().mean(1)
        optimizer.zero_grad()
        losses(forward(probe_x), probe_y).sum().backward()
        norms = torch.sqrt(sum((p.grad ** 2).reshape(k, -1).sum(1) for p in parameters))
        optimizer.zero_grad()
        history.append((train_losses, test_losses, accuracy, norms))

    with torch.no_grad():
        initial = losses(forward(train_x.expand(k, -1, -1)), train_y.expand(k, -1))
    evaluate(initial)
    for epoch in range(s["epochs"]):
        order = torch.stack([torch.randperm(rows, generator=g) for g in generators])
        total = torch.zeros(k, dtype=torch.float64)
        for begin in range(0, rows, s["batch"]):
            index = order[:, begin:begin + s["batch"]]
            optimizer.zero_grad()
            batch_losses = losses(forward(train_x[index]), train_y[index])
            batch_losses.sum().backward()
            optimizer.step()
            total += batch_losses.detach().double() * index.shape[1]
        evaluate(total / rows)
    return [float(v) for v in history[-1][1]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("spec")
    parser.add_argument("--mode", choices=["loop", "ensemble"], default="loop")
    args = parser.parse_args()
    s = settings(args.spec)
    data = spirals(s)
    start = time.perf_counter()
    finals = loop(s, data) if args.mode == "loop" else ensemble(s, data)
    seconds = time.perf_counter() - start
    print(json.dumps({"mode": args.mode, "seeds": s["seeds"], "train_seconds": seconds,
                      "final_test_loss_median": float(np.median(finals)), "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
