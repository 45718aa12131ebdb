"""Graph-Laplacian diffusion dM/dt = -gamma L M, three ways.

M has shape (n_nodes, n_patterns): every column is an independent activation
pattern diffusing on the same graph. gamma is a rate (1/time); with the time
step dt the product gamma dt is dimensionless.

- :func:`diffuse_exact`: M(t) = exp(-gamma t L) M(0), through the
  eigendecomposition (small undirected graphs) or
  ``scipy.sparse.linalg.expm_multiply``.
- :func:`diffuse_implicit`: implicit (backward) Euler,
  (I + gamma dt L) M_{n+1} = M_n, each step solved by Jacobi iteration in
  the Cython kernel: every node updates from its neighbours only.
  Unconditionally stable.
- :func:`diffuse_explicit`: explicit (forward) Euler,
  M_{n+1} = (I - gamma dt L) M_n, stable only when gamma dt lambda_max < 2;
  refused beyond that unless the caller insists.
"""

import logging
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from neurorelax.graph._blas import serial_blas
from neurorelax.graph._checks import (
    as_csr,
    as_graph,
    as_state,
    check_n_threads,
    check_rate,
    check_real,
    check_times,
)
from neurorelax.graph.graph import compact_indices
from neurorelax.graph.laplacian import LAPLACIAN_KINDS, laplacian
from neurorelax.graph.spectral import DENSE_LIMIT, eigenmodes
from neurorelax.kernels import sparse_relax
from neurorelax.validation import (
    check_choice,
    check_finite_array,
    check_in_range,
    check_integer,
    check_positive,
)

__all__ = [
    "MAX_RECORDED_VALUES",
    "MAX_STEPS",
    "JacobiConvergenceWarning",
    "JacobiResult",
    "LinearSystem",
    "Trajectory",
    "diffuse_exact",
    "diffuse_explicit",
    "diffuse_implicit",
    "distance_from_uniform",
    "implicit_system",
    "jacobi_iteration_radius",
    "jacobi_solve",
    "largest_eigenvalue",
    "neighbour_mean",
    "propagate",
]

logger = logging.getLogger(__name__)

# Default relative residual tolerance of Jacobi, by the dtype of the iteration.
DEFAULT_TOL = {np.float64: 1e-10, np.float32: 1e-5}
# More time steps than this would run for days in a Python step loop.
MAX_STEPS = 1e8
# A trajectory holding more values than this (8 GB in float64) is refused
# before it is allocated.
MAX_RECORDED_VALUES = 1e9


def check_record_size(name, shown, n_states, state_shape):
    """Refuse a trajectory too large to hold, before allocating it.

    Parameters
    ----------
    name : str
        The argument that sets the number of states, e.g. ``"n_steps"``.
    shown : str
        Its value as shown after the name, e.g. ``"= 1000"`` or
        ``"with 10 entries"``.
    n_states : int
        States to record.
    state_shape : tuple of int
        Shape of one state, (n_nodes, n_patterns).
    """
    n_values = int(n_states) * math.prod(state_shape)
    if n_values > MAX_RECORDED_VALUES:
        shape = " x ".join(map(str, state_shape))
        raise ValueError(
            f"{name} {shown} would record {n_states} states of "
            f"{shape} values ({n_values:.3g} values, {8 * n_values / 1e9:.3g} GB "
            f"in float64); expected at most {MAX_RECORDED_VALUES:.0e} values in "
            "all: fewer steps or times, or fewer patterns"
        )


class JacobiConvergenceWarning(RuntimeWarning):
    """Jacobi iteration stopped at its cap before reaching the tolerance."""


@dataclass(frozen=True)
class LinearSystem:
    """A sparse operator A = diag(a) + N split for Jacobi iteration.

    Attributes
    ----------
    diagonal : ndarray of float64, shape (n_nodes,)
        a, the diagonal of A (non-zero).
    offdiag : scipy.sparse.csr_array of float64, shape (n_nodes, n_nodes)
        N, the off-diagonal part of A (no stored diagonal entries).

    Both are checked when the system is built (any sparse format or a dense
    array is accepted for ``offdiag`` and stored as canonical CSR), so the
    Jacobi kernel never sees a malformed matrix.
    """

    diagonal: np.ndarray
    offdiag: sp.csr_array

    def __post_init__(self):
        """Check and canonicalise both parts before any kernel sees them.

        Raises
        ------
        ValueError
            For a diagonal that is not 1-D, finite and non-zero, and an
            ``offdiag`` that is not a well-formed, finite, real (sparse or
            dense) matrix of shape (n_nodes, n_nodes) without diagonal entries.
        """
        diagonal = check_finite_array("diagonal", self.diagonal, ndim=1)
        if diagonal.size == 0:
            raise ValueError("diagonal must hold at least one entry, got shape (0,)")
        zeros = np.flatnonzero(diagonal == 0)
        if zeros.size:
            raise ValueError(
                "diagonal must be non-zero everywhere (Jacobi divides by it); "
                f"entry {int(zeros[0])} is 0"
            )
        if sp.issparse(self.offdiag):
            offdiag = as_csr("offdiag", self.offdiag)
        else:
            offdiag = sp.csr_array(check_finite_array("offdiag", self.offdiag, ndim=2))
        n_nodes = diagonal.size
        if offdiag.shape != (n_nodes, n_nodes):
            raise ValueError(
                f"offdiag must have shape ({n_nodes}, {n_nodes}) to match the "
                f"diagonal, got shape {offdiag.shape}"
            )
        offdiag.eliminate_zeros()
        if offdiag.diagonal().any():
            raise ValueError(
                "offdiag must have no diagonal entries (they belong in diagonal)"
            )
        object.__setattr__(self, "diagonal", diagonal)
        object.__setattr__(self, "offdiag", compact_indices(offdiag))

    @classmethod
    def from_matrix(cls, matrix):
        """Split a square sparse or dense matrix into diagonal and rest."""
        matrix = sp.csr_array(matrix, dtype=np.float64)
        diagonal = matrix.diagonal().copy()
        offdiag = sp.csr_array(matrix - sp.diags_array(diagonal))
        offdiag.eliminate_zeros()
        offdiag.sort_indices()
        return cls(diagonal=diagonal, offdiag=compact_indices(offdiag))

    @property
    def n_nodes(self):
        """int: Size of the system."""
        return self.diagonal.size

    @property
    def matrix(self):
        """scipy.sparse.csr_array: A itself."""
        return sp.csr_array(self.offdiag + sp.diags_array(self.diagonal))


