"""Coarse-graining spikes into node activations and synapses into a graph.

A spiking assembly network has one excitatory assembly per graph node. Its
spikes are turned into the node activation M(t) in three steps:

1. binning: the spike count of each assembly in bins of width ``bin_width``,
   divided by the assembly size and the bin width, gives the population rate
   r_i(t) in Hz;
2. smoothing: r_i(t) is convolved along time with a kernel of a stated shape
   and width (``"gaussian"``: the width is the standard deviation;
   ``"box"``: the full width; ``"exponential"``: the causal time constant);
3. baseline subtraction: the mean smoothed rate of each node over a baseline
   window (the unstimulated start of the run) is subtracted,
   M_i(t) = r_i(t) - r_i^baseline.

Binning is one ``np.bincount`` over the flattened (assembly, bin) index of
every spike, so ten million spikes are coarse-grained in a fraction of a
second (``bench/bench_coarse_graining.py``).

The effective graph is read back from the synapses that were created: entry
(i, j) is the summed conductance of all synapses from assembly i onto
assembly j (rows are sources, as in :func:`networkx.to_numpy_array` for a
directed graph).

Times in this module are plain floats in seconds; names that end in ``_``
hold such raw SI values, as in Brian2.
"""

import logging
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, signal

from neurorelax.validation import (
    check_choice,
    check_finite_array,
    check_in_range,
    check_integer,
    check_positive,
    format_value,
)

__all__ = [
    "KERNELS",
    "CoarseGrained",
    "bin_spikes",
    "coarse_grain",
    "effective_graph",
    "smooth_rates",
]

logger = logging.getLogger(__name__)

KERNELS = ("gaussian", "box", "exponential")

#: Largest n_assemblies * n_bins that :func:`coarse_grain` accepts (about
#: 0.8 GB per float64 array of that size).
MAX_CELLS = 100_000_000


@dataclass
class CoarseGrained:
    """Population rates and node activations of an assembly network.

    Attributes
    ----------
    times_ : ndarray of shape (n_bins,)
        Bin centres, in seconds.
    counts : ndarray of shape (n_nodes, n_bins), int64
        Spike count of each assembly in each bin.
    rates : ndarray of shape (n_nodes, n_bins)
        Smoothed population rate per neuron, in Hz.
    baseline : ndarray of shape (n_nodes,)
        Rate subtracted from each node, in Hz.
    activation : ndarray of shape (n_nodes, n_bins)
        ``rates - baseline[:, None]``, the node activation M(t), in Hz.
    bin_width_, smoothing_width_ : float
        Bin width and kernel width, in seconds.
    kernel : str
        Kernel name, one of :data:`KERNELS`.
    """

    times_: np.ndarray
    counts: np.ndarray
    rates: np.ndarray
    baseline: np.ndarray
    activation: np.ndarray
    bin_width_: float
    smoothing_width_: float
    kernel: str


