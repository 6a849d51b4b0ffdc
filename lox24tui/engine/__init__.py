"""The engine: polls each watched bulk on its schedule, counts delivery reports, discovers new
bulks and watches the balance. Every request goes through the account guard. No screens here:
front ends listen to its events."""
