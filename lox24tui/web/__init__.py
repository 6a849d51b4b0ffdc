"""What ``lox24tui serve`` serves besides textual-serve's own files: the page template
(app_index.html) and the access key that guards every route."""
