"""State on disk: the watch list, status history, preferences, exports and the debug log, written
atomically under a lock. Knows the API's types, never the engine's: what it stores is handed to it
as plain values."""
