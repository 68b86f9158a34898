"""The assessment lifecycle: events, the state machine, history integrity, deadlines, profiles."""