@dataclass
class JacobiResult:
    """Outcome of :func:`jacobi_solve`.

    Attributes
    ----------
    solution : ndarray, shape of the right-hand side
        The last iterate X_k.
    residuals : ndarray of float64, shape (n_iterations + 1,)
        Relative residual ||B - A X_k||_F / ||B||_F of every iterate, starting
        with the initial guess (absolute when B = 0).
    n_iterations : int
        Sweeps whose result was kept.
    converged : bool
        Whether the last residual is at most the tolerance.
    """

    solution: np.ndarray
    residuals: np.ndarray
    n_iterations: int
    converged: bool


@dataclass
class Trajectory:
    """Activation over time.

    Attributes
    ----------
    times : ndarray of float64, shape (n_times,)
        Sample times (units of 1/gamma's time unit).
    states : ndarray, shape (n_times, n_nodes, n_patterns) or (n_times, n_nodes)
        M at each time (2-D per time when the initial state was 1-D).
    info : dict
        Method details: for implicit Euler ``iterations`` (sweeps per step)
        and ``residual_histories`` (one array per step).
    """

    times: np.ndarray
    states: np.ndarray
    info: dict = field(default_factory=dict)

    @property
    def final(self):
        """ndarray: The state at the last time."""
        return self.states[-1]


def check_n_steps(n_steps, state_shape):
    """Check a step count: 1 to ``MAX_STEPS``, its states fitting the record cap.

    Parameters
    ----------
    n_steps : int
    state_shape : tuple of int
        Shape of one recorded state, (n_nodes, n_patterns).

    Returns
    -------
    int
    """
    n_steps = check_integer("n_steps", n_steps, minimum=1)
    if n_steps > MAX_STEPS:
        raise ValueError(
            f"n_steps must be at most {MAX_STEPS:.0e} (each step runs in a Python "
            f"loop; more would take days), got {n_steps}"
        )
    check_record_size("n_steps", f"= {n_steps}", n_steps + 1, state_shape)
    return n_steps


# Linear systems and the Jacobi solver ---------------------------------------------


def implicit_system(graph, gamma, dt, *, kind="combinatorial"):
    """Return the implicit Euler operator A = I + gamma dt L, split for Jacobi.

    Parameters
    ----------
    graph : Graph or array_like or networkx graph
    gamma : float
        Diffusion rate (1/time), > 0.
    dt : float
        Time step (time), > 0; gamma dt is dimensionless.
    kind : {"combinatorial", "symmetric", "random_walk"}, optional

    Returns
    -------
    LinearSystem
        For the combinatorial Laplacian a = 1 + gamma dt d and
        N = -gamma dt W: A is strictly diagonally dominant, so Jacobi
        converges for every gamma dt.

    Raises
    ------
    ValueError
        When gamma * dt, or gamma * dt times an entry of L, overflows float64.
    """
    graph = as_graph("graph", graph)
    gamma = check_rate("gamma", gamma)
    dt = check_rate("dt", dt)
    check_choice("kind", kind, LAPLACIAN_KINDS)
    step = gamma * dt
    if not np.isfinite(step):
        raise ValueError(
            f"gamma * dt must be finite, got gamma = {gamma!r} and dt = {dt!r}"
        )
    operator = laplacian(graph, kind)
    check_implicit_step(gamma, dt, operator)
    return LinearSystem.from_matrix(sp.eye_array(graph.n_nodes) + step * operator)


def check_implicit_step(gamma, dt, operator):
    """Refuse gamma and dt whose product with the Laplacian overflows float64.

    Parameters
    ----------
    gamma, dt : float
        Checked rate and time step; gamma * dt is finite.
    operator : scipy.sparse matrix
        The Laplacian L.
    """
    largest = float(np.abs(operator.data).max()) if operator.nnz else 0.0
    with np.errstate(over="ignore"):
        overflows = not np.isfinite(gamma * dt * largest)
    if overflows:
        raise ValueError(
            f"gamma * dt * L overflows float64: gamma = {gamma!r}, dt = {dt!r} and "
            f"the largest |L| entry is {largest:.6g}; expected gamma * dt below "
            f"{np.finfo(np.float64).max / largest:.3g}"
        )


