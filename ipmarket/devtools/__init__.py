"""Developers' tools: the demo marketplace (demo), the payment provider simulator."""