def _integer_array(name, values):
    """Return a 1-D int64 array; refuse floats, bools and other kinds."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D array of integers, got shape {array.shape}"
        )
    if array.size == 0:
        return array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must be an array of integers, got dtype {array.dtype} "
            f"({format_value(values)})"
        )
    if array.dtype.kind == "u" and array.max() > np.iinfo(np.int64).max:
        raise ValueError(
            f"{name} must hold integers below 2**63, got {int(array.max())}"
        )
    return array.astype(np.int64)


def check_smoothing(bin_width_, smoothing_width_, kernel):
    """Refuse a kernel narrower than a bin or an unknown kernel name.

    Parameters
    ----------
    bin_width_, smoothing_width_ : float
        Bin width and kernel width, in seconds.
    kernel : str
        One of :data:`KERNELS`.
    """
    check_positive("bin_width", bin_width_)
    check_positive("smoothing_width", smoothing_width_)
    check_choice("kernel", kernel, KERNELS)
    if smoothing_width_ < bin_width_ * (1 - 1e-9):
        raise ValueError(
            f"smoothing_width must be at least bin_width ({bin_width_ * 1e3:g} ms), "
            f"got {smoothing_width_ * 1e3:g} ms; widen the kernel or use "
            "narrower bins"
        )


def bin_spikes(
    neuron_ids, spike_times_, assembly_of, n_assemblies, t_start_, t_stop_, bin_width_
):
    """Count the spikes of each assembly in each time bin (vectorised).

    Parameters
    ----------
    neuron_ids : ndarray of int, shape (n_spikes,)
        Index of the neuron that fired each spike.
    spike_times_ : ndarray of float, shape (n_spikes,)
        Spike times, in seconds.
    assembly_of : ndarray of int, shape (n_neurons,)
        Assembly of each neuron; a negative value leaves the neuron out
        (for example inhibitory neurons in the same group).
    n_assemblies : int
        Number of assemblies (graph nodes).
    t_start_, t_stop_ : float
        Window to bin, in seconds; spikes outside it are ignored.
    bin_width_ : float
        Bin width, in seconds.

    Returns
    -------
    ndarray of int64, shape (n_assemblies, n_bins)
        ``n_bins = round((t_stop_ - t_start_) / bin_width_)``.

    Notes
    -----
    Cost: O(n_spikes) time and O(n_spikes) temporary memory (one int64 index
    per spike), plus O(n_assemblies * n_bins) for the result.
    """
    n_bins = int(round((t_stop_ - t_start_) / bin_width_))
    bins = np.asarray(spike_times_, dtype=np.float64) - t_start_
    bins *= 1.0 / bin_width_
    bins = np.floor(bins, out=bins).astype(np.int64)
    flat = np.asarray(assembly_of, dtype=np.int64)[np.asarray(neuron_ids)]

    # drop out-of-window spikes and excluded neurons only when there are any
    if len(bins) and (bins.min() < 0 or bins.max() >= n_bins or flat.min() < 0):
        keep = (bins >= 0) & (bins < n_bins) & (flat >= 0)
        bins, flat = bins[keep], flat[keep]

    # one flat (assembly, bin) index per spike, counted in one pass
    flat *= n_bins
    flat += bins
    counts = np.bincount(flat, minlength=n_assemblies * n_bins)
    return counts.reshape(n_assemblies, n_bins)


def smooth_rates(rates, bin_width_, smoothing_width_, kernel="gaussian"):
    """Smooth rates along their last axis with a kernel of unit area.

    Parameters
    ----------
    rates : ndarray of shape (..., n_bins)
        Rates (any unit) sampled every ``bin_width_`` seconds.
    bin_width_, smoothing_width_ : float
        Sampling step and kernel width, in seconds.
    kernel : {"gaussian", "box", "exponential"}
        ``"gaussian"``: standard deviation ``smoothing_width_``, truncated at
        4 standard deviations, edges reflected (scipy.ndimage);
        ``"box"``: centred moving average over ``smoothing_width_``;
        ``"exponential"``: causal filter with time constant
        ``smoothing_width_`` (a first-order low-pass, scipy.signal.lfilter).

    Returns
    -------
    ndarray of float64, same shape as ``rates``
    """
    rates = np.asarray(rates, dtype=np.float64)
    width = smoothing_width_ / bin_width_
    if kernel == "gaussian":
        return ndimage.gaussian_filter1d(rates, width, axis=-1, mode="reflect")
    if kernel == "box":
        size = max(1, int(round(width)))
        return ndimage.uniform_filter1d(rates, size, axis=-1, mode="reflect")

    # exponential: y[n] = a y[n-1] + (1 - a) x[n], started at the first value
    decay = np.exp(-1.0 / width)
    initial = decay * rates[..., :1]
    smoothed, _ = signal.lfilter([1 - decay], [1, -decay], rates, axis=-1, zi=initial)
    return smoothed


def coarse_grain(
    neuron_ids,
    spike_times_,
    assembly_of,
    n_assemblies,
    *,
    t_stop_,
    t_start_=0.0,
    bin_width_=1e-3,
    smoothing_width_=5e-3,
    kernel="gaussian",
    baseline_window_=None,
    baseline=None,
):
    """Turn spikes into the activation M(t) of each node.

    Parameters
    ----------
    neuron_ids : ndarray of int, shape (n_spikes,)
        Index of the neuron of each spike.
    spike_times_ : ndarray of float, shape (n_spikes,)
        Spike times, in seconds.
    assembly_of : ndarray of int, shape (n_neurons,)
        Assembly of each neuron (negative: not counted).
    n_assemblies : int
        Number of nodes.
    t_stop_, t_start_ : float
        Window to coarse-grain, in seconds.
    bin_width_ : float
        Bin width, in seconds (default 1 ms).
    smoothing_width_ : float
        Kernel width, in seconds (default 5 ms); must be >= ``bin_width_``.
    kernel : {"gaussian", "box", "exponential"}
        Smoothing kernel, see :func:`smooth_rates`.
    baseline_window_ : tuple of float, optional
        (start, stop) in seconds whose mean smoothed rate is the baseline;
        default: no window, use ``baseline`` or zero.
    baseline : ndarray of shape (n_nodes,), optional
        Baseline rate per node in Hz, used when no window is given.

    Returns
    -------
    CoarseGrained

    Raises
    ------
    ValueError
        Before any work, if ``neuron_ids`` or ``assembly_of`` are not 1-D
        integer arrays, a neuron id is outside [0, len(assembly_of)), a spike
        time is not finite, ``neuron_ids`` and ``spike_times_`` differ in
        length, the times are not finite numbers, the window holds more than
        :data:`MAX_CELLS` assembly-bins, the smoothing kernel is wider than
        the window, or ``baseline`` does not have shape (n_assemblies,).
    """
    n_assemblies = check_integer("n_assemblies", n_assemblies, minimum=1)
    check_smoothing(bin_width_, smoothing_width_, kernel)
    t_start_ = check_in_range("t_start", t_start_, -np.inf, np.inf)
    t_stop_ = check_in_range("t_stop", t_stop_, -np.inf, np.inf)
    if not t_stop_ - t_start_ >= bin_width_:
        raise ValueError(
            f"t_stop - t_start must be at least one bin ({bin_width_:g} s), got "
            f"{t_stop_ - t_start_:g} s"
        )
    if smoothing_width_ > t_stop_ - t_start_:
        raise ValueError(
            f"smoothing_width must be at most the window t_stop - t_start "
            f"({t_stop_ - t_start_:g} s), got {smoothing_width_:g} s"
        )
    n_bins = int(round((t_stop_ - t_start_) / bin_width_))
    if n_bins * n_assemblies > MAX_CELLS:
        raise ValueError(
            f"t_stop - t_start = {t_stop_ - t_start_:g} s in bins of "
            f"{bin_width_:g} s gives {n_bins} bins x {n_assemblies} assemblies, "
            f"more than the limit of {MAX_CELLS} values; shorten the window "
            "or widen the bins"
        )
    assembly_of = _integer_array("assembly_of", assembly_of)
    if assembly_of.max(initial=-1) >= n_assemblies:
        raise ValueError(
            f"assembly_of must hold indices < n_assemblies ({n_assemblies}), got "
            f"a maximum of {assembly_of.max()}"
        )
    neuron_ids = _integer_array("neuron_ids", neuron_ids)
    n_neurons = len(assembly_of)
    if len(neuron_ids) and (neuron_ids.min() < 0 or neuron_ids.max() >= n_neurons):
        bad = neuron_ids[(neuron_ids < 0) | (neuron_ids >= n_neurons)][0]
        raise ValueError(
            f"neuron_ids must be integers in [0, {n_neurons}) (the length of "
            f"assembly_of), got {int(bad)}"
        )
    spike_times_ = check_finite_array("spike_times", spike_times_, ndim=1)
    if len(spike_times_) != len(neuron_ids):
        raise ValueError(
            f"spike_times and neuron_ids must have the same length, got "
            f"{len(spike_times_)} and {len(neuron_ids)}"
        )
    if baseline_window_ is not None:
        window = check_finite_array("baseline_window", baseline_window_, shape=(2,))
        if not window[1] > window[0]:
            raise ValueError(
                f"baseline_window must be (start, stop) with start < stop, got "
                f"{format_value(baseline_window_)}"
            )
    elif baseline is not None:
        baseline = check_finite_array("baseline", baseline, shape=(n_assemblies,))

    counts = bin_spikes(
        neuron_ids,
        spike_times_,
        assembly_of,
        n_assemblies,
        t_start_,
        t_stop_,
        bin_width_,
    )
    sizes = np.bincount(assembly_of[assembly_of >= 0], minlength=n_assemblies)
    raw = counts / (np.maximum(sizes, 1)[:, None] * bin_width_)
    rates = smooth_rates(raw, bin_width_, smoothing_width_, kernel)

    n_bins = counts.shape[1]
    times_ = t_start_ + (np.arange(n_bins) + 0.5) * bin_width_
    if baseline_window_ is not None:
        inside = (times_ >= baseline_window_[0]) & (times_ < baseline_window_[1])
        if not inside.any():
            raise ValueError(
                f"baseline_window must overlap [t_start, t_stop) = "
                f"[{t_start_:g}, {t_stop_:g}) s, got {baseline_window_!r}"
            )
        baseline = rates[:, inside].mean(axis=1)
    elif baseline is None:
        baseline = np.zeros(n_assemblies)
    baseline = np.asarray(baseline, dtype=np.float64)
    logger.debug(
        "coarse-grained %d spikes into %d nodes x %d bins",
        len(neuron_ids),
        n_assemblies,
        n_bins,
    )
    return CoarseGrained(
        times_,
        counts,
        rates,
        baseline,
        rates - baseline[:, None],
        bin_width_,
        smoothing_width_,
        kernel,
    )


def effective_graph(
    pre_ids, post_ids, conductances_, pre_assembly, post_assembly, n_assemblies
):
    """Sum synaptic conductances between assemblies into a weight matrix.

    Parameters
    ----------
    pre_ids, post_ids : ndarray of int, shape (n_synapses,)
        Presynaptic and postsynaptic neuron of each synapse (indices into the
        groups whose assemblies ``pre_assembly`` and ``post_assembly`` give).
    conductances_ : ndarray of float, shape (n_synapses,) or scalar
        Peak conductance of each synapse, in siemens.
    pre_assembly, post_assembly : ndarray of int
        Assembly of each presynaptic / postsynaptic neuron (negative: left
        out).
    n_assemblies : int
        Number of nodes.

    Returns
    -------
    ndarray of float64, shape (n_assemblies, n_assemblies)
        Entry (i, j): summed conductance from assembly i onto assembly j, in
        siemens. The diagonal holds the recurrent conductance within each
        assembly.

    Raises
    ------
    ValueError
        Before any work, for ids that are not integers or fall outside their
        group (the length of ``pre_assembly`` / ``post_assembly``), assemblies
        at or beyond ``n_assemblies``, id arrays of different lengths, or
        conductances that are not finite or do not match the synapses.
    """
    n_assemblies = check_integer("n_assemblies", n_assemblies, minimum=1)
    pre_ids = _integer_array("pre_ids", pre_ids)
    post_ids = _integer_array("post_ids", post_ids)
    if len(pre_ids) != len(post_ids):
        raise ValueError(
            f"pre_ids and post_ids must have the same length (one entry per "
            f"synapse), got {len(pre_ids)} and {len(post_ids)}"
        )
    for label, ids, groups in (
        ("pre", pre_ids, pre_assembly),
        ("post", post_ids, post_assembly),
    ):
        groups = _integer_array(f"{label}_assembly", groups)
        if groups.max(initial=-1) >= n_assemblies:
            raise ValueError(
                f"{label}_assembly must hold indices < n_assemblies "
                f"({n_assemblies}) or negative ones (left out), got "
                f"{int(groups.max())}"
            )
        bad = ids[(ids < 0) | (ids >= len(groups))]
        if bad.size:
            raise ValueError(
                f"{label}_ids must be integers in [0, {len(groups)}) (the length "
                f"of {label}_assembly), got {int(bad[0])}"
            )
    conductances_ = check_finite_array("conductances", conductances_)
    if conductances_.ndim > 1 or conductances_.size not in (1, len(pre_ids)):
        raise ValueError(
            f"conductances must be one value or one per synapse ({len(pre_ids)}), "
            f"got shape {conductances_.shape}"
        )

    source = np.asarray(pre_assembly)[pre_ids]
    target = np.asarray(post_assembly)[post_ids]
    weights = np.broadcast_to(np.asarray(conductances_, dtype=np.float64), source.shape)
    keep = (source >= 0) & (target >= 0)
    flat = source[keep].astype(np.int64) * n_assemblies + target[keep]
    summed = np.bincount(
        flat, weights=weights[keep], minlength=n_assemblies * n_assemblies
    )
    return summed.reshape(n_assemblies, n_assemblies)