@serial_blas
def jacobi_solve(
    system,
    rhs,
    *,
    x0=None,
    tol=None,
    max_iter=10_000,
    omega=1.0,
    n_threads=0,
):
    """Solve A X = B by (damped) Jacobi iteration in the Cython kernel.

    One sweep: X_{k+1} = X_k + omega diag(a)^-1 (B - A X_k), i.e. each node
    i moves towards (B_i - sum_{j != i} A_ij X_j) / A_ii, using only its
    neighbours' previous values.

    Parameters
    ----------
    system : LinearSystem or scipy.sparse matrix or ndarray
        A, with a non-zero diagonal.
    rhs : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        B. float32 input is iterated in float32, anything else in float64.
    x0 : array_like, shape of ``rhs``, optional
        Initial guess; ``rhs`` by default (a good guess for I + gamma dt L).
    tol : float, optional
        Stop when ||B - A X_k||_F <= tol ||B||_F. Default 1e-10 in float64
        and 1e-5 in float32 (single precision cannot get much lower).
    max_iter : int, optional
        At most this many sweeps; stopping there warns.
    omega : float, optional
        Relaxation weight in (0, 2): 1 is plain Jacobi, below 1 damped.
    n_threads : int, optional
        OpenMP threads for the kernel; 0 uses the OpenMP default.

    Returns
    -------
    JacobiResult

    Raises
    ------
    ValueError
        When the residual stops being finite: "diverged" when the iteration
        matrix has spectral radius >= 1 (computed up to ``DENSE_LIMIT``
        nodes, judged from the residual's growth above), "overflowed" when
        the iteration converges but its values leave the float range; and
        when the solution itself overflows.

    Warns
    -----
    JacobiConvergenceWarning
        When ``max_iter`` sweeps do not reach ``tol``.

    Notes
    -----
    A, B and X0 are rescaled by powers of two before iterating (exact, and
    without effect on the iterates or relative residuals), so entries up to
    the float64 limit, such as a right-hand side of 1e308, are solved
    without overflow.

    The error shrinks asymptotically by the spectral radius of the iteration
    matrix G = I - omega diag(a)^-1 A per sweep (see
    :func:`jacobi_iteration_radius`); Jacobi converges from any start iff that
    radius is below 1. For A = I + gamma dt L with the combinatorial Laplacian
    of an undirected graph and 0 < omega <= 1 it is always below 1, and close
    to 1 when gamma dt times the degrees is large.
    """
    system = _as_system(system)
    b, was_1d = as_state("rhs", rhs, system.n_nodes)
    x = b.copy() if x0 is None else as_state("x0", x0, system.n_nodes)[0]
    if x.shape != b.shape:
        raise ValueError(f"x0 must have the shape of rhs {b.shape}, got {x.shape}")
    x = x.astype(b.dtype, copy=False)
    tol = DEFAULT_TOL[b.dtype.type] if tol is None else check_positive("tol", tol)
    max_iter = check_integer("max_iter", max_iter, minimum=1)
    omega = check_in_range("omega", omega, 0.0, 2.0, low_open=True, high_open=True)
    n_threads = check_n_threads(n_threads)

    # A, B and X0 are scaled by powers of two, A X = B becoming
    # (2^-ea A)(2^-ex X) = 2^-(ea+ex) B, so that A's largest entry is about 1
    # and X0 and the solution's scale max|B| / max|A| straddle 1 (see
    # _Magnitudes). That is exact in binary floating point and commutes with
    # every sweep, and keeps entries near the float64 limit from overflowing.
    off = system.offdiag
    magnitude = _Magnitudes(system, b, x)
    values = np.ldexp(off.data, -magnitude.exp_a).astype(b.dtype)
    diagonal = np.ldexp(system.diagonal, -magnitude.exp_a).astype(b.dtype)
    b = np.ldexp(b, -magnitude.exp_a - magnitude.exp_x).astype(b.dtype)
    x = np.ldexp(x, -magnitude.exp_x).astype(b.dtype)
    norm_b = float(np.linalg.norm(b.astype(np.float64)))
    buffer = np.empty_like(x)
    residuals = []
    for _ in range(max_iter + 1):
        # The sweep returns the residual of its input iterate x.
        buffer, residual_sq = sparse_relax.jacobi_sweep(
            off.indptr,
            off.indices,
            values,
            diagonal,
            b,
            x,
            buffer,
            omega=omega,
            n_threads=n_threads,
        )
        if not np.isfinite(residual_sq):
            _raise_non_finite(system, magnitude, residuals, omega)
        if norm_b > 0:
            residuals.append(float(np.sqrt(residual_sq) / norm_b))
        else:  # absolute, in the caller's units
            with np.errstate(over="ignore"):
                residuals.append(
                    float(
                        np.ldexp(
                            np.sqrt(residual_sq), magnitude.exp_a + magnitude.exp_x
                        )
                    )
                )
        if residuals[-1] <= tol or len(residuals) == max_iter + 1:
            break
        x, buffer = buffer, x

    converged = residuals[-1] <= tol
    if not converged:
        message = (
            f"Jacobi iteration stopped after max_iter={max_iter} sweeps with "
            f"relative residual {residuals[-1]:.3g} > tol={tol:g}; raise "
            "max_iter or check the convergence factor (jacobi_iteration_radius)"
        )
        logger.warning(message)
        warnings.warn(message, JacobiConvergenceWarning, stacklevel=2)
    with np.errstate(over="ignore"):
        x = np.ldexp(x, magnitude.exp_x).astype(b.dtype)
    if not np.isfinite(x).all():
        raise ValueError(
            f"the solution of A X = B overflows {b.dtype} ({magnitude}); scale the "
            "right-hand side or the system"
        )
    solution = x[:, 0] if was_1d else x
    return JacobiResult(
        solution=solution,
        residuals=np.asarray(residuals),
        n_iterations=len(residuals) - 1,
        converged=converged,
    )


