"""Alerts: rules in the config that turn what the engine sees (a status reached, a failure rate
passed, a stall, a low balance) into a toast, the bell, a desktop notice or a command."""
