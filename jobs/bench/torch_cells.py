#!/usr/bin/env python3
"""PyTorch counterpart of initsweep's cell trainer, for `jobs/initsweep bench`.

A worker: it reads one JSON request per line on stdin and answers one JSON line on stdout. Each request names a
cell exported by the benchmark (the same network — an MLP, a residual network or a cnn with initsweep's structure —
data, initial weights and minibatch order as initsweep's run) and the worker trains it exactly as Dl4jCellTrainer
does, with one thread:

  epoch 0: loss on the whole training split, test loss and accuracy, gradient norm on the probe batch;
  epochs 1..E: SGD over the given minibatch order (mean cross-entropy per batch), then test loss and accuracy
  and the probe gradient norm.

It reports the training time (data already in memory, as for initsweep) and the per-epoch numbers.

A request {"cells": [paths...], "mode": "loop" | "ensemble"} trains K cells of one shape (K seeds: their own
initial weights and minibatch orders, the same data): "loop" one after another as above, "ensemble" as one
batched computation, the way a PyTorch user trains seeds together: the K networks' weights stacked into
[K, in, out] tensors, every layer one torch.baddbmm over the K minibatches, the K mean losses summed so one
backward pass gives each seed its own gradient, one SGD step for all. The answer holds the total seconds and
each seed's epochs.
"""
import json
import struct
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def read_cell(path):
    with open(path, "rb") as f:
        header_length = struct.unpack("<i", f.read(4))[0]
        header = json.loads(f.read(header_length).decode("utf-8"))
        def floats(n):
            return torch.frombuffer(bytearray(f.read(4 * n)), dtype=torch.float32)
        def ints(n):
            return torch.frombuffer(bytearray(f.read(4 * n)), dtype=torch.int32)
        features, classes = header["features"], header["classes"]
        train_rows, test_rows = header["train_rows"], header["test_rows"]
        data = {
            "train_x": floats(train_rows * features).reshape(train_rows, features),
            "train_y": ints(train_rows).long(),
            "test_x": floats(test_rows * features).reshape(test_rows, features),
            "test_y": ints(test_rows).long(),
            "orders": [ints(train_rows).long() for _ in range(header["epochs"])],
            "weights": [],
        }
        convolutions = header.get("convolutions") or [None] * len(header["layers"])
        for (fan_in, fan_out), conv in zip(header["layers"], convolutions):
            if conv is None:   # dense: fan_in x fan_out, MLP or residual alike
                data["weights"].append(floats(fan_in * fan_out).reshape(fan_in, fan_out))
            else:              # a kernel [C_out, C_in, k, k], PyTorch's Conv2d layout
                out, inp, k = conv[0], conv[1], conv[2]
                data["weights"].append(floats(out * inp * k * k).reshape(out, inp, k, k))
    return header, data


def build(header, data):
    if header.get("architecture", "mlp") == "residual":
        return Residual(header, data["weights"])
    if header.get("architecture") == "cnn":
        return Cnn(header, data["weights"])
    layers = []
    for i, w in enumerate(data["weights"]):
        linear = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            linear.weight.copy_(w.t())   # initsweep stores W as fan_in x fan_out
            linear.bias.zero_()
        layers.append(linear)
        if i < len(data["weights"]) - 1:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


class Cnn(torch.nn.Module):
    """initsweep's cnn (grid/NetworkLayout, dl4j/Networks.cnn): flat rows reshaped row-major to [C, H, W], then per
    convolution: zero padding as DL4J's same mode puts it (the odd one of an uneven total after the last row and
    column), a k x k convolution with the layer's stride, relu; then global average pooling and the dense output."""

    def __init__(self, header, weights):
        super().__init__()
        self.shape = header["input_shape"]
        layers = []
        for w, conv in zip(weights[:-1], header["convolutions"][:-1]):
            out, inp, k, stride, top, bottom, left, right = conv
            layers.append(torch.nn.ZeroPad2d((left, right, top, bottom)))
            convolution = torch.nn.Conv2d(inp, out, k, stride=stride, padding=0)
            with torch.no_grad():
                convolution.weight.copy_(w)
                convolution.bias.zero_()
            layers += [convolution, torch.nn.ReLU()]
        self.features = torch.nn.Sequential(*layers)
        w = weights[-1]
        self.output = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            self.output.weight.copy_(w.t())
            self.output.bias.zero_()

    def forward(self, x):
        x = self.features(x.reshape(x.shape[0], *self.shape))
        return self.output(x.mean(dim=(2, 3)))


