"""The forge-neutral event vocabulary; the only types that cross from the edge to the core."""
