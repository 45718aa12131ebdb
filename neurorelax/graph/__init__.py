"""neurorelax.graph."""