class Residual(torch.nn.Module):
    """initsweep's residual network (dl4j/GraphPlan), pre-activation order, relu, no normalization:

    stem:    x = dense_0(input)
    block b: h = x; per branch layer j: h = dense(relu(h [+ a]) [+ a'])        (a, a': Fixup's scalar biases)
             x = x + m_b * (s * h) [+ c_b]                                     (s fixed, m_b learnable, if any)
    head:    output = dense_out(relu(x [+ a]) [+ a'])
    """

    def __init__(self, header, weights):
        super().__init__()
        self.blocks, self.depth = header["blocks"], header["block_depth"]
        self.scale = header["branch_scale"]
        self.scalar_biases = header["scalar_biases"]
        self.dense = torch.nn.ModuleList()
        for w, bias in zip(weights, header["has_bias"]):
            linear = torch.nn.Linear(w.shape[0], w.shape[1], bias=bias)
            with torch.no_grad():
                linear.weight.copy_(w.t())
                if bias:
                    linear.bias.zero_()
            self.dense.append(linear)
        zeros = lambda n: torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(1)) for _ in range(n)])
        if self.scalar_biases:
            units = self.blocks * self.depth + 1       # every branch unit and the head
            self.act_bias, self.in_bias = zeros(units), zeros(units)
            self.out_bias = zeros(self.blocks)
        start = header["multiplier"]
        self.multiplier = None if start is None else torch.nn.ParameterList(
            [torch.nn.Parameter(torch.full((1,), float(start))) for _ in range(self.blocks)])

    def unit(self, h, k):
        if self.scalar_biases:
            return torch.relu(h + self.act_bias[k]) + self.in_bias[k]
        return torch.relu(h)

    def forward(self, x):
        stream = self.dense[0](x)
        layer, unit = 1, 0
        for b in range(self.blocks):
            h = stream
            for _ in range(self.depth):
                h = self.dense[layer](self.unit(h, unit))
                layer, unit = layer + 1, unit + 1
            if self.scale != 1.0:
                h = h * self.scale
            if self.multiplier is not None:
                h = h * self.multiplier[b]
                if self.scalar_biases:
                    h = h + self.out_bias[b]
            stream = stream + h
        return self.dense[layer](self.unit(stream, unit))


def train(header, data):
    start = time.perf_counter()
    model = build(header, data)
    loss_fn = torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=header["learning_rate"])
    train_x, train_y, test_x, test_y = data["train_x"], data["train_y"], data["test_x"], data["test_y"]
    probe = min(256, train_x.shape[0])
    probe_x, probe_y = train_x[:probe], train_y[:probe]
    batch = header["batch_size"]
    epochs = []

    def evaluate(epoch, train_loss):
        with torch.no_grad():
            logits = model(test_x)
            test_loss = loss_fn(logits, test_y).item()
            accuracy = (logits.argmax(1) == test_y).double().mean().item()
        model.zero_grad()
        loss_fn(model(probe_x), probe_y).backward()
        grad_norm = torch.sqrt(sum((p.grad ** 2).sum() for p in model.parameters())).item()
        model.zero_grad()
        epochs.append([epoch, train_loss, test_loss, accuracy, grad_norm])

    with torch.no_grad():
        initial = loss_fn(model(train_x), train_y).item()
    evaluate(0, initial)
    rows = train_x.shape[0]
    for epoch in range(1, header["epochs"] + 1):
        order = data["orders"][epoch - 1]
        total = 0.0
        for begin in range(0, rows, batch):
            index = order[begin:begin + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(train_x[index]), train_y[index])
            loss.backward()
            optimizer.step()
            total += loss.item() * index.shape[0]
        evaluate(epoch, total / rows)
    return time.perf_counter() - start, epochs


