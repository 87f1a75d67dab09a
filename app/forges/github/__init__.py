"""GitHub as a forge: webhook reading (pure) and the REST client behind the Forge protocol."""