class _Magnitudes:
    """Largest entries of A, B and X0, and the binary scales jacobi_solve uses.

    ``exp_a`` and ``exp_x`` are the powers of two that bring the largest entry
    of A, and the geometric mean of max|X0| and max|B| / max|A|, to about 1.
    """

    def __init__(self, system, rhs, x0):
        entries = np.abs(system.offdiag.data)
        self.offdiag = float(entries.max()) if entries.size else 0.0
        self.diagonal = float(np.abs(system.diagonal).max())
        self.smallest_diagonal = float(np.abs(system.diagonal).min())
        self.rhs = float(np.abs(rhs).max())
        self.x0 = float(np.abs(x0).max())
        self.exp_a = _binary_exponent(max(self.offdiag, self.diagonal))
        # Midway (in orders of magnitude) between X0 and the solution's scale
        # max|B| / max|A|: the iterate travels from one to the other, and both
        # ends, and the residual's square, then stay within the float range.
        scales = [_binary_exponent(self.x0)] if self.x0 > 0 else []
        if self.rhs > 0:
            scales.append(_binary_exponent(self.rhs) - self.exp_a)
        self.exp_x = round(sum(scales) / len(scales)) if scales else 0

    def __str__(self):
        return (
            f"largest |B| {self.rhs:.3g}, largest |X0| {self.x0:.3g}, largest |A| "
            f"off the diagonal {self.offdiag:.3g}, smallest |diagonal| "
            f"{self.smallest_diagonal:.3g}"
        )


def _binary_exponent(value):
    """e with value = f 2^e, 0.5 <= f < 1 (0 for value 0)."""
    return int(np.frexp(value)[1]) if value > 0 else 0


def _raise_non_finite(system, magnitude, residuals, omega):
    """Explain a residual that became inf or NaN: divergence or overflow.

    ``residuals`` holds the finite relative residuals before it. Jacobi
    diverges when its iteration matrix has spectral radius >= 1 (computed up
    to ``DENSE_LIMIT`` nodes; above, judged by whether the residual grew); a
    convergent iteration overflows only when its values leave the float
    range even after jacobi_solve's scaling.
    """
    sweeps = len(residuals)
    radius = None
    if system.n_nodes <= DENSE_LIMIT:
        try:
            radius = jacobi_iteration_radius(system, omega)
        except np.linalg.LinAlgError:  # LAPACK did not converge: say so below
            radius = None
    if radius is None:
        diverged = sweeps >= 2 and residuals[-1] > residuals[0]
        shown = "not computed; the residual " + ("grew" if diverged else "did not grow")
    else:
        diverged = not radius < 1
        shown = f"{radius:.3g}"
    if diverged:
        raise ValueError(
            f"Jacobi iteration diverged (the residual overflowed after {sweeps} "
            f"sweeps): the iteration matrix has spectral radius >= 1 ({shown}) "
            f"for this system and omega={omega!r} (see jacobi_iteration_radius); "
            "Jacobi needs a diagonally dominant matrix such as I + gamma dt L"
        )
    raise ValueError(
        f"Jacobi iteration overflowed after {sweeps} sweeps although it converges "
        f"(spectral radius {shown} < 1): the iterate's values overflow the float "
        f"range during the iteration even with the system rescaled ({magnitude}), "
        "so the solution lies beyond it; scale the input"
    )


def jacobi_iteration_radius(system, omega=1.0):
    """Return the spectral radius of the Jacobi iteration matrix.

    G = I - omega diag(a)^-1 A. The residual of :func:`jacobi_solve` shrinks
    asymptotically by this factor per sweep; below 1 means convergence.

    Parameters
    ----------
    system : LinearSystem or sparse matrix or ndarray
    omega : float, optional
        Relaxation weight in (0, 2).

    Returns
    -------
    float
        max |eig(G)|, computed densely up to ``DENSE_LIMIT`` nodes and by
        ARPACK (largest magnitude) above; inf when a ratio N_ij / a_ii
        overflows float64.
    """
    system = _as_system(system)
    omega = check_in_range("omega", omega, 0.0, 2.0, low_open=True, high_open=True)
    # G = (1 - omega) I - omega N_ij / a_ii, dividing entry by entry: 1 / a_ii
    # alone can overflow where the ratios do not.
    off = system.offdiag
    rows = np.repeat(np.arange(system.n_nodes), np.diff(off.indptr))
    with np.errstate(over="ignore"):
        ratios = off.data / system.diagonal[rows]
    if not np.isfinite(ratios).all():
        return math.inf  # some |N_ij / a_ii| beyond float64: no convergence
    scaled = sp.csr_array((ratios, off.indices, off.indptr), shape=off.shape)
    iteration = (1.0 - omega) * sp.eye_array(system.n_nodes) - omega * scaled
    if system.n_nodes <= DENSE_LIMIT:
        return float(np.max(np.abs(scipy.linalg.eigvals(iteration.toarray()))))
    value = spla.eigs(iteration, k=1, which="LM", return_eigenvectors=False)
    return float(np.abs(value[0]))


