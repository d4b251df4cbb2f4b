"""How processes reach the departments' tools: completion effects and script helpers."""
