"""Text for people and for files: money, times and counts in words, server text made safe for a
terminal, phone numbers masked, JSON with exact numbers. Imports nothing else of ours, so every
layer can use it."""