def _as_system(system):
    if isinstance(system, LinearSystem):
        return system
    if not (sp.issparse(system) or isinstance(system, np.ndarray)):
        raise ValueError(
            "system must be a LinearSystem, a sparse matrix or an ndarray, got "
            f"{type(system).__name__}"
        )
    if sp.issparse(system):
        matrix = as_csr("system", system)
    else:
        check_real("system", system)
        matrix = check_finite_array("system", system, ndim=2)
    shape = matrix.shape
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"system must be a square matrix, got shape {shape}")
    diagonal = matrix.diagonal()
    if np.any(diagonal == 0):
        row = int(np.flatnonzero(diagonal == 0)[0])
        raise ValueError(
            f"system must have a non-zero diagonal for Jacobi; A[{row}, {row}] = 0"
        )
    return LinearSystem.from_matrix(matrix)


# Matrix exponentials -------------------------------------------------------------

# expm_multiply's work grows linearly with ||t A||_1 (about one sparse product
# per unit); up to this bound it is used at every size.
EXPM_MULTIPLY_CHEAP = 100.0
# Above DENSE_LIMIT nodes (no dense scaling and squaring) a larger ||t A||_1 is
# refused: expm_multiply would take minutes to hours.
EXPM_MULTIPLY_LIMIT = 1e4
# Scaling and squaring multiplies the rounding error of a stationary mode by
# about ||t A||_1 (it squares 1 + eps that many times over); beyond this size
# the null space of A is split off first (see propagate).
LONG_STEP = 1e6


def check_exponent(label, generator, times):
    """Refuse exp(-t A) that cannot be computed in reasonable time or at all.

    Up to ``DENSE_LIMIT`` nodes every finite t A is accepted (dense algebra,
    see :func:`propagate`); above, ||t A||_1 must stay below
    ``EXPM_MULTIPLY_LIMIT``.

    Parameters
    ----------
    label : str
        How to name t A in the message, e.g. ``"gamma * t * L"``.
    generator : scipy.sparse matrix
        A (the decay operator, without the minus sign), finite.
    times : ndarray of float64
        Checked, non-decreasing sample times (in the units that A multiplies).
    """
    if generator.shape[0] <= DENSE_LIMIT:
        return
    norm = float(spla.norm(generator, 1)) if generator.nnz else 0.0
    with np.errstate(over="ignore"):
        size = norm * times[-1]
    if not np.isfinite(size):
        raise ValueError(
            f"{label} overflows float64 (1-norm of A {norm:.3g}, last time "
            f"{float(times[-1])!r}); reduce the rates or the times"
        )
    if size > EXPM_MULTIPLY_LIMIT:
        raise ValueError(
            f"{label} is too large for the exact solution on a graph above "
            f"{DENSE_LIMIT} nodes: its 1-norm at the last time is {size:.3g} > "
            f"{EXPM_MULTIPLY_LIMIT:g} (expm_multiply's work grows with it). Use "
            "diffuse_implicit, or shorter times"
        )


def propagate(operator, state, times):
    """Return exp(t B) M(0) at each time, stepping between successive times.

    Steps with ||dt B||_1 up to ``EXPM_MULTIPLY_CHEAP`` (and every step above
    ``DENSE_LIMIT`` nodes) use ``scipy.sparse.linalg.expm_multiply``; larger
    ones use the dense ``scipy.linalg.expm``, whose scaling and squaring costs
    only O(log ||dt B||) products. Above ``LONG_STEP`` the spectral projector P
    onto the null space of B (the stationary states, found from the singular
    values of B within n eps of 0) is split off: exp(dt B) =
    P + (exp(dt B / 2^j) - P)^(2^j), which keeps conserved quantities to
    rounding at any dt (plain squaring loses about ||dt B||_1 eps of them)
    and is the exact stationary projection once the other modes have decayed.
    Check sizes with :func:`check_exponent`.

    Parameters
    ----------
    operator : scipy.sparse matrix, shape (n_nodes, n_nodes)
        B (for diffusion -gamma L), finite, with eigenvalues of real part
        <= 0 and a semisimple eigenvalue 0 (as -L of every Laplacian kind).
    state : ndarray of float64, shape (n_nodes, n_patterns)
    times : ndarray of float64, shape (n_times,)

    Returns
    -------
    ndarray of float64, shape (n_times, n_nodes, n_patterns)

    Raises
    ------
    ValueError
        When the result is not finite (B outside the assumptions above).
    """
    operator = sp.csc_array(operator)
    norm = float(spla.norm(operator, 1)) if operator.nnz else 0.0
    small = operator.shape[0] <= DENSE_LIMIT
    states = np.empty((times.size,) + state.shape)
    current, previous = state, 0.0
    cached_step, propagator, dense = None, None, {}
    for index, time in enumerate(times):
        step = time - previous
        with np.errstate(over="ignore"):
            size = step * norm
        if step > 0 and (not small or size <= EXPM_MULTIPLY_CHEAP):
            current = spla.expm_multiply(step * operator, current)
        elif step > 0:
            # Equal steps (up to rounding of the times) share one exponential.
            if cached_step is None or abs(step - cached_step) > 4e-16 * time:
                cached_step = step
                propagator = _dense_exponential(operator, step, size, dense)
            current = propagator @ current
        states[index], previous = current, time
    if not np.isfinite(states).all():
        raise ValueError(
            "the matrix exponential is not finite: the operator must have "
            "eigenvalues of real part <= 0 and a semisimple eigenvalue 0 "
            f"(1-norm {norm:.3g}, last time {float(times[-1])!r})"
        )
    return states


