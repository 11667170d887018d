"""One module per graph node. Each node reads the state, runs its engine(s), returns an update."""
