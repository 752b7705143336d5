"""What every layer stands on: errors, paths, settings, secrets, the redacting log, timestamps."""