def _dense_exponential(operator, step, size, cache):
    """Return exp(step B) densely; ``cache`` keeps B and its null projector.

    ``size`` is step ||B||_1 (inf when that overflows).
    """
    if "matrix" not in cache:
        cache["matrix"] = operator.toarray()
    matrix = cache["matrix"]
    if size <= LONG_STEP:
        return scipy.linalg.expm(step * matrix)
    if "projector" not in cache:
        cache["projector"] = _null_projector(matrix)
    projector = cache["projector"]
    # step = reduced 2^halvings with ||reduced B||_1 <= EXPM_MULTIPLY_CHEAP; the
    # logarithms avoid forming step ||B||_1, which may overflow.
    norm = float(np.abs(matrix).sum(axis=0).max())
    halvings = math.ceil(
        math.log2(step) + math.log2(norm) - math.log2(EXPM_MULTIPLY_CHEAP)
    )
    reduced = math.ldexp(step, -halvings)
    # (E - P)^m = E^m - P since E P = P E = P: the stationary part is exact and
    # the rest decays, reaching 0 (underflow) after a few dozen squarings.
    rest = scipy.linalg.expm(reduced * matrix) - projector
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for _ in range(halvings):
            if not rest.any():
                break
            rest = rest @ rest
    return projector + rest


def _null_projector(matrix):
    """Spectral projector onto the null space of a square matrix along its range.

    P = V (U^T V)^-1 U^T with V and U orthonormal bases of the right and left
    null spaces (singular vectors for singular values <= n eps sigma_max); 0
    when the matrix is non-singular. Needs a semisimple eigenvalue 0.
    """
    left, sigma, right_t = scipy.linalg.svd(matrix)
    tolerance = matrix.shape[0] * np.finfo(np.float64).eps * sigma[0]
    n_null = int(np.count_nonzero(sigma <= tolerance))
    if n_null == 0:
        return np.zeros_like(matrix)
    right, left = right_t[-n_null:].T, left[:, -n_null:]
    return right @ np.linalg.solve(left.T @ right, left.T)


# Diffusion ------------------------------------------------------------------------


def diffuse_exact(graph, initial, *, gamma, times, kind="combinatorial", method="auto"):
    """Return the exact solution M(t) = exp(-gamma t L) M(0) at given times.

    Parameters
    ----------
    graph : Graph or array_like or networkx graph
    initial : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        M(0), finite.
    gamma : float
        Diffusion rate (1/time), > 0.
    times : array_like of float, shape (n_times,)
        Non-negative, non-decreasing times.
    kind : {"combinatorial", "symmetric", "random_walk"}, optional
        Laplacian kind. On an undirected graph every kind keeps one
        stationary mode per connected component (isolated nodes keep their
        value) and relaxes to it at the slowest rate gamma lambda_2 of the
        component: the combinatorial Laplacian conserves sum_i M_i and tends
        to the component's mean; "random_walk" conserves sum_i d_i M_i and
        tends to the degree-weighted mean, a constant; "symmetric" conserves
        sum_i sqrt(d_i) M_i and tends to sqrt(d_i) times that sum over
        sum_i d_i. The plain sum is conserved by the combinatorial kind only.
    method : {"auto", "eig", "expm"}, optional
        "eig" uses the full eigendecomposition (undirected graphs up to
        ``DENSE_LIMIT`` nodes), with the stationary modes' eigenvalues exactly
        0 (see :func:`~neurorelax.graph.eigenmodes`); "expm" steps between
        successive times with ``scipy.sparse.linalg.expm_multiply``, or the
        dense ``scipy.linalg.expm`` for large steps up to ``DENSE_LIMIT`` nodes,
        splitting off the exact projection onto the stationary states when
        gamma dt ||L||_1 exceeds ``LONG_STEP`` (see :func:`propagate`); "auto"
        picks "eig" when it applies. Both keep the conserved quantities to
        rounding at any finite gamma t, and at long times give the stationary
        state (the projection onto the null space of L).

    Returns
    -------
    Trajectory
        States in float64.

    Raises
    ------
    ValueError
        When gamma t overflows, when the trajectory would hold more than
        ``MAX_RECORDED_VALUES`` values, or (method "expm" above
        ``DENSE_LIMIT`` nodes) when ||gamma t L||_1 exceeds
        ``EXPM_MULTIPLY_LIMIT``.

    Examples
    --------
    >>> import numpy as np
    >>> from neurorelax.graph import Graph
    >>> g = Graph(np.array([[0.0, 1.0], [1.0, 0.0]]))
    >>> out = diffuse_exact(g, [1.0, 0.0], gamma=1.0, times=[0.0, 10.0])
    >>> np.round(out.final, 6).tolist()
    [0.5, 0.5]
    """
    graph = as_graph("graph", graph)
    state, was_1d = as_state("initial", initial, graph.n_nodes, keep_float32=False)
    gamma = check_rate("gamma", gamma)
    times = check_times("times", times)
    check_choice("kind", kind, LAPLACIAN_KINDS)
    check_choice("method", method, ("auto", "eig", "expm"))
    eig_possible = not graph.directed and graph.n_nodes <= DENSE_LIMIT
    if method == "eig" and not eig_possible:
        raise ValueError(
            f"method='eig' needs an undirected graph with at most {DENSE_LIMIT} "
            f"nodes, got {graph!r}; use method='expm'"
        )
    use_eig = method == "eig" or (method == "auto" and eig_possible)
    with np.errstate(over="ignore"):
        scaled_times = gamma * times
    if not np.isfinite(scaled_times[-1]):
        raise ValueError(
            f"gamma * t must be finite, got gamma = {gamma!r} and the last time "
            f"{float(times[-1])!r}"
        )
    check_record_size("times", f"with {times.size} entries", times.size, state.shape)
    # exp(-gamma t L) depends on gamma t only; L is exponentiated with the
    # times gamma t, so that a large gamma cannot overflow gamma L.
    operator = laplacian(graph, kind)
    if not use_eig:
        check_exponent("gamma * t * L", operator, scaled_times)

    if use_eig:
        modes = eigenmodes(graph, kind=kind)
        amplitudes = modes.dual.T @ state
        with np.errstate(over="ignore"):
            factors = np.exp(-np.outer(scaled_times, modes.values))
        states = np.einsum("nk,tk,kp->tnp", modes.vectors, factors, amplitudes)
    else:
        states = propagate(-operator.tocsc(), state, scaled_times)

    if was_1d:
        states = states[:, :, 0]
    return Trajectory(
        times=times, states=states, info={"method": "eig" if use_eig else "expm"}
    )


