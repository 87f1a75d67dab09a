"""GitLab as a forge: webhook deliveries in (webhook), REST calls out (client)."""
