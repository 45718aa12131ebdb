"""Build script for neurorelax.

The Cython kernels of the graph level live in ``cython_ext/``; every ``.pyx``
file there becomes the extension module ``neurorelax.kernels.<name>``. They are
compiled with OpenMP (``-fopenmp``) so that ``prange`` loops run in parallel.
A missing compiler or a failed build stops the install with a message that
says so: the package has no slow pure-Python fallback for its kernels.

Set ``NEURORELAX_DEBUG_BUILD=1`` to compile with bounds checking and
wrap-around indexing turned back on, for hunting memory errors in a kernel.
"""

import os
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
DEBUG_BUILD = os.environ.get("NEURORELAX_DEBUG_BUILD", "") not in ("", "0")

# Compiler directives for every kernel, set here and nowhere else.
CYTHON_DIRECTIVES = {
    "language_level": "3",
    "boundscheck": DEBUG_BUILD,
    "wraparound": DEBUG_BUILD,
    "cdivision": not DEBUG_BUILD,
    "initializedcheck": DEBUG_BUILD,
    "nonecheck": DEBUG_BUILD,
}
OPENMP_FLAGS = ["-fopenmp"]
OPTIMISATION_FLAGS = ["-O0", "-g"] if DEBUG_BUILD else ["-O3"]


def kernel_extensions():
    """Return one Extension per Cython source in ``cython_ext/``."""
    try:
        from Cython.Build import cythonize
    except ImportError as error:
        raise SystemExit(
            "neurorelax needs Cython to build its graph kernels "
            "(cython_ext/*.pyx); install it with `pip install Cython` "
            "or let pip build in an isolated environment."
        ) from error
    from setuptools import Extension

    sources = sorted((HERE / "cython_ext").glob("*.pyx"))
    extensions = [
        Extension(
            f"neurorelax.kernels.{source.stem}",
            [str(source.relative_to(HERE))],
            extra_compile_args=OPENMP_FLAGS + OPTIMISATION_FLAGS,
            extra_link_args=OPENMP_FLAGS,
        )
        for source in sources
    ]
    return cythonize(extensions, compiler_directives=CYTHON_DIRECTIVES)


class BuildKernels(build_ext):
    """build_ext that turns a compiler failure into a clear install error."""

    def run(self):
        try:
            super().run()
        except Exception as error:
            raise SystemExit(
                "neurorelax: building the Cython graph kernels failed "
                f"({error}). A C compiler with OpenMP support (gcc with "
                "-fopenmp) and the Python headers are required; on Debian "
                "or Ubuntu: apt-get install build-essential python3-dev."
            ) from error


setup(
    name="neurorelax",
    version="0.1.0",
    description=(
        "Conductance-based spiking networks (Brian2) linked to graph-Laplacian "
        "relaxation dynamics (Cython)"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.12",
    packages=find_packages(include=["neurorelax", "neurorelax.*"]),
    package_data={"neurorelax.plotting": ["*.mplstyle"]},
    ext_modules=kernel_extensions(),
    cmdclass={"build_ext": BuildKernels},
    install_requires=[
        # Brian2 2.10 (Python >= 3.12) fixes run_args on subgroups, which the
        # assembly networks use, and bounds parallel compiles. Brian2 2.9.0,
        # the newest for Python 3.11, also fails to import with numpy >= 2.4.
        "brian2==2.10.1",
        "numpy>=1.26",
        "scipy>=1.11",
        "networkx>=3.2",
        "h5py>=3.10",
        "matplotlib>=3.8",
        "threadpoolctl>=3.1",
        "tqdm>=4.66",
        "dask[distributed]>=2024.1",
        "pyyaml>=6.0",
        "pyarrow>=14",
        # The default connectome (TVB's 76-region human connectivity) is
        # GPL-3 data; we depend on the package instead of shipping a copy.
        "tvb-data==3.0.0",
    ],
    extras_require={
        "test": ["pytest>=8", "hypothesis>=6.100"],
        "dev": ["pytest>=8", "hypothesis>=6.100", "ruff", "cython-lint"],
    },
    entry_points={"console_scripts": ["neurorelax = neurorelax.cli:main"]},
    zip_safe=False,
)
