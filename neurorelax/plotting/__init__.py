"""neurorelax.plotting."""
