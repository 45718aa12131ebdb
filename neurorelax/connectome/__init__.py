"""neurorelax.connectome."""