@serial_blas
def diffuse_implicit(
    graph,
    initial,
    *,
    gamma,
    dt,
    n_steps,
    kind="combinatorial",
    tol=None,
    max_iter=10_000,
    omega=1.0,
    n_threads=0,
):
    """Integrate dM/dt = -gamma L M by implicit Euler solved with Jacobi.

    Each step solves (I + gamma dt L) M_{n+1} = M_n by :func:`jacobi_solve`,
    starting from M_n. Implicit Euler is stable for every gamma dt > 0: mode
    k is multiplied by 1 / (1 + gamma dt lambda_k) per step (exactly
    exp(-gamma dt lambda_k) only as gamma dt lambda_k -> 0).

    Parameters
    ----------
    graph : Graph or array_like or networkx graph
    initial : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        M(0); float32 input is integrated in float32.
    gamma : float
        Diffusion rate (1/time), > 0.
    dt : float
        Time step (time), > 0.
    n_steps : int
        Number of steps, 1 to ``MAX_STEPS`` (1e8), with the ``n_steps + 1``
        recorded states holding at most ``MAX_RECORDED_VALUES`` (1e9) values.
    kind : {"combinatorial", "symmetric", "random_walk"}, optional
    tol, max_iter, omega, n_threads
        Passed to :func:`jacobi_solve` for every step.

    Returns
    -------
    Trajectory
        ``n_steps + 1`` states at times 0, dt, ..., n_steps dt;
        ``info["iterations"]`` (sweeps per step, shape (n_steps,)) and
        ``info["residual_histories"]`` (list of arrays).

    Warns
    -----
    JacobiConvergenceWarning
        When a step stops at ``max_iter`` sweeps above ``tol``.
    """
    graph = as_graph("graph", graph)
    state, was_1d = as_state("initial", initial, graph.n_nodes)
    n_steps = check_n_steps(n_steps, state.shape)
    check_n_threads(n_threads)
    system = implicit_system(graph, gamma, dt, kind=kind)

    states = np.empty((n_steps + 1,) + state.shape, dtype=state.dtype)
    states[0] = state
    iterations, histories = np.zeros(n_steps, dtype=np.int64), []
    for step in range(n_steps):
        result = jacobi_solve(
            system,
            states[step],
            tol=tol,
            max_iter=max_iter,
            omega=omega,
            n_threads=n_threads,
        )
        states[step + 1] = result.solution
        iterations[step] = result.n_iterations
        histories.append(result.residuals)

    times = dt * np.arange(n_steps + 1)
    if was_1d:
        states = states[:, :, 0]
    info = {
        "iterations": iterations,
        "residual_histories": histories,
        "gamma_dt": gamma * dt,
    }
    return Trajectory(times=times, states=states, info=info)


def largest_eigenvalue(graph, kind="combinatorial"):
    """Return lambda_max, the largest |eigenvalue| of a graph Laplacian.

    Parameters
    ----------
    graph : Graph or array_like or networkx graph
    kind : {"combinatorial", "symmetric", "random_walk"}, optional

    Returns
    -------
    float
        Exact (dense) up to ``DENSE_LIMIT`` nodes; ARPACK above, for directed
        graphs the Gershgorin bound 2 max(d) (combinatorial) or 2 (normalised).
    """
    graph = as_graph("graph", graph)
    check_choice("kind", kind, LAPLACIAN_KINDS)
    operator = laplacian(graph, kind)
    if graph.n_nodes <= DENSE_LIMIT:
        dense = operator.toarray()
        if graph.directed:
            return float(np.max(np.abs(scipy.linalg.eigvals(dense))))
        if kind == "random_walk":
            dense = laplacian(graph, "symmetric").toarray()
        return float(scipy.linalg.eigvalsh(dense)[-1])
    if graph.directed:
        return float(2 * graph.degrees.max()) if kind == "combinatorial" else 2.0
    if kind == "random_walk":
        operator = laplacian(graph, "symmetric")
    return float(spla.eigsh(operator, k=1, which="LA", return_eigenvectors=False)[0])


