"""neurorelax.kernels."""
