"""Support tools around the app: demo mode and the diagnostics export (the support zip)."""