@serial_blas
def diffuse_explicit(
    graph,
    initial,
    *,
    gamma,
    dt,
    n_steps,
    kind="combinatorial",
    unstable="raise",
    n_threads=0,
):
    """Integrate dM/dt = -gamma L M by explicit (forward) Euler.

    M_{n+1} = M_n - gamma dt L M_n, one sparse product per step (Cython).
    Mode k is multiplied by (1 - gamma dt lambda_k) per step, so the scheme
    is stable only if gamma dt lambda_max < 2; beyond that the highest modes
    grow geometrically and the solution diverges.

    Parameters
    ----------
    graph : Graph or array_like or networkx graph
    initial : array_like, shape (n_nodes,) or (n_nodes, n_patterns)
        M(0); float32 input is integrated in float32.
    gamma : float
        Diffusion rate (1/time), > 0.
    dt : float
        Time step (time), > 0.
    n_steps : int
        Number of steps, 1 to ``MAX_STEPS`` (1e8), with the ``n_steps + 1``
        recorded states holding at most ``MAX_RECORDED_VALUES`` (1e9) values.
    kind : {"combinatorial", "symmetric", "random_walk"}, optional
    unstable : {"raise", "allow"}, optional
        What to do when gamma dt lambda_max >= 2: raise ``ValueError``
        (default) or integrate anyway (logged as a warning), so that the
        divergence can be seen.
    n_threads : int, optional
        OpenMP threads; 0 uses the OpenMP default.

    Returns
    -------
    Trajectory
        ``info["stability_number"]`` holds gamma dt lambda_max.

    Warnings
    --------
    For a directed graph the Laplacian may have complex eigenvalues, for
    which the exact condition is |1 - gamma dt lambda_k| < 1 for every k; the
    check here uses the largest |lambda_k| (or, above 2000 nodes, the bound
    2 max(d)) and so can accept an unstable step or refuse a stable one.
    """
    graph = as_graph("graph", graph)
    state, was_1d = as_state("initial", initial, graph.n_nodes)
    gamma = check_rate("gamma", gamma)
    dt = check_rate("dt", dt)
    n_steps = check_n_steps(n_steps, state.shape)
    n_threads = check_n_threads(n_threads)
    check_choice("unstable", unstable, ("raise", "allow"))
    check_choice("kind", kind, LAPLACIAN_KINDS)
    with np.errstate(over="ignore"):
        gamma_dt = gamma * dt
    if not np.isfinite(gamma_dt):
        raise ValueError(
            f"gamma * dt must be finite, got gamma = {gamma!r} and dt = {dt!r}"
        )

    lambda_max = largest_eigenvalue(graph, kind)
    with np.errstate(over="ignore"):
        number = gamma_dt * lambda_max
    if number >= 2:
        message = (
            f"explicit Euler is unstable: gamma*dt*lambda_max = {number:.4g} >= 2 "
            f"(gamma={gamma:g}, dt={dt:g}); take dt < {2 / gamma / lambda_max:.4g}, "
            "use diffuse_implicit, or pass unstable='allow' to watch it diverge"
        )
        if unstable == "raise":
            raise ValueError(message)
        logger.warning(message)

    system = LinearSystem.from_matrix(laplacian(graph, kind))
    off = system.offdiag
    states = np.empty((n_steps + 1,) + state.shape, dtype=state.dtype)
    states[0] = state
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(n_steps):
            sparse_relax.operator_apply(
                off.indptr,
                off.indices,
                off.data,
                system.diagonal,
                states[step],
                states[step + 1],
                alpha=1.0,
                beta=-gamma_dt,
                n_threads=n_threads,
            )

    times = dt * np.arange(n_steps + 1)
    if was_1d:
        states = states[:, :, 0]
    return Trajectory(
        times=times,
        states=states,
        info={"stability_number": number, "gamma_dt": gamma_dt},
    )


# Helpers for analysing diffusion ------------------------------------------------


def neighbour_mean(graph, state):
    """Return each node's weighted mean of its neighbours, D^-1 W M.

    Under diffusion dM_i/dt = -gamma d_i (M_i - mean_i): every node relaxes
    towards this value. Isolated nodes get their own value.

    Parameters
    ----------
    graph : Graph or array_like or networkx graph
    state : array_like, shape (n_nodes,) or (n_nodes, n_patterns)

    Returns
    -------
    ndarray of float64, shape of ``state``
    """
    graph = as_graph("graph", graph)
    array, was_1d = as_state("state", state, graph.n_nodes, keep_float32=False)
    degrees = graph.degrees
    connected = degrees > 0
    result = array.copy()
    pooled = graph.weights @ array
    result[connected] = pooled[connected] / degrees[connected, None]
    return result[:, 0] if was_1d else result


def distance_from_uniform(states):
    """Return ||M - mean(M)|| per time (and pattern): how far from equilibrium.

    Parameters
    ----------
    states : array_like, shape (n_times, n_nodes) or (n_times, n_nodes, n_patterns)
        For instance ``Trajectory.states``.

    Returns
    -------
    ndarray of float64, shape (n_times,) or (n_times, n_patterns)
        Euclidean norm over nodes of the deviation from the node mean; for a
        connected graph under combinatorial diffusion it decays as
        exp(-gamma lambda_2 t) at late times.
    """
    array = check_finite_array("states", states)
    if array.ndim not in (2, 3):
        raise ValueError(
            "states must have shape (n_times, n_nodes) or (n_times, n_nodes, "
            f"n_patterns), got shape {array.shape}"
        )
    deviation = array - array.mean(axis=1, keepdims=True)
    return np.sqrt(np.sum(deviation**2, axis=1))
