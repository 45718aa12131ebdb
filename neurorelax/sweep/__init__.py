"""neurorelax.sweep."""
