"""The Faust worker: create_app(settings) wires the agents (thin wrappers around the pure stages)."""
