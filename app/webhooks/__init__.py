"""HTTP edge: verify a delivery, normalise it, record it, enqueue it, answer 202."""
