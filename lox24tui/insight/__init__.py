"""Campaign insight: what a sender asks once a bulk is out (whom to send again, and later how
fast, why it failed, who clicked and answered). Built on the wire (api) and text only; every
request goes through the client it is handed, which the front ends guard."""
