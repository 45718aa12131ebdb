"""neurorelax.ion."""
