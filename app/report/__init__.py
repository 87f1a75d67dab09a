"""Presentation only: values in, text out — deterministic, sorted, no clocks."""
