"""Everything stackgate knows about a live CloudStack cloud comes through this package."""
