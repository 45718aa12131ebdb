"""Time the coarse-graining of 10 million spikes into node activations.

Target (issue 5): 10 million spikes coarse-grained in well under a second.
The script also times a plain per-assembly ``np.histogram`` loop on the same
spikes, side by side in one run, and prints the ratio.

Run: ``python bench/bench_coarse_graining.py [--spikes 10000000]``.
"""

import argparse
import time

import numpy as np

from neurorelax.bridge.coarse import coarse_grain


def make_spikes(n_spikes, n_nodes, neurons_per_node, duration_, seed):
    """Return random neuron ids, spike times and the assembly of each neuron."""
    rng = np.random.default_rng(seed)
    n_neurons = n_nodes * neurons_per_node
    neuron_ids = rng.integers(0, n_neurons, n_spikes)
    spike_times_ = np.sort(rng.uniform(0.0, duration_, n_spikes))
    assembly_of = np.repeat(np.arange(n_nodes), neurons_per_node)
    return neuron_ids, spike_times_, assembly_of


def histogram_loop(
    neuron_ids, spike_times_, assembly_of, n_nodes, duration_, bin_width_
):
    """Reference: one np.histogram per assembly (a Python loop over nodes)."""
    edges = np.arange(0.0, duration_ + bin_width_ / 2, bin_width_)
    nodes = assembly_of[neuron_ids]
    return np.stack(
        [np.histogram(spike_times_[nodes == node], edges)[0] for node in range(n_nodes)]
    )


def best_of(function, repeats):
    """Return the best wall time of ``repeats`` calls and the last result."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv=None):
    """Run the benchmark and print times, spikes per second and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spikes", type=int, default=10_000_000)
    parser.add_argument("--nodes", type=int, default=76)
    parser.add_argument("--neurons-per-node", type=int, default=100)
    parser.add_argument("--duration", type=float, default=100.0, help="seconds")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    neuron_ids, spike_times_, assembly_of = make_spikes(
        args.spikes, args.nodes, args.neurons_per_node, args.duration, seed=0
    )
    bin_width_ = 1e-3

    def ours():
        return coarse_grain(
            neuron_ids,
            spike_times_,
            assembly_of,
            args.nodes,
            t_stop_=args.duration,
            bin_width_=bin_width_,
            smoothing_width_=5e-3,
            kernel="gaussian",
        )

    def binning_only():
        return histogram_loop(
            neuron_ids, spike_times_, assembly_of, args.nodes, args.duration, bin_width_
        )

    ours_time, result = best_of(ours, args.repeats)
    loop_time, reference = best_of(binning_only, 1)
    assert np.array_equal(result.counts, reference), "binning differs"

    print(
        f"spikes: {args.spikes:,}  nodes: {args.nodes}  bins: "
        f"{result.counts.shape[1]:,} (1 ms, Gaussian 5 ms smoothing)"
    )
    print(
        f"coarse_grain (bincount + smoothing + baseline): {ours_time:8.3f} s  "
        f"{args.spikes / ours_time / 1e6:8.1f} M spikes/s"
    )
    print(
        f"per-node np.histogram loop (binning only):      {loop_time:8.3f} s  "
        f"{args.spikes / loop_time / 1e6:8.1f} M spikes/s"
    )
    print(
        f"ratio (loop / ours): {loop_time / ours_time:.1f}x; target: "
        f"10 M spikes well under 1 s -> {'met' if ours_time < 1 else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
