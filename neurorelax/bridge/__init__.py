"""neurorelax.bridge."""