def train_ensemble(cells):
    """K cells of one shape as one computation over stacked weights (see the module comment)."""
    start = time.perf_counter()
    header, first = cells[0]
    k = len(cells)
    layers = len(first["weights"])
    weights = [torch.stack([data["weights"][l] for _, data in cells]).clone().requires_grad_(True)
               for l in range(layers)]                                      # [K, in, out]
    biases = [torch.zeros(k, 1, w.shape[2], requires_grad=True) for w in weights]  # [K, 1, out]
    parameters = weights + biases
    optimizer = torch.optim.SGD(parameters, lr=header["learning_rate"])
    train_x, train_y, test_x, test_y = first["train_x"], first["train_y"], first["test_x"], first["test_y"]
    classes = header["classes"]
    probe = min(256, train_x.shape[0])
    probe_x, probe_y = train_x[:probe].expand(k, -1, -1), train_y[:probe].expand(k, -1)
    test_xk, test_yk = test_x.expand(k, -1, -1), test_y.expand(k, -1)
    batch = header["batch_size"]
    epochs = [[] for _ in range(k)]

    def forward(x):                                   # x: [K, n, features] -> logits [K, n, classes]
        h = x
        for l in range(layers):
            h = torch.baddbmm(biases[l], h, weights[l])
            if l < layers - 1:
                h = torch.relu(h)
        return h

    def losses(logits, y):                            # each seed's mean cross-entropy: [K]
        n = y.shape[1]
        return torch.nn.functional.cross_entropy(logits.reshape(-1, classes), y.reshape(-1),
                                                 reduction="none").reshape(k, n).mean(1)

    def evaluate(epoch, train_losses):
        with torch.no_grad():
            logits = forward(test_xk)
            test_losses = losses(logits, test_yk)
            accuracy = (logits.argmax(2) == test_yk).double().mean(1)
        optimizer.zero_grad()
        losses(forward(probe_x), probe_y).sum().backward()
        norms = torch.sqrt(sum((p.grad ** 2).reshape(k, -1).sum(1) for p in parameters))
        optimizer.zero_grad()
        for s in range(k):
            epochs[s].append([epoch, float(train_losses[s]), float(test_losses[s]), float(accuracy[s]),
                              float(norms[s])])

    with torch.no_grad():
        initial = losses(forward(train_x.expand(k, -1, -1)), train_y.expand(k, -1))
    evaluate(0, initial)
    rows = train_x.shape[0]
    for epoch in range(1, header["epochs"] + 1):
        order = torch.stack([data["orders"][epoch - 1] for _, data in cells])  # [K, rows]
        total = torch.zeros(k, dtype=torch.float64)
        for begin in range(0, rows, batch):
            index = order[:, begin:begin + batch]                              # [K, B]
            optimizer.zero_grad()
            batch_losses = losses(forward(train_x[index]), train_y[index])
            batch_losses.sum().backward()
            optimizer.step()
            total += batch_losses.detach().double() * index.shape[1]
        evaluate(epoch, total / rows)
    return time.perf_counter() - start, epochs


def main():
    cells = {}

    def cell(path):
        if path not in cells:
            cells[path] = read_cell(path)
        return cells[path]

    for line in sys.stdin:
        request = json.loads(line)
        if "cells" in request:
            group = [cell(path) for path in request["cells"]]
            if request.get("mode", "loop") == "ensemble":
                seconds, epochs = train_ensemble(group)
            else:
                seconds, epochs = 0.0, []
                for header, data in group:
                    s, e = train(header, data)
                    seconds += s
                    epochs.append(e)
            print(json.dumps({"seconds": seconds, "epochs": epochs, "torch": torch.__version__,
                              "threads": torch.get_num_threads()}), flush=True)
            continue
        seconds, epochs = train(*cell(request["cell"]))
        print(json.dumps({"seconds": seconds, "epochs": epochs, "torch": torch.__version__,
                          "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
