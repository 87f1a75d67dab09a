"""One short orchestrator per event kind; the story of each event, stage by stage."""
