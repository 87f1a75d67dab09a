"""`stackgate demo`: the whole flow on embedded defaults, with a local forge."""
